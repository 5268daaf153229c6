#!/bin/bash
# The flow table cap: with --max-flows far below the open flows, flows are
# evicted and the evictions reported, memory stays bounded, and still every
# RST is reported (the same frames as without a cap).
set -u
gen="$SHARED/tools/gen_pcap.py"
[ -r "$gen" ] || { echo "no generator at '$gen'"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-cap.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
python3 "$gen" --out "$tmp/c.pcap" --packets 20000 --flows 200 --seed 4 2>/dev/null || exit 1
"$RSTSCOPE" analyze --json "$tmp/c.pcap" >"$tmp/full.jsonl"
"$RSTSCOPE" analyze --json --max-flows 16 "$tmp/c.pcap" >"$tmp/cap.jsonl"
"$RSTSCOPE" analyze --max-flows 16 "$tmp/c.pcap" >"$tmp/cap.txt"
fail=0
full=$(jq -r 'select(.type=="rst") | .frame' "$tmp/full.jsonl" | tr '\n' ' ')
cap=$(jq -r 'select(.type=="rst") | .frame' "$tmp/cap.jsonl" | tr '\n' ' ')
[ -n "$full" ] && [ "$full" = "$cap" ] || { echo "RST frames differ under the cap"; fail=1; }
read -r peak evicted < <(jq -r 'select(.type=="summary") | "\(.stats.flows_peak) \(.stats.flows_evicted)"' "$tmp/cap.jsonl")
[ "$peak" -le 16 ] || { echo "peak open flows $peak above the cap"; fail=1; }
[ "$evicted" -gt 0 ] || { echo "no eviction reported"; fail=1; }
grep -q "flows were evicted" "$tmp/cap.txt" || { echo "the text report does not say so"; fail=1; }
[ "$(jq -r 'select(.type=="summary") | .stats.flows_evicted' "$tmp/full.jsonl")" = 0 ] || { echo "evictions without a cap"; fail=1; }
[ $fail = 0 ] && echo "cap 16: $evicted evictions reported, all $(wc -w <<<"$cap") RSTs kept"
exit $fail
