#!/bin/bash
# Golden files: analyze on each sample capture (recorded in the lab, see
# samples/README.md) must print exactly tests/golden/NAME.{jsonl,txt}.
# To accept a deliberate change: make O=build && tests/golden/update.sh
set -u
cd "$ROOT" || exit 1
fail=0 n=0
for pcap in samples/*.pcap; do
	name=$(basename "$pcap" .pcap)
	for fmt in jsonl txt; do
		want="tests/golden/$name.$fmt"
		[ -f "$want" ] || { echo "no golden file $want"; fail=1; continue; }
		if [ $fmt = jsonl ]; then
			"$RSTSCOPE" analyze --json "$pcap" >"$O/golden.out" 2>&1
		else
			"$RSTSCOPE" analyze --no-color "$pcap" >"$O/golden.out" 2>&1
		fi
		rc=$?
		[ $rc = 1 ] || { echo "$pcap: exit $rc, want 1 (resets found)"; fail=1; }
		if ! diff -u "$want" "$O/golden.out" >"$O/golden.diff"; then
			echo "$pcap ($fmt) differs from $want:"; head -40 "$O/golden.diff"; fail=1
		fi
		n=$((n + 1))
	done
done
[ $n -ge 10 ] || { echo "only $n golden comparisons"; fail=1; }
[ $fail = 0 ] && echo "$n golden outputs match"
exit $fail
