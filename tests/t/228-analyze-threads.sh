#!/bin/bash
# analyze --threads N (N drawn, 2 to 64) gives the output of --threads 1
# byte for byte (stdout, stderr, exit code) in both read modes, as JSON and
# as text, one file at a time and several with --overall, on every sample
# and corpus capture, a drawn generated capture, a drawn SYN flood, and
# drawn cuts and corruptions of them (errors with their frame numbers,
# results so far); and with N > 1 a file is read on a thread of its own
# (strace sees one thread more made than with 1).
set -u
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed (SEED=$seed reproduces)"
tmp=$(mktemp -d /tmp/rstscope-threads.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
threads=$((2 + seed % 63))
python3 "$SHARED/tools/gen_pcap.py" --out "$tmp/g.pcap" --packets $((20000 + seed % 40000)) \
	--flows $((50 + seed % 2000)) --seed "$seed" --think-ms $((100 + seed % 3000)) >/dev/null 2>&1 ||
	{ echo "gen_pcap.py failed (SHARED=$SHARED)"; exit 1; }
python3 "$ROOT/tests/helpers/synflood.py" --out "$tmp/s.pcap" --truth "$tmp/t" --flows $((1000 + seed % 5000)) \
	--seed "$seed" --refused 20 --reset 20 2>/dev/null || exit 1
. "$ROOT/tests/lib/damaged.sh"
files=$(find "$ROOT/samples" "$SHARED/corpus" -name '*.pcap' 2>/dev/null | sort)
files="$files $(damaged_copies "$tmp/g.pcap" "$seed" 3 "$tmp")"
files="$files $tmp/g.pcap $tmp/s.pcap"
echo "--threads $threads against --threads 1 on $(wc -w <<<"$files") files"
fail=0 n=0
declare -a made
. "$ROOT/tests/lib/samethreads.sh"
for f in $files; do
	same "${f##*/} json" --json "$f"
	same "${f##*/} text" "$f"
done
same "all with --overall" --json --overall $files
same "three -q --overall" -q --overall "$tmp/g.pcap" "$tmp/cut1.pcap" "$tmp/s.pcap"
# the thread is made: one more clone with CLONE_THREAD under strace than
# with --threads 1 (whose reader may have a readahead thread of its own)
if command -v strace >/dev/null; then
	for t in 1 "$threads"; do
		strace -f -qq -e trace=clone,clone3 -o "$tmp/st" "$RSTSCOPE" analyze --threads "$t" -q \
			"$tmp/g.pcap" >/dev/null 2>&1
		made[$t]=$(grep -c 'CLONE_THREAD' "$tmp/st")
	done
	[ "${made[$threads]}" = $((made[1] + 1)) ] ||
		{ echo "FAIL: threads made: ${made[1]} with --threads 1, ${made[$threads]} with $threads"; fail=1; }
	# the default follows the CPUs the process may use (taskset, a
	# container's cpuset): one drawn CPU, no reader thread; all of them, one
	if command -v taskset >/dev/null; then
		pick=$(python3 -c "import os, sys; c = sorted(os.sched_getaffinity(0)); print(c[int(sys.argv[1]) % len(c)])" "$seed")
		strace -f -qq -e trace=clone,clone3 -o "$tmp/st" taskset -c "$pick" "$RSTSCOPE" analyze -q \
			"$tmp/g.pcap" >/dev/null 2>&1
		m=$(grep -c 'CLONE_THREAD' "$tmp/st")
		[ "$m" = "${made[1]}" ] ||
			{ echo "FAIL: on CPU $pick alone the default made $m threads, --threads 1 ${made[1]}"; fail=1; }
		if [ "$(nproc)" -gt 1 ]; then
			strace -f -qq -e trace=clone,clone3 -o "$tmp/st" "$RSTSCOPE" analyze -q "$tmp/g.pcap" \
				>/dev/null 2>&1
			m=$(grep -c 'CLONE_THREAD' "$tmp/st")
			[ "$m" = $((made[1] + 1)) ] ||
				{ echo "FAIL: on $(nproc) CPUs the default made $m threads, --threads 1 ${made[1]}"; fail=1; }
		fi
	fi
else
	echo "(no strace: the thread itself not checked)"
fi
[ $fail = 0 ] && echo "$n comparisons identical"
exit $fail
