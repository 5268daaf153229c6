# tests/lib/samethreads.sh: two runs of analyze that must agree. Sourced;
# uses $tmp (a scratch directory) and $threads, counts in $n and sets
# fail=1 on a difference.

# agree LABEL EXIT1 OUT1 ERR1 EXIT2 OUT2 ERR2: the two runs' exit codes,
# stdout and stderr files byte for byte; says how they differ.
agree() {
	n=$((n + 1))
	if [ "$2" != "$5" ] || ! cmp -s "$3" "$6" || ! cmp -s "$4" "$7"; then
		echo "FAIL: $1 (exits $2 and $5) differ"
		diff "$3" "$6" | head -n 6
		diff "$4" "$7" | head -n 6
		fail=1
	fi
}

# same LABEL ARGS...: --threads 1 and --threads $threads, in both read
# modes (mapped and read).
same() {
	local label=$1 mode a b; shift
	for mode in map read; do
		RSTSCOPE_PCAP_READ=$mode "$RSTSCOPE" analyze --threads 1 "$@" >"$tmp/1" 2>"$tmp/1e"; a=$?
		RSTSCOPE_PCAP_READ=$mode "$RSTSCOPE" analyze --threads "$threads" "$@" >"$tmp/n" 2>"$tmp/ne"; b=$?
		agree "$label ($mode): --threads 1 and --threads $threads" $a "$tmp/1" "$tmp/1e" $b "$tmp/n" "$tmp/ne"
	done
}
