# lab/check.sh: compare rstscope's verdict on a scenario's client capture
# with what the scenario reproduced. Sourced by lab.sh.
#
# A scenario declares:
#   EXPECT_TOP   the cause id expected first in the summary's "causes"
#                ("none" when no RST is expected at all)
#   EXPECT_EXIT  analyze's exit status (1: resets found, 0: none)
#   EXPECT_RSTS  lines "JQ-PREDICATE|KIND|ROLE|FORGED|MIN": the RSTs that
#                match the predicate (at least MIN of them, default 1) must
#                each have that kind, sender_role and forged. A field may
#                list alternatives ("established,handshake") or be "*".

# lab_rstscope: the binary to check with.
lab_rstscope() {
	if [ -n "${RSTSCOPE:-}" ] && [ -x "$RSTSCOPE" ]; then echo "$RSTSCOPE"; return 0; fi
	if [ -x "$LAB_DIR/../build/rstscope" ]; then echo "$LAB_DIR/../build/rstscope"; return 0; fi
	command -v rstscope 2>/dev/null
}

# lab_check NAME OUT RUNTIME: prints one verdict block; returns 0 or 5.
lab_check() {
	local name=$1 out=$2 runtime=$3 bin rc top ok=1 line pred kind role forged min
	local sel n bad got_exit saw
	bin=$(lab_rstscope) || true
	if [ -z "$bin" ]; then
		echo "lab: no rstscope binary for the verdict check (set RSTSCOPE)" >&2
		return 4
	fi
	"$bin" analyze --json "$out/client.pcap" >"$out/analyze.json" 2>"$out/analyze.err"
	got_exit=$?
	if [ $got_exit -gt 1 ] || ! jq -e . "$out/analyze.json" >/dev/null 2>&1 && [ -s "$out/analyze.json" ]; then
		echo "lab: $name: analyze failed (exit $got_exit): $(head -c 300 "$out/analyze.err")" >&2
		printf '%-18s expected %-16s got %-16s FAIL (analyze exit %d) %3ds\n' \
			"$name" "$EXPECT_TOP" "error" "$got_exit" "$runtime"
		return 5
	fi
	top=$(jq -r 'select(.type == "summary") | (.causes[0].id // "none")' "$out/analyze.json" | head -n 1)
	[ -n "$top" ] || top=none
	{
		echo "expected top cause: $EXPECT_TOP (analyze exit $EXPECT_EXIT)"
		echo "analyze top cause:  $top (exit $got_exit)"
	} >"$out/verdict.txt"
	[ "$top" = "$EXPECT_TOP" ] || ok=0
	[ "$got_exit" = "$EXPECT_EXIT" ] || { ok=0; echo "analyze exit $got_exit, expected $EXPECT_EXIT" >>"$out/verdict.txt"; }
	for line in "${EXPECT_RSTS[@]}"; do
		IFS='|' read -r pred kind role forged min <<<"$line"
		min=${min:-1}
		sel="select(.type == \"rst\") | select($pred)"
		if ! n=$(jq -c "$sel" "$out/analyze.json" 2>>"$out/verdict.txt") ||
		   ! bad=$(jq -c --arg k "$kind" --arg r "$role" --arg f "$forged" "$sel |
			def fits(\$v; \$want): \$want == \"*\" or any(\$want | split(\",\") | .[]; . == \$v);
			select((fits(.kind; \$k) and fits(.sender_role; \$r) and fits(.forged; \$f)) | not) |
			{frame, src, sport, dst, dport, ttl, kind, sender_role, forged, shape, cause}" \
			"$out/analyze.json" 2>>"$out/verdict.txt"); then
			ok=0
			echo "cannot evaluate the expectation '$line' (jq error above)" >>"$out/verdict.txt"
			continue
		fi
		n=$(printf '%s' "$n" | grep -c .)
		if [ "$n" -lt "$min" ]; then
			ok=0
			echo "rsts where $pred: $n, expected at least $min" >>"$out/verdict.txt"
		fi
		if [ -n "$bad" ]; then
			ok=0
			echo "rsts where $pred, expected kind=$kind sender_role=$role forged=$forged, got:" >>"$out/verdict.txt"
			echo "$bad" | sed 's/^/    /' >>"$out/verdict.txt"
		else
			echo "rsts where $pred: $n, all kind=$kind sender_role=$role forged=$forged" >>"$out/verdict.txt"
		fi
	done
	saw=$(jq -r 'select(.type == "rst") | "\(.kind)/\(.sender_role)/\(.forged)/\(.cause)"' \
		"$out/analyze.json" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')
	echo "rsts (kind/role/forged/cause): ${saw:-none}" >>"$out/verdict.txt"
	if [ $ok = 1 ]; then
		printf '%-18s expected %-16s got %-16s ok   %3ds\n' "$name" "$EXPECT_TOP" "$top" "$runtime"
		sed 's/^/    /' "$out/verdict.txt" | tail -n +3 >&2
		return 0
	fi
	printf '%-18s expected %-16s got %-16s FAIL %3ds\n' "$name" "$EXPECT_TOP" "$top" "$runtime"
	sed 's/^/    /' "$out/verdict.txt"
	return 5
}
