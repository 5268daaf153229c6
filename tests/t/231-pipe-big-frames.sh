#!/bin/bash
# analyze --threads N reads a file on a thread of its own a queue of
# batches ahead of the engine; a mapped file's old windows are unmapped as
# the read moves on. With frames as large as GRO/TSO captures hold (drawn up
# to libpcap's 256 KiB) the queue spans many windows: the reader must wait
# for the engine before unmapping a window whose frames are still queued.
# Drawn captures (tests/helpers/bigframes.py), a cut and a corrupted copy:
# --threads 1 and --threads N (N drawn) give the same bytes, in both read
# modes, as JSON and text (a frame read after its unmapping is a crash).
set -u
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed (SEED=$seed reproduces)"
tmp=$(mktemp -d /tmp/rstscope-bigframes.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
threads=$((2 + seed % 7))
. "$ROOT/tests/lib/damaged.sh"
files=
for i in 1 2; do
	python3 "$ROOT/tests/helpers/bigframes.py" $((seed + i)) "$tmp/b$i.pcap" || exit 1
	files="$files $tmp/b$i.pcap"
done
files="$files $(damaged_copies "$tmp/b1.pcap" "$seed" 2 "$tmp")"
# mapped only when older than a minute (RSTSCOPE_PCAP_READ forces either)
touch -d '-2 minutes' $files
fail=0 n=0
. "$ROOT/tests/lib/samethreads.sh"
for f in $files; do
	echo "${f##*/}: $(stat -c %s "$f") bytes, $(tcpdump -nr "$f" 2>/dev/null | wc -l) frames"
	same "${f##*/} json" --json "$f"
	same "${f##*/} text" "$f"
done
[ $fail = 0 ] && echo "$n comparisons identical (--threads $threads)"
exit $fail
