#!/bin/bash
# A classic pcap file is mapped (older than a minute) or read (newer):
# both give the same output byte for byte, on every sample and corpus
# capture and on drawn cuts and corruptions of a generated one (errors with
# their frame numbers, results so far).
set -u
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed (SEED=$seed reproduces)"
tmp=$(mktemp -d /tmp/rstscope-read.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
python3 "$ROOT/tests/helpers/synflood.py" --out "$tmp/g.pcap" --truth "$tmp/t" --flows 3000 \
	--seed "$seed" --refused 20 --reset 20 2>/dev/null || exit 1
. "$ROOT/tests/lib/damaged.sh"
files=$(find "$ROOT/samples" "$SHARED/corpus" -name '*.pcap' 2>/dev/null | sort)
files="$files $(damaged_copies "$tmp/g.pcap" "$seed" 5 "$tmp")"
files="$files $tmp/g.pcap"
fail=0 n=0
. "$ROOT/tests/lib/samethreads.sh"
for f in $files; do
	RSTSCOPE_PCAP_READ=map "$RSTSCOPE" analyze --json "$f" >"$tmp/m" 2>"$tmp/me"; mr=$?
	RSTSCOPE_PCAP_READ=read "$RSTSCOPE" analyze --json "$f" >"$tmp/r" 2>"$tmp/re"; rr=$?
	agree "${f##*/}: mapped and read" $mr "$tmp/m" "$tmp/me" $rr "$tmp/r" "$tmp/re"
done
[ $fail = 0 ] && echo "mapped = read on $n files"
exit $fail
