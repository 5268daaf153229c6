#!/bin/sh
# Install the Debian packages that build, demo, tests and bench need, when missing.
# Quiet when everything is present. Needs root to install.
set -e
need="gcc make clang libclang-rt-14-dev libpcap-dev libmnl-dev libjansson-dev tcpdump tshark tcptrace
      iproute2 iptables nftables conntrack nginx-light haproxy openssl curl
      python3 nodejs time jq ethtool iputils-ping scdoc man-db chromium wrk"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
