#!/bin/bash
# Verdict accuracy on a small synthetic capture with a known truth, drawn
# from a random seed (printed; ACC_SEED repeats it): every RST the generator
# wrote is reported (by frame number), kind is right on at least 95% of them,
# forged on at least 95% of those whose claimed sender sent other packets in
# its flow earlier in the capture (read from the file by accuracy.py --pcap: a
# flow already open when the capture began may show none), and no RST is judged forged for genuine or genuine for forged
# (unknown aside, and the front-end class that accuracy.py counts apart). (A refused RST's sender has none; the generator
# gives each flow of one server address its own TTL, so its other flows are a
# weak baseline: rstscope says unknown or judges by distance, and
# `make bench` prints that figure too.)
set -u
gen="$SHARED/tools/gen_pcap.py"
if [ ! -r "$gen" ]; then
	echo "no generator at '$gen'"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 is needed"
	exit 77
fi
tmp=$(mktemp -d /tmp/rstscope-acc.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
seed=${ACC_SEED:-$(( $(od -An -N2 -tu2 /dev/urandom) % 10000 ))}
echo "generator seed $seed (ACC_SEED=$seed repeats it)"
python3 "$gen" --out "$tmp/small.pcap" --truth "$tmp/small.truth.jsonl" --packets 30000 \
	--flows 300 --think-ms 2000 --idle-gap 5 --seed "$seed" 2>"$tmp/gen.log" || {
	cat "$tmp/gen.log"; exit 1; }
n=$(grep -c . "$tmp/small.truth.jsonl")
if [ "$n" -lt 20 ]; then
	echo "the generator wrote only $n RSTs; the test needs a larger sample"
	exit 1
fi
"$RSTSCOPE" analyze --json "$tmp/small.pcap" >"$tmp/out.jsonl" 2>"$tmp/err.txt"
rc=$?
if [ "$rc" != 1 ]; then
	echo "rstscope analyze exited $rc, expected 1 (resets found); stderr:"
	head -n 20 "$tmp/err.txt"
	exit 1
fi
python3 "$ROOT/bench/accuracy.py" --min-pct 95 --forged-scope in-flow --pcap "$tmp/small.pcap" --no-wrong-forged \
	"$tmp/small.truth.jsonl" "$tmp/out.jsonl"
