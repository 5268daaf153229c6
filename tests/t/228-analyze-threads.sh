#!/bin/bash
# analyze --threads N (N drawn, 2 to 64) gives the output of --threads 1
# byte for byte (stdout, stderr, exit code) in both read modes, as JSON and
# as text, one file at a time and several with --overall, on every sample
# and corpus capture, a drawn generated capture, a drawn SYN flood, and
# drawn cuts and corruptions of them (errors with their frame numbers,
# results so far); and with N > 1 a file is read on a thread of its own
# (strace sees one thread more made than with 1, less the read-ahead
# thread of a file read in chunks when there are fewer than three CPUs),
# and the default (mapped) follows the CPUs the process may run on.
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
. "$ROOT/tests/lib/samethreads.sh"
for f in $files; do
	same "${f##*/} json" --json "$f"
	same "${f##*/} text" "$f"
done
same "all with --overall" --json --overall $files
same "three -q --overall" -q --overall "$tmp/g.pcap" "$tmp/cut1.pcap" "$tmp/s.pcap"
# the thread is made: with --threads N one more clone with CLONE_THREAD
# under strace than with 1, mapped; read (RSTSCOPE_PCAP_READ=read), --threads 1 may
# have a read-ahead thread of its own, which N keeps only with a third CPU
# (the reader and the engine busy two)
if command -v strace >/dev/null; then
	clones() {  # ENV... -- ARGS...: CLONE_THREADs of one analyze run
		local e=()
		while [ "$1" != -- ]; do e+=("$1"); shift; done
		shift
		env "${e[@]}" strace -f -qq -e trace=clone,clone3 -o "$tmp/st" "$@" >/dev/null 2>&1
		grep -c 'CLONE_THREAD' "$tmp/st"
	}
	cpus=$(nproc)
	for mode in map read; do
		m1=$(clones RSTSCOPE_PCAP_READ=$mode -- "$RSTSCOPE" analyze --threads 1 -q "$tmp/g.pcap")
		mn=$(clones RSTSCOPE_PCAP_READ=$mode -- "$RSTSCOPE" analyze --threads "$threads" -q "$tmp/g.pcap")
		if [ $mode = map ]; then want=$((m1 + 1)); else want=$((1 + (cpus >= 3 ? m1 : 0))); fi
		[ "$mn" = "$want" ] ||
			{ echo "FAIL: $mode: threads made: $m1 with --threads 1, $mn with $threads (want $want on $cpus CPUs)"; fail=1; }
		[ $mode = map ] && one_made=$m1 && n_made=$want
	done
	# the default follows the CPUs the process may use (taskset, a
	# container's cpuset), a file mapped by default: one drawn CPU, as
	# --threads 1; all of them, as N
	if command -v taskset >/dev/null; then
		pick=$(python3 -c "import os, sys; c = sorted(os.sched_getaffinity(0)); print(c[int(sys.argv[1]) % len(c)])" "$seed")
		m=$(clones -- taskset -c "$pick" "$RSTSCOPE" analyze -q "$tmp/g.pcap")
		[ "$m" = "$one_made" ] ||
			{ echo "FAIL: on CPU $pick alone the default made $m threads, --threads 1 $one_made"; fail=1; }
		if [ "$cpus" -gt 1 ]; then
			m=$(clones -- "$RSTSCOPE" analyze -q "$tmp/g.pcap")
			[ "$m" = "$n_made" ] ||
				{ echo "FAIL: on $cpus CPUs the default made $m threads, --threads N $n_made"; fail=1; }
		fi
	fi
else
	echo "(no strace: the thread itself not checked)"
fi
[ $fail = 0 ] && echo "$n comparisons identical"
exit $fail
