#!/bin/bash
# make demo: analyse the captures shipped in samples/ (recorded in the lab),
# one after another, readable output. Exit 0 when every capture analysed.
set -u
bin=${1:-build/rstscope}
cd "$(dirname "$0")/.." || exit 1
status=0
for pcap in samples/*.pcap; do
	printf '\n\033[1m### %s\033[0m  (%s)\n\n' "$pcap" \
		"$(awk -v f="$(basename "$pcap")" -F'|' '$2 ~ f { gsub(/^ +| +$/, "", $4); print $4 }' samples/README.md)"
	"$bin" analyze "$pcap"
	rc=$?
	[ $rc -le 1 ] || status=$rc
done
echo
echo "demo: analysed $(ls samples/*.pcap | wc -l) sample captures; try: $bin analyze --explain 9 samples/conntrack-forget.pcap"
exit $status
