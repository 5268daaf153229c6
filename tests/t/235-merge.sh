#!/bin/bash
# rstscope merge of per-capture JSON summaries equals the one run over all
# the captures (analyze --overall), byte for byte: on the corpus, and on
# drawn synthetic captures analysed in a drawn order; the last of a
# capture's periodic summaries counts, summaries of several are left out;
# watch outputs of several "hosts" add up; a bad line is an input error
# naming its file and line while the rest is merged.
set -u
tmp=$(mktemp -d /tmp/rstscope-235.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL (SEED=$seed): $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
seed=${SEED:-$RANDOM}; RANDOM=$seed
echo "SEED=$seed"

mapfile -t corpus < <(find "$SHARED/corpus" -name '*.pcap*' | sort)
[ ${#corpus[@]} -gt 1 ] || { echo "no corpus"; exit 77; }

# same: FILES... -> analyze --overall against merge of the per-file outputs
same() {   # LABEL FILE...
	local label=$1 i=0 f; shift
	rm -rf "$tmp/parts"; mkdir "$tmp/parts"
	"$RSTSCOPE" analyze --json --overall "$@" 2>/dev/null | tail -n 1 >"$tmp/one.json"
	jq -e '.type == "summary" and .file == null and .files > 0' "$tmp/one.json" >/dev/null ||
		fail "$label: no overall summary"
	for f in "$@"; do
		i=$((i + 1))
		"$RSTSCOPE" analyze --json "$f" >"$tmp/parts/$(printf %03d $i).jsonl" 2>/dev/null
	done
	"$RSTSCOPE" merge --json "$tmp"/parts/*.jsonl >"$tmp/merged.json" 2>"$tmp/err"
	cmp -s "$tmp/one.json" "$tmp/merged.json" || {
		diff <(jq -S . "$tmp/one.json") <(jq -S . "$tmp/merged.json") | head -20
		fail "$label: merge differs from the one run"; }
	echo "ok: $label: $# captures, $(jq .resets "$tmp/one.json") resets, causes $(jq -c '[.causes[] | .id]' "$tmp/one.json")"
}

same corpus "${corpus[@]}"
# the corpus in a drawn order
mapfile -t shuffled < <(printf '%s\n' "${corpus[@]}" | shuf --random-source=<(yes $seed))
same "corpus, drawn order" "${shuffled[@]}"

# drawn synthetic parts: idle reaping, clusters, timeouts to add up
k=$((RANDOM % 4 + 2)) parts=()
for ((j = 0; j < k; j++)); do
	python3 "$SHARED/tools/gen_pcap.py" --out "$tmp/g$j.pcap" --packets $((RANDOM % 20000 + 5000)) \
		--flows $((RANDOM % 300 + 50)) --seed $((seed * 10 + j)) --idle-gap $((RANDOM % 50 + 5)) \
		--rst-frac 0.0$((RANDOM % 8 + 2)) >/dev/null 2>&1 || fail "gen_pcap"
	parts+=("$tmp/g$j.pcap")
done
same "synthetic, $k parts" "${parts[@]}"
jq -e '.idle_timeouts | length > 0' "$tmp/one.json" >/dev/null && echo "ok: idle timeouts merged: $(jq -c '[.idle_timeouts[] | .seconds]' "$tmp/one.json")"

# a capture's earlier summary then its final one: the last counts; an
# overall summary in the inputs is left out
"$RSTSCOPE" analyze --json --horizon 0.1 "${parts[0]}" 2>/dev/null | grep '"type":"summary"' >"$tmp/early.jsonl"
cat "$tmp/early.jsonl" "$tmp/parts/001.jsonl" >"$tmp/p1.jsonl"
"$RSTSCOPE" analyze --json --overall "${parts[@]}" 2>/dev/null | tail -n 1 >"$tmp/overall.jsonl"
"$RSTSCOPE" merge --json "$tmp/p1.jsonl" "$tmp"/parts/00[2-9].jsonl "$tmp/overall.jsonl" >"$tmp/m2.json" 2>"$tmp/err"
cmp -s "$tmp/one.json" "$tmp/m2.json" || fail "the last summary of a capture, or leaving the overall out"
grep -q "summaries of several captures left out" "$tmp/err" || fail "no word of the overall summary left out"
# stdin works as a file
"$RSTSCOPE" merge --json - "$tmp"/parts/00[2-9].jsonl <"$tmp/parts/001.jsonl" >"$tmp/m3.json" 2>/dev/null
cmp -s "$tmp/one.json" "$tmp/m3.json" || fail "stdin"

# watch outputs of two hosts add up
"$RSTSCOPE" watch --json --no-kernel -r "${parts[0]}" >"$tmp/wa.jsonl" 2>/dev/null
"$RSTSCOPE" watch --json --no-kernel -r "${parts[1]}" >"$tmp/wb.jsonl" 2>/dev/null
"$RSTSCOPE" merge --json "$tmp/wa.jsonl" "$tmp/wb.jsonl" >"$tmp/w.json" 2>/dev/null
want=$(( $(jq -s '[.[] | select(.type=="summary")] | last | .resets' "$tmp/wa.jsonl") +
	 $(jq -s '[.[] | select(.type=="summary")] | last | .resets' "$tmp/wb.jsonl") ))
[ "$(jq .resets "$tmp/w.json")" = "$want" ] || fail "watch: $(jq .resets "$tmp/w.json") resets, want $want"
echo "ok: two watch outputs: $want resets"

# a cut line: exit 3, its file and line named, the rest merged
head -c 200 "$tmp/parts/002.jsonl" | grep -q . && { grep '"type":"summary"' "$tmp/parts/002.jsonl" | head -c 300; echo; } >"$tmp/bad.jsonl"
"$RSTSCOPE" merge --json "$tmp/parts/001.jsonl" "$tmp/bad.jsonl" >"$tmp/m4.json" 2>"$tmp/err"
rc=$?
[ $rc = 3 ] || fail "a cut summary: exit $rc, want 3"
grep -q "bad.jsonl': line 1: not JSON" "$tmp/err" || fail "the cut line not named: $(cat "$tmp/err")"
[ "$(jq .resets "$tmp/m4.json")" = "$(jq -s '[.[] | select(.type=="summary")] | last | .resets' "$tmp/parts/001.jsonl")" ] ||
	fail "the good input not merged"
"$RSTSCOPE" merge >/dev/null 2>&1; [ $? = 2 ] || fail "no input: want exit 2"
echo "ok: bad input named, the rest merged"
