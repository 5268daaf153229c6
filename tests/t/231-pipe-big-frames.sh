#!/bin/bash
# analyze --threads N reads a file on a thread of its own a queue of
# batches ahead of the engine; a mapped file's old windows are unmapped as
# the read moves on. With frames as large as GRO/TSO captures hold (drawn up
# to libpcap's 256 KiB) the queue spans many windows: the reader must wait
# for the engine before unmapping a window whose frames are still queued.
# Drawn captures (tests/helpers/bigframes.py), a cut and a corrupted copy:
# --threads 1 and --threads N (N drawn) give the same bytes, in both read
# modes, as JSON and text (a frame read after its unmapping is a crash);
# and through a filter that passes few frames, the verdicts of the same
# frames cut out first.
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
# mapped, or read with RSTSCOPE_PCAP_READ=read: both are compared
fail=0 n=0
. "$ROOT/tests/lib/samethreads.sh"
for f in $files; do
	echo "${f##*/}: $(stat -c %s "$f") bytes, $(tcpdump -nr "$f" 2>/dev/null | wc -l) frames"
	same "${f##*/} json" --json "$f"
	same "${f##*/} text" "$f"
done
# A filter that passes few frames: one call of the reader skips megabytes,
# many windows or read-ahead chunks, while frames it returned before wait
# in a batch. Every read mode and thread count gives the verdicts of the
# same frames cut out by tcpdump first (frame numbers and file aside).
filters=("tcp[tcpflags] & tcp-rst != 0" "tcp[tcpflags] & (tcp-rst|tcp-fin) != 0"
	"tcp[tcpflags] & tcp-rst != 0 or port $((30000 + seed % 60))")
filter=${filters[$((seed % ${#filters[@]}))]}
echo "filter: $filter"
for f in "$tmp/b1.pcap" "$tmp/b2.pcap"; do
	tcpdump -r "$f" -w "$tmp/cut.pcap" "$filter" 2>/dev/null || { echo "FAIL: tcpdump"; fail=1; continue; }
	touch -d '-2 minutes' "$tmp/cut.pcap"
	"$RSTSCOPE" analyze --threads 1 --json "$tmp/cut.pcap" | grep '"type":"rst"' |
		sed 's/"file":"[^"]*","frame":[0-9]*,//' >"$tmp/want"
	for mode in map read; do
		for t in 1 "$threads"; do
			RSTSCOPE_PCAP_READ=$mode "$RSTSCOPE" analyze --threads "$t" --json -f "$filter" "$f" |
				grep '"type":"rst"' | sed 's/"file":"[^"]*","frame":[0-9]*,//' >"$tmp/got"
			n=$((n + 1))
			cmp -s "$tmp/want" "$tmp/got" || {
				echo "FAIL: ${f##*/} -f ($mode, --threads $t): $(wc -l <"$tmp/got") verdicts, $(wc -l <"$tmp/want") on the frames cut out first"
				diff "$tmp/want" "$tmp/got" | head -n 4
				fail=1
			}
		done
	done
	echo "${f##*/}: $(wc -l <"$tmp/want") verdicts through the filter"
done
[ $fail = 0 ] && echo "$n comparisons identical (--threads $threads)"
exit $fail
