#!/bin/bash
# analyze --explain on long flows: the ladder is the window around the RST
# (the connection's first 10 frames, the last 300 up to and including the
# RST, the first 90 after it, the rest counted), never the flow's first
# frames alone, so the RST is always drawn. Drawn: the number of frames
# before and after the RST (from a handful to thousands), an earlier
# connection on the same tuple, frames of other flows between, the
# address family. tests/helpers/longflow.py writes the capture and the
# frames a ladder must show, worked out on its own. SEED=N repeats a run.
set -u
tmp=$(mktemp -d /tmp/rstscope-211.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed"
fail=0
bad() { echo "FAIL (seed $seed, case $i): $*"; fail=1; }
for i in 1 2 3 4 5 6; do
	python3 "$ROOT/tests/helpers/longflow.py" $((seed * 7 + i)) "$tmp/c.pcap" "$tmp/want" || { bad "longflow.py"; continue; }
	rst=$(sed -n 's/^rst //p' "$tmp/want")
	"$RSTSCOPE" analyze -q --no-color --explain "$rst" "$tmp/c.pcap" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || { bad "exit $rc: $(cat "$tmp/err")"; continue; }
	sed -n '/^ladder of the flow of frame/,$p' "$tmp/out" >"$tmp/ladder"
	# the rows' frames, and the two counts of frames not shown
	awk '$0 ~ /\|/ { print $2 }' "$tmp/ladder" >"$tmp/got-frames"
	grep -v '^rst \|^mid \|^after ' "$tmp/want" >"$tmp/want-frames"
	cmp -s "$tmp/got-frames" "$tmp/want-frames" ||
		bad "frames drawn: $(diff "$tmp/want-frames" "$tmp/got-frames" | head -4 | tr '\n' ' ')"
	grep -q "^ *[0-9.]* $rst .*RST.*<== this RST" "$tmp/ladder" || bad "RST $rst not drawn and marked"
	for k in mid after; do
		n=$(sed -n "s/^$k //p" "$tmp/want")
		case $k in
		mid) got=$(sed -n 's/^ *(\([0-9]*\) frames of the flow not shown)$/\1/p' "$tmp/ladder") ;;
		after) got=$(sed -n 's/^ *(\([0-9]*\) more frames of the flow after these)$/\1/p' "$tmp/ladder") ;;
		esac
		[ "${got:-0}" = "$n" ] || bad "$k: ${got:-no} frames said not shown, want $n"
	done
	[ $fail = 0 ] && echo "case $i: $(sed -n 's/^info //p' "$tmp/want.info"): $(wc -l <"$tmp/got-frames") rows, RST $rst drawn"
done
exit $fail
