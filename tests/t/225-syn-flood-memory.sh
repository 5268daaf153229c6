#!/bin/bash
# A SYN flood's half-open flows are embryos: on a drawn flood (N half-open
# flows from drawn sources, with refused SYNs and reset established flows
# mixed in) the peak RSS of analyze and of watch -r stays within the base
# RSS + 300 bytes per flow (a full flow state alone is 384), every RST of
# the ground truth is found with its kind, and under a drawn --max-flows the
# evictions are reported and the same RSTs found.
set -u
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
asan=${RSTSCOPE_ASAN:-0}
if [ "$asan" = 1 ]; then
	n=$((20000 + seed % 10000))   # the sanitizers own the memory: RSTs only
else
	n=$((50000 + seed % 200001))
fi
n=${FLOWS:-$n}   # FLOWS=1000000 measures a given flood
refused=$((20 + seed % 40)) reset=$((20 + (seed / 7) % 40))
cap=$((4096 + (seed / 13) % 8192))
echo "seed $seed: $n half-open flows, $refused refused, $reset reset (SEED=$seed reproduces)"
[ -x /usr/bin/time ] || { echo "no /usr/bin/time (package time)"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-flood.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
python3 "$ROOT/tests/helpers/synflood.py" --out "$tmp/f.pcap" --truth "$tmp/t.jsonl" \
	--flows "$n" --seed "$seed" --refused "$refused" --reset "$reset" 2>/dev/null || exit 1
python3 "$ROOT/tests/helpers/synflood.py" --out "$tmp/small.pcap" --truth "$tmp/small.jsonl" \
	--flows 10 --seed "$seed" --refused 1 --reset 1 2>/dev/null || exit 1
fail=0
rss() {  # the peak RSS (KiB) of a command whose stdout goes to $tmp/out
	/usr/bin/time -o "$tmp/time" -f %M "$@" >"$tmp/out" 2>/dev/null
	tail -n 1 "$tmp/time"
}
# the flows' memory, measured with the file read in chunks (a ring of a
# few hundred KiB, as for the small file); a mapped file adds at most
# seven 2 MiB windows of the file itself (src/sources/pcapfile.c)
export RSTSCOPE_PCAP_READ=read
base=$(rss "$RSTSCOPE" analyze --json "$tmp/small.pcap")
a=$(rss "$RSTSCOPE" analyze --json "$tmp/f.pcap")
cp "$tmp/out" "$tmp/a.jsonl"
w=$(rss "$RSTSCOPE" watch --no-kernel --json --summary-every 0 -r "$tmp/f.pcap")
cp "$tmp/out" "$tmp/w.jsonl"
unset RSTSCOPE_PCAP_READ
am=$(rss "$RSTSCOPE" analyze --json "$tmp/f.pcap")
cmp -s "$tmp/out" "$tmp/a.jsonl" || { echo "FAIL: the mapped file's output differs from the read one's"; fail=1; }
bound=$((base + n * 300 / 1024))
if [ "$asan" != 1 ]; then
	for x in "analyze $a 0" "watch-r $w 0" "analyze(mapped) $am 14336"; do
		set -- $x
		if [ "$2" -gt $((bound + $3)) ]; then
			echo "FAIL: $1 peaked at $2 KiB, above $((bound + $3)) KiB (base $base KiB + 300 B x $n flows + $3 KiB)"
			fail=1
		fi
	done
fi
truth=$(jq -r '"\(.frame) \(.kind)"' "$tmp/t.jsonl" | sort)
for f in a w; do
	got=$(jq -r 'select(.type=="rst") | "\(.frame) \(.kind)"' "$tmp/$f.jsonl" | sort)
	if [ "$got" != "$truth" ]; then
		echo "FAIL: $f: RSTs differ from the truth:"
		diff <(echo "$truth") <(echo "$got") | head -n 5
		fail=1
	fi
done
read -r created peak < <(jq -r 'select(.type=="summary") | "\(.stats.flows_created) \(.stats.flows_peak)"' "$tmp/a.jsonl")
want=$((n + refused + reset))
[ "$created" = "$want" ] && [ "$peak" = "$want" ] ||
	{ echo "FAIL: flows created $created, peak $peak; want $want"; fail=1; }
"$RSTSCOPE" analyze --json --max-flows "$cap" "$tmp/f.pcap" >"$tmp/c.jsonl"
# (an evicted flow's retransmitted SYN creates it again: evicted = created - cap)
read -r created peak evicted < <(jq -r 'select(.type=="summary") |
	"\(.stats.flows_created) \(.stats.flows_peak) \(.stats.flows_evicted)"' "$tmp/c.jsonl")
[ "$peak" = "$cap" ] && [ "$evicted" = $((created - cap)) ] && [ "$created" -ge "$want" ] ||
	{ echo "FAIL: --max-flows $cap: $created created, peak $peak, $evicted evicted"; fail=1; }
got=$(jq -r 'select(.type=="rst") | "\(.frame) \(.kind)"' "$tmp/c.jsonl" | sort)
[ "$got" = "$truth" ] || { echo "FAIL: --max-flows $cap: RSTs differ from the truth"; fail=1; }
[ $fail = 0 ] && echo "$n half-open flows: analyze $a KiB ($am mapped), watch -r $w KiB (bound $bound KiB," \
	"base $base KiB); $(wc -l <<<"$truth") RSTs found; cap $cap: $evicted evicted"
exit $fail
