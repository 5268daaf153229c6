#!/bin/bash
# analyze --write-pcapng: the annotated copy holds the same frames as its
# input as tshark reads them (number, time to the tick, lengths, protocols,
# md5 of the bytes, link type, interface names), every input comment kept,
# exactly one "rstscope: cause=..." comment on each RST rstscope reported
# (and those are the frames tshark sees an RST on), the text diagnosis on
# the section header. Inputs: the corpus, drawn synthetic captures in pcap
# (both byte orders, us and ns) and a pcapng of three interfaces with mixed
# link types, names and secrets, stdin, inputs cut at a drawn offset (exit 3, a valid copy of
# every whole frame); --correlate into DIR/; the command line's refusals.
# SEED=N repeats a run.
set -u
command -v tshark >/dev/null || { echo "tshark is not installed (apt install tshark)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
gen="$SHARED/tools/gen_pcap.py"
[ -r "$gen" ] || { echo "no generator at '$gen'"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-wpng.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed"
packets=$((2000 + seed % 2000))
[ -n "${RSTSCOPE_ASAN:-}" ] && packets=$((packets / 3))
agg=$(printf '\x1e')
fields=(-o frame.generate_md5_hash:TRUE -T fields -E "aggregator=$agg"
	-e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.protocols
	-e frame.md5_hash -e frame.encap_type -e frame.interface_name
	-e frame.interface_description -e tcp.flags.reset -e frame.comment)
ts() { tshark -r "$1" "${fields[@]}" 2>/dev/null; }

# check NAME IN [RC]: analyze IN into a copy and compare (RC: the exit wanted)
check() {
	local name=$1 in=$2 want=${3:-} d="$tmp/c-$1" rc ifaces=
	mkdir -p "$d"
	"$RSTSCOPE" analyze --json --write-pcapng "$d/out.pcapng" "$in" >"$d/rst.jsonl" 2>"$d/err"
	rc=$?
	if [ -n "$want" ]; then
		[ $rc = "$want" ] || bad "$name: exit $rc, want $want"
	else
		case $rc in 0|1) ;; *) bad "$name: exit $rc"; cat "$d/err" ;; esac
	fi
	"$RSTSCOPE" analyze -q --no-color "$in" >"$d/summary.txt" 2>/dev/null
	ts "$in" >"$d/in.tsv"
	tshark -r "$d/out.pcapng" "${fields[@]}" >"$d/out.tsv" 2>"$d/tshark.err" ||
		bad "$name: tshark cannot read the copy"
	grep -v '^Running as user' "$d/tshark.err" | grep -q . &&
		bad "$name: tshark complains about the copy: $(tail -1 "$d/tshark.err")"
	[ -s "$d/in.tsv" ] || bad "$name: tshark read no frame of the input"
	case $(head -c 4 "$in" | od -An -tx1 | tr -d ' ') in 0a0d0d0a) ifaces=--ifaces ;; esac
	python3 "$ROOT/tests/lib/pcapng_compare.py" "$d/in.tsv" "$d/out.tsv" "$d/rst.jsonl" $ifaces \
		--shb "$d/out.pcapng" "$d/summary.txt" || bad "$name: the copy differs (above)"
	echo "$name: $(wc -l <"$d/out.tsv") frames, $(grep -c 'rstscope: cause=' "$d/out.tsv") RST comments, exit $rc"
}

# the checker itself tells a changed frame and a stray comment
ts "$SHARED/corpus/zeek/tcp-single-rst.pcap" >"$tmp/self.tsv"
awk -F'\t' -v OFS='\t' 'NR==1 { $6 = "0" $6 } 1' "$tmp/self.tsv" >"$tmp/self-bytes.tsv"
awk -F'\t' -v OFS='\t' 'NR==1 { $11 = "rstscope: cause=x" } 1' "$tmp/self.tsv" >"$tmp/self-note.tsv"
for m in bytes note; do
	python3 "$ROOT/tests/lib/pcapng_compare.py" "$tmp/self.tsv" "$tmp/self-$m.tsv" /dev/null >/dev/null &&
		bad "the checker missed a changed $m"
done

# every corpus capture; under ASan four drawn ones (tshark's part is the same)
corpus=("$SHARED"/corpus/*/*.pcap)
if [ -n "${RSTSCOPE_ASAN:-}" ]; then
	n=${#corpus[@]}
	corpus=("${corpus[seed % n]}" "${corpus[(seed / 7) % n]}" "${corpus[(seed / 49) % n]}" "${corpus[(seed / 343) % n]}")
fi
for f in "${corpus[@]}"; do
	check "corpus-$(basename "$f" .pcap)" "$f"
done

python3 "$gen" --out "$tmp/g.pcap" --packets $packets --flows $((50 + seed % 200)) --seed $seed \
	--think-ms $((100 + seed % 400)) --idle-gap $((2 + seed % 5)) --rst-frac 0.3 \
	--snaplen $((seed % 2 ? 262144 : 128 + seed % 200)) >/dev/null 2>&1 || { bad "generator"; exit 1; }
python3 "$ROOT/tests/lib/capvariants.py" "$tmp/g.pcap" "$tmp" $seed >"$tmp/own-comment" ||
	{ bad "capvariants"; exit 1; }
for v in g.pcap be-usec.pcap le-nsec.pcap be-nsec.pcap multi.pcapng; do
	check "drawn-$v" "$tmp/$v"
done
# its name resolution and secrets blocks are copied, its statistics not
python3 "$ROOT/tests/lib/pcapng_compare.py" /dev/null /dev/null /dev/null \
	--blocks "$tmp/multi.pcapng" "$tmp/c-drawn-multi.pcapng/out.pcapng" || bad "multi.pcapng: other blocks"
[ "$(tshark -r "$tmp/c-drawn-multi.pcapng/out.pcapng" -q -z hosts 2>/dev/null | grep -c -E "\s(server|v6)\.example$")" = 2 ] ||
	bad "tshark finds no names in the copy"
# the pcapng input's own comment is still on its frame
n=$(cat "$tmp/own-comment")
awk -F'\t' -v n=$n '$1 == n' "$tmp/c-drawn-multi.pcapng/out.tsv" | grep -q 'capvariants: kept' ||
	bad "the input's own comment on frame $n was lost"
python3 "$gen" --out "$tmp/ng.pcapng" --format pcapng --packets $((packets / 2)) --seed $((seed + 1)) \
	--rst-frac 0.3 >/dev/null 2>&1 && check "drawn-gen-pcapng" "$tmp/ng.pcapng"
python3 "$ROOT/tests/lib/mkpcapng.py" "$tmp/mixed.pcapng" && check "mixed-links" "$tmp/mixed.pcapng" 1

# cut inside a frame at or past a drawn offset past the headers: exit 3, a valid copy of the whole frames
for v in be-nsec.pcap multi.pcapng; do
	size=$(stat -c %s "$tmp/$v")
	cut=$(python3 "$ROOT/tests/lib/cutinside.py" "$tmp/$v" $((200 + (seed * 7919) % (size - 200)))) ||
		{ bad "$v: no frame to cut"; continue; }
	head -c "$cut" "$tmp/$v" >"$tmp/cut-$v"
	check "cut-$v" "$tmp/cut-$v" 3
	grep -q "cut-$v': frame [0-9]*: truncated" "$tmp/c-cut-$v/err" || bad "cut-$v: no message naming the frame"
done

# stdin: spooled to TMPDIR, nothing left there; the same frames and comments
mkdir -p "$tmp/spool"
TMPDIR="$tmp/spool" "$RSTSCOPE" analyze -q --write-pcapng "$tmp/stdin.pcapng" - <"$tmp/multi.pcapng" >/dev/null
rc=$?
[ $rc = 1 ] || bad "stdin: exit $rc, want 1"
[ -z "$(ls -A "$tmp/spool")" ] || bad "stdin: the spool was left in TMPDIR"
ts "$tmp/stdin.pcapng" | cmp -s - "$tmp/c-drawn-multi.pcapng/out.tsv" || bad "stdin: the copy differs from the file's"
TMPDIR="$tmp/none" "$RSTSCOPE" analyze -q --write-pcapng "$tmp/x.pcapng" - <"$tmp/g.pcap" >/dev/null 2>&1
rc=$?
[ $rc = 4 ] || bad "stdin with no TMPDIR: exit $rc, want 4"

# --correlate: one copy per input in DIR/
"$RSTSCOPE" analyze -q --correlate --write-pcapng "$tmp/dir/" "$tmp/g.pcap" "$tmp/be-nsec.pcap" >/dev/null 2>&1
rc=$?
[ $rc = 1 ] || bad "correlate: exit $rc, want 1"
[ -s "$tmp/dir/g.pcapng" ] && [ -s "$tmp/dir/be-nsec.pcapng" ] || bad "correlate: copies missing: $(ls "$tmp/dir")"
ts "$tmp/dir/g.pcapng" | cut -f1-7 | cmp -s - <(cut -f1-7 "$tmp/c-drawn-g.pcap/in.tsv") ||
	bad "correlate: the copy of g.pcap differs"
[ "$(ls -A "$tmp/dir" | wc -l)" = 2 ] || bad "correlate: temporary files left: $(ls -A "$tmp/dir")"

# refusals: several inputs into one file, an output over its input, two
# inputs onto one name, standard output (it carries the report); an
# unwritable place is a runtime failure
for args in "$tmp/one.pcapng $tmp/g.pcap $tmp/be-nsec.pcap" "$tmp/g.pcap $tmp/g.pcap" \
	"$tmp/d2/ $tmp/g.pcap $tmp/dir/g.pcapng" "- $tmp/g.pcap"; do
	# shellcheck disable=SC2086 # a list of arguments
	"$RSTSCOPE" analyze -q --write-pcapng $args >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] || bad "--write-pcapng $args: exit $rc, want 2"
	grep -q "write-pcapng" "$tmp/err" || bad "--write-pcapng $args: no message"
done
"$RSTSCOPE" analyze -q --write-pcapng "$tmp/no/such/dir/x.pcapng" "$tmp/g.pcap" >/dev/null 2>&1
rc=$?
[ $rc = 4 ] || bad "an unwritable output: exit $rc, want 4"
[ $fail = 0 ] && echo "copies match their inputs, one verdict comment per RST"
exit $fail
