#!/bin/bash
# Every capture of the shared corpus: analyze --json reports exactly the RSTs
# in tshark's list (frame, addresses, ports, TTL), and never crashes.
set -u
corpus="$SHARED/corpus"
[ -d "$corpus/tshark" ] || { echo "no shared corpus at $corpus"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for tsv in "$corpus"/tshark/*.rst.tsv; do
	base=$(basename "$tsv" .rst.tsv)
	pcap="$corpus/${base%%--*}/${base#*--}.pcap"
	[ -f "$pcap" ] || { echo "missing capture for $tsv"; fail=1; continue; }
	"$RSTSCOPE" analyze --json "$pcap" >"$tmp/out.jsonl" 2>"$tmp/err"
	rc=$?
	nrst=$(($(wc -l <"$tsv") - 1))
	want=0; [ "$nrst" -gt 0 ] && want=1
	if [ $rc -ne $want ]; then
		echo "$base: exit $rc, want $want"; cat "$tmp/err"; fail=1
	fi
	printf '%-48s ' "$base"
	python3 "$ROOT/tests/lib/tshark_compare.py" "$tsv" "$tmp/out.jsonl" || fail=1
	n=$((n + 1))
done
[ $n -ge 15 ] || { echo "only $n captures compared"; fail=1; }
exit $fail
