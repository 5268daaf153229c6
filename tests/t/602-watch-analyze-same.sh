#!/bin/bash
# One diagnosis: watch on a capture file (no kernel events) and analyze on
# the same file give every RST the same verdict (kind, role, sender and its
# evidence, shape, idle gap, cluster, cause and its evidence) and the same
# summary's resets and causes, on the shared corpus and the samples.
set -u
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-602.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
files=("$ROOT"/samples/*.pcap)
[ -d "$SHARED/corpus" ] && while IFS= read -r f; do files+=("$f"); done < <(find "$SHARED/corpus" -name '*.pcap' -o -name '*.pcapng' | sort)
sel='select(.type=="rst") | [.frame,.kind,.sender_role,.forged,.forged_evidence,.shape,.idle_gap_s,.cluster_size,.cause,.cause_evidence]'
sum='select(.type=="summary") | [.resets, [.causes[] | [.id, .count]]]'
n=0 rsts=0 fail=0
for f in "${files[@]}"; do
	"$RSTSCOPE" analyze --json "$f" >"$tmp/a" 2>/dev/null
	"$RSTSCOPE" watch --no-kernel --json --summary-every 0 -r "$f" >"$tmp/w" 2>/dev/null
	jq -c "$sel" "$tmp/a" >"$tmp/a.rst"
	jq -c "$sel" "$tmp/w" >"$tmp/w.rst"
	if ! cmp -s "$tmp/a.rst" "$tmp/w.rst"; then
		echo "FAIL: ${f#"$ROOT"/}: watch and analyze differ:"
		diff "$tmp/a.rst" "$tmp/w.rst" | head -6
		fail=1
	fi
	if [ "$(jq -c "$sum" "$tmp/a")" != "$(jq -c "$sum" "$tmp/w" | tail -n 1)" ]; then
		echo "FAIL: ${f#"$ROOT"/}: summaries differ: $(jq -c "$sum" "$tmp/a") vs $(jq -c "$sum" "$tmp/w" | tail -n 1)"
		fail=1
	fi
	n=$((n + 1)) rsts=$((rsts + $(grep -c . "$tmp/a.rst")))
done
[ $n -ge 5 ] || { echo "FAIL: only $n captures"; exit 1; }
[ $fail = 0 ] || exit 1
echo "watch -r = analyze on $n captures, $rsts RSTs"
