#!/bin/bash
# analyze of many files at once (--threads N, N drawn 2 to 8, several files,
# none more than two thirds of the bytes): the files run on worker threads
# of their own (strace sees min(N, files) of them), and stdout, stderr and
# the exit code are those of --threads 1 (one file after the other) byte
# for byte: as JSON and as text, with -q, --overall and a drawn filter, in
# both read modes. The files are drawn: 2 to 9 generated captures of like
# sizes (seeds, flows, IPv6 share, pcap or pcapng drawn), a drawn cut and a
# drawn corruption among them, a file that does not exist and one that is
# no capture; and 12 to 40 tiny ones, more than the window of files that
# may run ahead of the output. Once with the log a file may fill before
# its turn drawn small (RSTSCOPE_MANY_LOG), so files go straight out.
set -u
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed (SEED=$seed reproduces)"
RANDOM=$((seed % 32768))
tmp=$(mktemp -d /tmp/rstscope-many.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
threads=$((2 + RANDOM % 7)) k=$((2 + RANDOM % 8)) pk=$((6000 + RANDOM % 12000))
files=()
for ((i = 1; i <= k; i++)); do
	fmt=pcap
	[ "$i" -gt 1 ] && [ $((RANDOM % 3)) = 0 ] && fmt=pcapng
	python3 "$SHARED/tools/gen_pcap.py" --out "$tmp/g$i.$fmt" --format "$fmt" \
		--packets $((pk + RANDOM % 2000)) --flows $((20 + RANDOM % 800)) --seed $((seed + i)) \
		--ipv6-frac "0.$((RANDOM % 5))" --think-ms $((100 + RANDOM % 2000)) >/dev/null 2>&1 ||
		{ echo "gen_pcap.py failed (SHARED=$SHARED)"; exit 1; }
	files+=("$tmp/g$i.$fmt")
done
. "$ROOT/tests/lib/damaged.sh"
# shellcheck disable=SC2207 # paths without spaces
files+=($(damaged_copies "$tmp/g1.pcap" "$seed" 1 "$tmp"))
echo "not a capture at all" >"$tmp/text.pcap"
files+=("$tmp/missing.pcap" "$tmp/text.pcap")
# shuffled
mapfile -t files < <(printf '%s\n' "${files[@]}" | awk -v s="$seed" 'BEGIN { srand(s) } { print rand(), $0 }' | sort -k1,1 | cut -d' ' -f2-)
echo "--threads $threads against --threads 1 on ${#files[@]} files: ${files[*]##*/}"
fail=0 n=0
. "$ROOT/tests/lib/samethreads.sh"
same "json" --json "${files[@]}"
same "text" "${files[@]}"
same "-q --overall" -q --overall "${files[@]}"
same "json --overall" --json --overall "${files[@]}"
# a file with more to say than its log keeps waits for its turn and goes
# straight out (the log's size drawn small)
export RSTSCOPE_MANY_LOG=$((200 + RANDOM % 20000))
same "json, logs of $RSTSCOPE_MANY_LOG bytes" --json --overall "${files[@]}"
unset RSTSCOPE_MANY_LOG
same "json, a filter" --json -f "tcp port $((RANDOM % 2 ? 443 : 80)) or host 10.$((RANDOM % 4)).0.1" "${files[@]}"
[ -s "$tmp/1e" ] || { echo "FAIL: no warnings for the missing and the damaged files"; fail=1; }
grep -q "missing.pcap" "$tmp/1e" || { echo "FAIL: the missing file not named"; fail=1; }
# many tiny files: more than the window that may run ahead of the output
t=$((12 + RANDOM % 29))
tiny=()
for ((i = 1; i <= t; i++)); do
	python3 "$SHARED/tools/gen_pcap.py" --out "$tmp/t$i.pcap" --packets $((50 + RANDOM % 400)) \
		--flows $((2 + RANDOM % 20)) --seed $((seed * 3 + i)) >/dev/null 2>&1 || exit 1
	tiny+=("$tmp/t$i.pcap")
done
same "$t tiny files, json --overall" --json --overall "${tiny[@]}"
same "$t tiny files, text" "${tiny[@]}"
# the workers are there: threads made under strace, with the files mapped
# (no read-ahead thread of their own)
if command -v strace >/dev/null; then
	want=$((threads < k ? threads : k))
	RSTSCOPE_PCAP_READ=map strace -f -qq -e trace=clone,clone3 -o "$tmp/st" "$RSTSCOPE" analyze \
		--threads "$threads" -q "${files[@]}" >/dev/null 2>&1
	got=$(grep -c 'CLONE_THREAD' "$tmp/st")
	[ "$got" -ge "$want" ] || { echo "FAIL: $got threads made for $k files and --threads $threads (want $want)"; fail=1; }
	RSTSCOPE_PCAP_READ=map strace -f -qq -e trace=clone,clone3 -o "$tmp/st1" "$RSTSCOPE" analyze \
		--threads 1 -q "${files[@]}" >/dev/null 2>&1
	[ "$(grep -c 'CLONE_THREAD' "$tmp/st1")" = 0 ] || { echo "FAIL: --threads 1 made threads"; fail=1; }
	# read ahead (new files): when the workers busy every CPU there is none
	# for a read-ahead thread: a worker reads its file itself
	if [ "$want" -ge "$(nproc)" ]; then
		RSTSCOPE_PCAP_READ=read strace -f -qq -e trace=clone,clone3 -o "$tmp/st2" "$RSTSCOPE" \
			analyze --threads "$threads" -q "${files[@]}" >/dev/null 2>&1
		got2=$(grep -c 'CLONE_THREAD' "$tmp/st2")
		[ "$got2" = "$got" ] ||
			{ echo "FAIL: read: $got2 threads made, mapped $got ($want workers on $(nproc) CPUs)"; fail=1; }
	fi
else
	echo "(no strace: the workers themselves not checked)"
fi
[ $fail = 0 ] && echo "$n comparisons identical"
exit $fail
