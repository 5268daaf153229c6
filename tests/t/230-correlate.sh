#!/bin/bash
# analyze --correlate: two captures of the same drawn traffic (client side
# a.pcap, server side b.pcap; tests/helpers/corr_pcap.py) with a random
# clock offset, path delay, jitter and TTL decrement: every RST's seen_in /
# absent_in as drawn, the clock offset found, a forged RST injected between
# the points judged forged and the server's own not, NAT-mapped flows
# matched, a flow one capture saw in neither, captures with no flow in
# common said so; and the command line's limits and a truncated capture.
# CORR_SEEDS="1 2 3" repeats given seeds.
set -u
gen="$ROOT/tests/helpers/corr_pcap.py"
command -v jq >/dev/null || { echo "no jq"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-corr.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# jq -e over a whole file (jq 1.6 -e judges only the last line's output)
corr() { jq -e -s "map(select(.type==\"correlation\"))[0] | $1" "${@:2}" >/dev/null; }
has() { jq -e -s "any(.[]; $1)" "$2" >/dev/null; }
seeds=${CORR_SEEDS:-$(for i in 1 2 3 4 5 6 7 8; do echo $((RANDOM * 32768 + RANDOM)); done)}

one_seed() {  # seed case
	local s=$1 case=$2 d="$tmp/$1-$2" rc
	mkdir -p "$d" && cd "$d" || return 1
	python3 "$gen" --seed "$s" --case "$case" --out . 2>gen.err || { bad "seed $s: generator"; cat gen.err; return; }
	echo "seed $s ($case): $(cat gen.err | sed 's/^corr_pcap: //')"
	"$RSTSCOPE" analyze --json --correlate a.pcap b.pcap >out.jsonl 2>err.txt; rc=$?
	[ $rc = 1 ] || bad "seed $s: exit $rc, want 1"
	# seen_in / absent_in of every RST, and no RST the truth lacks
	jq -c 'select(.type=="rst") | {file, frame, seen_in: .correlation.seen_in, absent_in: .correlation.absent_in}' out.jsonl | sort >got.txt
	jq -c '{file, frame, seen_in, absent_in}' truth.jsonl | sort >want.txt
	diff want.txt got.txt >diff.txt || { bad "seed $s ($case): presence differs (want < > got)"; cat diff.txt; }
	# forged follows the correlation: the injected RST forged, the server's own not
	jq -r --slurpfile t truth.jsonl 'select(.type=="rst") as $r | $t[] |
		select(.file == $r.file and .frame == $r.frame and .forged != null) |
		select((.forged == "forged") != ($r.forged == "forged")) |
		"\(.case) RST \($r.file) frame \($r.frame): forged \($r.forged), want \(.forged): \($r.forged_evidence)"' \
		out.jsonl >forged.txt
	[ -s forged.txt ] && { bad "seed $s: sender verdicts"; cat forged.txt; }
	if [ "$case" = disjoint ]; then
		grep -q "'a.pcap' and 'b.pcap' have no flow in common" err.txt || bad "seed $s: no warning naming both files"
		corr '.pairs[0].matched == 0 and (.captures | all(.shares_flows | not))' out.jsonl || bad "seed $s: matched flows without one in common"
		return
	fi
	# the clock offset (the path delay cancels out): within the jitter
	corr 'def abs: if . < 0 then -. else . end; .pairs[0] |
		((.clock_offset_s - $m[0].offset) | abs) < ($m[0].jitter + 0.002) and .offset_packets > 10 and
		((.path_delay_s - $m[0].delay) | abs) < ($m[0].jitter + 0.002)' --slurpfile m meta.json out.jsonl ||
		{ bad "seed $s: clock offset/delay"; jq -c 'select(.type=="correlation") | .pairs[0]' out.jsonl; cat meta.json; }
	if jq -e '.cases | index("nat") or index("nat-shift")' meta.json >/dev/null; then
		corr '.pairs[0].by_nat_isn >= 1' out.jsonl || bad "seed $s: NAT flow not matched by ISN"
	fi
	if jq -e '.cases | index("nat-shift") or index("shift")' meta.json >/dev/null; then
		corr '.pairs[0].seq_shifted >= 1' out.jsonl || bad "seed $s: rewritten sequence numbers not learnt"
	fi
	if jq -e '.cases | index("open-nat")' meta.json >/dev/null; then
		corr '.pairs[0].by_nat_data >= 1' out.jsonl || bad "seed $s: open NAT flow not matched by data"
	fi
	# text: the presence line and the header
	"$RSTSCOPE" analyze --correlate a.pcap b.pcap >out.txt 2>/dev/null
	grep -q '^  seen     in a.pcap, not in b.pcap: built between a.pcap and b.pcap$' out.txt || bad "seed $s: text presence line of the forged RST"
	grep -q '^  seen     in a.pcap and b.pcap: at every point$' out.txt || bad "seed $s: text presence line of the genuine RST"
	grep -q '^  a.pcap ~ b.pcap: [0-9]* flows matched' out.txt || bad "seed $s: text header"
	cd "$tmp" || return 1
}

for s in $seeds; do one_seed "$s" mixed; done
for s in $(echo "$seeds" | head -n 2); do one_seed "$s" disjoint; done

d="$tmp/$(echo "$seeds" | head -n 1)-mixed"
cd "$d" || exit 1
# plain analyze: no correlation key, the same RSTs
"$RSTSCOPE" analyze --json a.pcap b.pcap >plain.jsonl 2>/dev/null
has '.type=="rst" and has("correlation")' plain.jsonl && bad "plain analyze has a correlation key"
has '.type=="correlation"' plain.jsonl && bad "plain analyze has a correlation line"
[ "$(jq -c 'select(.type=="rst") | [.file,.frame]' plain.jsonl)" = "$(jq -c 'select(.type=="rst") | [.file,.frame]' out.jsonl)" ] || bad "--correlate changed the RSTs found"
# -q, -f
"$RSTSCOPE" analyze -q --correlate a.pcap b.pcap >q.txt 2>/dev/null
grep -q '^frame ' q.txt && bad "-q printed RST blocks"
grep -q 'flows matched' q.txt || bad "-q lost the correlation header"
"$RSTSCOPE" analyze --json -f tcp --correlate a.pcap b.pcap 2>/dev/null | jq -c 'select(.type=="rst") | {file, frame, seen_in: .correlation.seen_in, absent_in: .correlation.absent_in}' | sort >f.txt
cmp -s f.txt got.txt || bad "-f tcp changed the correlation"
# the command line's limits
"$RSTSCOPE" analyze --correlate a.pcap >/dev/null 2>&1; [ $? = 2 ] || bad "one file: want exit 2"
"$RSTSCOPE" analyze --correlate a.pcap a.pcap b.pcap b.pcap a.pcap a.pcap b.pcap b.pcap a.pcap >/dev/null 2>&1; [ $? = 2 ] || bad "9 files: want exit 2"
"$RSTSCOPE" analyze --correlate a.pcap - <a.pcap >/dev/null 2>&1; [ $? = 2 ] || bad "stdin: want exit 2"
"$RSTSCOPE" analyze --help | grep -q -- '--correlate client-side.pcap' || bad "--help has no example"
# a capture cut short: exit 3, an error naming file and frame, results so far
size=$(stat -c %s b.pcap)
head -c "$(python3 "$ROOT/tests/lib/cutinside.py" b.pcap $((size * 2 / 3)))" b.pcap >cut.pcap
"$RSTSCOPE" analyze --json --correlate a.pcap cut.pcap >cut.jsonl 2>cut.err; rc=$?
[ $rc = 3 ] || bad "truncated capture: exit $rc, want 3"
has '.type=="error" and .file=="cut.pcap" and (.frame|type)=="number"' cut.jsonl || bad "truncated capture: no error line with its frame"
[ "$(jq -c 'select(.type=="summary") | .file' cut.jsonl | tr '\n' ' ')" = '"a.pcap" "cut.pcap" ' ] || bad "truncated capture: summaries lost"
"$RSTSCOPE" analyze --json --correlate a.pcap missing.pcap >miss.jsonl 2>/dev/null; rc=$?
[ $rc = 3 ] || bad "missing capture: exit $rc, want 3"
has '.type=="rst" and .file=="a.pcap"' miss.jsonl || bad "missing capture: the other's results lost"
# every bad input of the robustness tests beside a good capture: no crash, exit 3
bd="$tmp/bad"; mkdir -p "$bd"
python3 "$ROOT/tests/data/bad/mkbad.py" "$bd" >/dev/null 2>&1 || bad "mkbad.py failed"
for f in "$bd"/*; do
	for args in "$f a.pcap" "a.pcap $f" "$f $f"; do
		"$RSTSCOPE" analyze --json --correlate $args >bad.jsonl 2>bad.err; rc=$?
		[ $rc -le 3 ] || bad "--correlate $(basename "$f"): exit $rc"
		grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' bad.err && { bad "--correlate $args: sanitizer"; head -5 bad.err; }
	done
done
[ $fail = 0 ] && echo "correlate: $(echo $seeds | wc -w) seeds mixed, 2 disjoint: all RSTs placed right"
exit $fail
