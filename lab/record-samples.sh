#!/bin/bash
# record-samples.sh: record the sample captures shipped in samples/ with
# fixed seeds (run by `make samples`; needs root). Small on purpose: a
# short snap length keeps headers and the first bytes of HTTP.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dest=${SAMPLES_DIR:-$root/samples}
if [ "$(id -u)" != 0 ]; then
	echo "record-samples: needs root (network namespaces); run it with sudo" >&2
	exit 4
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-samples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
# name seed what
samples="conntrack-forget 11 a conntrack router forgot an idle flow and REJECTed the next request with a forged RST (TTL differs from the server's)
server-crash 12 an app server SIGKILLed with requests in flight: clustered RSTs, then a refused SYN
unread-close 13 an early 413 to an upload, the body unread: the server's kernel resets after the response
refused 14 a good request to port 80, then SYNs to a closed port answered with RST+ACK
keepalive-race 15 nginx keep-alive timeout: one flow gets the FIN then an RST for its reused request, one flow lost the FIN and gets only the RST"
{
	echo "# Sample captures"
	echo
	echo "Recorded at the client by \`lab/record-samples.sh\` (\`make samples\`) on real kernel networking in network namespaces; each file is what the scenario of the same name in \`lab/scenarios/\` produces with the seed shown (snap length 128)."
	echo
	echo "| file | seed | what happened |"
	echo "|---|---|---|"
} >"$tmp/README.md"
while read -r name seed what; do
	SNAPLEN=128 LAB_NO_CHECK=1 "$here/lab.sh" run "$name" --seed "$seed" --out "$tmp/$name" >&2
	cp "$tmp/$name/client.pcap" "$dest/$name.pcap"
	echo "| $name.pcap | $seed | $what |" >>"$tmp/README.md"
	echo "record-samples: $dest/$name.pcap ($(stat -c %s "$dest/$name.pcap") bytes)" >&2
done <<<"$samples"
cp "$tmp/README.md" "$dest/README.md"
