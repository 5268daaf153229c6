# lab/check.sh: compare rstscope's verdict on a scenario's client capture
# with what the scenario reproduced. Sourced by lab.sh.
#
# A scenario declares:
#   EXPECT_TOP   the cause id expected first in the summary's "causes"
#                ("none" when no RST is expected at all)
#   EXPECT_EXIT  analyze's exit status (1: resets found, 0: none)
#   EXPECT_RSTS  lines "JQ-PREDICATE|KIND|ROLE|FORGED|MIN[|MAX]": the RSTs
#                that match the predicate (at least MIN of them, default 1,
#                at most MAX, default any) must each have that kind,
#                sender_role and forged. A field may list alternatives
#                ("established,handshake") or be "*". Harmless resets
#                after a completed close (rule "closed") past MIN are not
#                counted against MAX (real stacks send them now and then).
#   EXPECT_CORR  lines "JQ-PREDICATE|SEEN_IN|ABSENT_IN|FORGED|MIN" for a
#                scenario that captures at the client and the server
#                (CAPTURE_SERVER=1): `analyze --json --correlate client.pcap
#                server.pcap` (run in OUT, so files are named so) must give
#                the RSTs matching the predicate (at least MIN) a
#                "correlation" with exactly those seen_in and absent_in
#                files (comma-separated, any order; "-": none) and that
#                forged verdict. Its output goes to OUT/analyze-corr.json.
#
# A scenario whose expectation depends on what it drew (or on how a race it
# set up came out) assigns these variables in its scenario function:
# lab_expect_save writes them to OUT/expect.sh, which the check sources
# after the declarations.
#   EXPECT_WATCH lines "JQ-PREDICATE|KERNEL_REASON|FORGED|CAUSE|OWNER|MIN",
#                for a scenario that runs rstscope watch (lab_watch): the
#                RSTs of watch.json that match the predicate (at least MIN)
#                must each carry that kernel_reason, forged verdict, cause
#                and owning process. KERNEL_REASON "not-sent": no kernel
#                event, and watch says the RST was not sent by this host.
#                OWNER: "*", "none" (no pid) or the NAME of a process the
#                scenario started (its pid is in OUT/NAME.pid). MIN "all":
#                as many as analyze found in the client's capture.
#   EXPECT_HOST  lines "ROLE|FINDING-ID|JQ-PREDICATE|MIN", for a scenario
#                that runs rstscope host (lab_host ROLE): host.json must
#                have at least MIN (default 1) current findings ("new" or
#                "ongoing") with that id that match the predicate, which
#                may use $netns (the inode of the namespace host read),
#                $pid (NAME -> the pid in OUT/NAME.pid) and $param (NAME ->
#                its value in params.txt, a number where it is one); no "|"
#                in it (the field separator).
#   EXPECT_HOST_ONLY=1  and no other current finding: every current
#                finding in host.json matches one of the EXPECT_HOST lines
#                (an empty EXPECT_HOST: no current finding at all).

#   EXPECT_HOSTWATCH lines "JQ-PREDICATE|KERNEL_REASON|CAUSE|MIN", for a
#                scenario that runs rstscope watch on the host (lab_watch_host):
#                the verdicts ("rst" and "kernel_reset") of hostwatch.json
#                that match the predicate (at least MIN, default 1) must each
#                have that kernel_reason and cause (alternatives with ",", or
#                "*"). The predicate may use $netns (the server namespace's
#                inode), $cgroup (the server's cgroup as watch names it,
#                lab_hostwatch_cg; "" when none), $pid.NAME and $param.NAME
#                as in EXPECT_HOST. Besides: every kernel reset sent from the
#                server's address to a client port of client.pcap (but a
#                NO_SOCKET one: no socket, nothing names its place) carries
#                $netns and, when set, $cgroup; the kernel-only ones count in
#                the summary's resets and causes and, scraped before the
#                stop, in rstscope_resets_total with their kernel_reason and
#                in rstscope_kernel_resets_unmatched_total; watch stopped on
#                SIGINT and left no tracefs instance.

# lab_rstscope: the binary to check with.
lab_rstscope() {
	if [ -n "${RSTSCOPE:-}" ] && [ -x "$RSTSCOPE" ]; then echo "$RSTSCOPE"; return 0; fi
	if [ -x "$LAB_DIR/../build/rstscope" ]; then echo "$LAB_DIR/../build/rstscope"; return 0; fi
	command -v rstscope 2>/dev/null
}

# lab_expect_save: the expectations as the scenario left them, into
# OUT/expect.sh (global declarations the check sources).
lab_expect_save() {
	declare -p EXPECT_TOP EXPECT_EXIT EXPECT_RSTS EXPECT_WATCH EXPECT_CORR EXPECT_HOST EXPECT_HOST_ONLY \
		EXPECT_HOSTWATCH 2>/dev/null |
		sed 's/^declare /declare -g /' >"$OUT/expect.sh"
}

# lab_expect_tally OUT PREFIX PRED MATCHES MIN MAX BAD WANT [EXTRA]: the
# verdict lines of one expectation line: MATCHES (one JSON object a line)
# counted against MIN and MAX (empty: no maximum), BAD (the matches that
# do not fit WANT) listed. PREFIX names what is counted ("watch: rsts ");
# EXTRA follows WANT when all fit. Returns 1 when the expectation failed.
lab_expect_tally() {
	local out=$1 prefix=$2 pred=$3 n=$4 min=$5 max=$6 bad=$7 want=$8 extra=${9:-} rc=0
	n=$(printf '%s' "$n" | grep -c .)
	if [ "$n" -lt "$min" ]; then
		rc=1
		echo "${prefix}where $pred: $n, expected at least $min" >>"$out/verdict.txt"
	fi
	if [ -n "$max" ] && [ "$n" -gt "$max" ]; then
		rc=1
		echo "${prefix}where $pred: $n, expected at most $max" >>"$out/verdict.txt"
	fi
	if [ -n "$bad" ]; then
		rc=1
		echo "${prefix}where $pred, expected $want, got:" >>"$out/verdict.txt"
		echo "$bad" | sed 's/^/    /' >>"$out/verdict.txt"
	else
		echo "${prefix}where $pred: $n, all $want$extra" >>"$out/verdict.txt"
	fi
	return $rc
}

# lab_expect_eval OUT PREFIX FILE PRED SEL FITS SHOW MIN MAX WANT EXTRA
# [JQ-ARGS...]: one expectation line against FILE (JSON lines): the objects
# SEL selects are the matches; those for which the jq condition FITS is
# false (jq's fits($value; "a,b" or "*") is defined for it; JQ-ARGS bind
# its variables) are listed as SHOW; then lab_expect_tally. Returns 1 when
# the expectation failed or could not be evaluated.
lab_expect_eval() {
	local out=$1 prefix=$2 file=$3 pred=$4 sel=$5 fitsx=$6 show=$7 min=$8 max=$9 want=${10}
	local extra=${11} n bad
	shift 11
	if ! n=$(jq -c "$@" "$sel" "$file" 2>>"$out/verdict.txt") ||
	   ! bad=$(jq -c "$@" "def fits(\$v; \$want): \$want == \"*\" or any(\$want | split(\",\") | .[]; . == \$v);
		$sel | select(($fitsx) | not) | $show" "$file" 2>>"$out/verdict.txt"); then
		echo "${prefix}where $pred: cannot evaluate the expectation (jq error above)" >>"$out/verdict.txt"
		return 1
	fi
	lab_expect_tally "$out" "$prefix" "$pred" "$n" "$min" "$max" "$bad" "$want" "$extra"
}

# lab_counted: "a x2, b x1" of the lines read (each distinct line, its count).
lab_counted() {
	sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}'
}

# lab_pid_map OUT: {"name": pid} of OUT/NAME.pid files, as JSON.
lab_pid_map() {
	local f n
	for f in "$1"/*.pid; do
		[ -f "$f" ] || continue
		n=$(cat "$f")
		case $n in ''|*[!0-9]*) continue ;; esac
		printf '%s\t%s\n' "$(basename "$f" .pid)" "$n"
	done | jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {(.[0]): (.[1] | tonumber)}) | add // {}'
}

# lab_param_map OUT: the scenario's parameters (OUT/params.txt), as JSON.
lab_param_map() {
	grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$1/params.txt" 2>/dev/null |
		jq -R -s 'split("\n") | map(select(length > 0) | capture("^(?<k>[^=]+)=(?<v>.*)$") | {(.k): (.v as $v | ($v | tonumber? // $v))}) | add // {}'
}

# lab_check NAME OUT RUNTIME: prints one verdict block, writes
# OUT/outcome.tsv (ok or FAIL, expected, got); returns 0 or 5.
lab_check() {
	local name=$1 out=$2 runtime=$3 bin rc top ok=1 line pred kind role forged min
	local got_exit saw max
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
		printf 'FAIL\t%s\terror\n' "$EXPECT_TOP" >"$out/outcome.tsv"
		return 5
	fi
	top=$(jq -r 'select(.type == "summary") | (.causes[0].id // "none")' "$out/analyze.json" | head -n 1)
	[ -n "$top" ] || top=none
	{
		echo "expected top cause: $EXPECT_TOP (analyze exit $EXPECT_EXIT)"
		echo "analyze top cause:  $top (exit $got_exit)"
	} >"$out/verdict.txt"
	# Real stacks now and then answer a late segment after a completed close
	# with a harmless RST (Linux: a duplicate ACK of the FIN meets the peer's
	# TIME_WAIT, whose ACK reaches a socket already gone). Where the scenario
	# expects no cause, such resets -- rule "closed", and nothing else -- are
	# set aside, counted, and the verdict taken as none.
	local harmless other
	if [ "$EXPECT_TOP" = none ] && [ "$top" != none ]; then
		read -r harmless other < <(jq -rs '[.[] | select(.type == "rst") | .cause_rule == "closed"] |
			"\(map(select(.)) | length) \(map(select(not)) | length)"' "$out/analyze.json")
		if [ "${harmless:-0}" -gt 0 ] && [ "${other:-1}" = 0 ] && [ "$got_exit" = 1 ]; then
			echo "set aside: $harmless harmless reset(s) after a completed close (rule closed; top $top, exit 1)" >>"$out/verdict.txt"
			top=none got_exit=0
		fi
	fi
	[ "$top" = "$EXPECT_TOP" ] || ok=0
	[ "$got_exit" = "$EXPECT_EXIT" ] || { ok=0; echo "analyze exit $got_exit, expected $EXPECT_EXIT" >>"$out/verdict.txt"; }
	# The same harmless resets may come on top of a MAX: those matching a
	# line beyond its MIN are not counted against its MAX.
	local n_match n_closed spare
	for line in "${EXPECT_RSTS[@]}"; do
		IFS='|' read -r pred kind role forged min max <<<"$line"
		if [ -n "$max" ] &&
		   read -r n_match n_closed < <(jq -rs "[.[] | select(.type == \"rst\") | select($pred)] |
			\"\(length) \(map(select(.cause_rule == \"closed\")) | length)\"" "$out/analyze.json" 2>/dev/null); then
			# the smallest of: the excess over MAX, the harmless ones, the
			# matches beyond MIN
			spare=$((n_match - max))
			[ "$spare" -gt "$n_closed" ] && spare=$n_closed
			[ "$spare" -gt $((n_match - ${min:-1})) ] && spare=$((n_match - ${min:-1}))
			if [ "$spare" -gt 0 ]; then
				echo "rsts where $pred: $spare harmless reset(s) after a completed close (rule closed) not counted against its MAX $max" >>"$out/verdict.txt"
				max=$((max + spare))
			fi
		fi
		lab_expect_eval "$out" "rsts " "$out/analyze.json" "$pred" "select(.type == \"rst\") | select($pred)" \
			'fits(.kind; $k) and fits(.sender_role; $r) and fits(.forged; $f)' \
			'{frame, src, sport, dst, dport, ttl, kind, sender_role, forged, shape, cause}' \
			"${min:-1}" "$max" "kind=$kind sender_role=$role forged=$forged" "" \
			--arg k "$kind" --arg r "$role" --arg f "$forged" || ok=0
	done
	saw=$(jq -r 'select(.type == "rst") | "\(.kind)/\(.sender_role)/\(.forged)/\(.cause)"' \
		"$out/analyze.json" | lab_counted)
	echo "rsts (kind/role/forged/cause): ${saw:-none}" >>"$out/verdict.txt"
	[ ${#EXPECT_WATCH[@]} -gt 0 ] && { lab_check_watch "$out" || ok=0; }
	[ ${#EXPECT_CORR[@]} -gt 0 ] && { lab_check_corr "$bin" "$out" || ok=0; }
	if [ ${#EXPECT_HOST[@]} -gt 0 ] || [ -n "${EXPECT_HOST_ONLY:-}" ]; then
		lab_check_host "$out" || ok=0
	fi
	[ ${#EXPECT_HOSTWATCH[@]} -gt 0 ] && { lab_check_hostwatch "$out" || ok=0; }
	lab_check_probe "$out" || ok=0
	if [ $ok = 1 ]; then
		printf '%-18s expected %-16s got %-16s ok   %3ds\n' "$name" "$EXPECT_TOP" "$top" "$runtime"
		sed 's/^/    /' "$out/verdict.txt" | tail -n +3 >&2
		printf 'ok\t%s\t%s\n' "$EXPECT_TOP" "$top" >"$out/outcome.tsv"
		return 0
	fi
	printf '%-18s expected %-16s got %-16s FAIL %3ds\n' "$name" "$EXPECT_TOP" "$top" "$runtime"
	# the kernel's own account of the resets this host sent, for the record
	grep -o 'tcp_send_reset: .*' "$out/kernel-resets.txt" 2>/dev/null | sed 's/skbaddr=[^ ]* skaddr=[^ ]* //' |
		head -n 8 | sed 's/^/kernel: /' >>"$out/verdict.txt"
	sed 's/^/    /' "$out/verdict.txt"
	printf 'FAIL\t%s\t%s\n' "$EXPECT_TOP" "$top" >"$out/outcome.tsv"
	return 5
}

# lab_check_watch OUT: EXPECT_WATCH against OUT/watch.json; lines "watch: ..."
# into OUT/verdict.txt. Returns 0 or 1.
lab_check_watch() {
	local out=$1 ok=0 line pred reason forged cause owner min saw pid
	local sel_rst='select(.type == "rst")'
	if [ -f "$out/watch-skip.txt" ]; then
		echo "watch: not run ($(cat "$out/watch-skip.txt")); its expectations not checked" >>"$out/verdict.txt"
		return 0
	fi
	if [ ! -s "$out/watch.json" ] || ! jq -e . "$out/watch.json" >/dev/null 2>&1; then
		echo "watch: no usable output in watch.json (see watch.log)" >>"$out/verdict.txt"
		return 1
	fi
	if [ -f "$out/watch-problems.txt" ]; then
		sed 's/^/watch: /' "$out/watch-problems.txt" >>"$out/verdict.txt"
		ok=1
	fi
	for line in "${EXPECT_WATCH[@]}"; do
		IFS='|' read -r pred reason forged cause owner min <<<"$line"
		min=${min:-1}
		if [ "$min" = all ]; then
			# every RST of the client's capture that matches, seen by watch
			min=$(jq -c "$sel_rst | select($pred)" "$out/analyze.json" 2>/dev/null | grep -c .)
			[ "$min" -gt 0 ] || min=1
		fi
		case ${owner:-*} in
		'*') pid='"*"' ;;
		none) pid=null ;;
		*) pid=$(cat "$out/$owner.pid" 2>/dev/null)
		   case $pid in ''|*[!0-9]*) pid=0
			echo "watch: no pid recorded for '$owner' ($out/$owner.pid)" >>"$out/verdict.txt"; ok=1 ;; esac ;;
		esac
		lab_expect_eval "$out" "watch: rsts " "$out/watch.json" "$pred" "select(.type == \"rst\") | select($pred)" \
			'(if $k == "not-sent" then
				(.kernel_reason == null and ((.forged_evidence // "") | test("not sent by this host")))
			  else fits(.kernel_reason; $k) end) and fits(.forged; $f) and fits(.cause; $c) and
			 ($p == "*" or .pid == $p)' \
			'{frame, src, sport, dst, dport, kind, forged, cause, kernel_reason, pid, comm, forged_evidence}' \
			"$min" "" "kernel_reason=$reason forged=$forged cause=$cause owner=$owner" \
			"$(case $owner in ''|'*'|none) ;; *) echo " (pid $pid)" ;; esac)" \
			--arg k "$reason" --arg f "$forged" --arg c "$cause" --argjson p "$pid" || ok=1
	done
	saw=$(jq -r 'select(.type == "rst") | "\(.kernel_reason // (if ((.forged_evidence // "") |
		test("not sent by this host")) then "not-sent" else "none" end))/\(.forged)/\(.cause)/\(.comm // "-")"' \
		"$out/watch.json" | lab_counted)
	echo "watch: rsts (kernel_reason/forged/cause/comm): ${saw:-none}" >>"$out/verdict.txt"
	return $ok
}

# lab_check_hostwatch OUT: EXPECT_HOSTWATCH against OUT/hostwatch.json (and
# hostwatch-metrics.txt); lines "hostwatch: ..." into OUT/verdict.txt.
# Returns 0 or 1.
lab_check_hostwatch() {
	local out=$1 ok=0 line pred reason cause min netns cg pids params ports sel n bad f
	local v="(.type == \"rst\" or .type == \"kernel_reset\")" scraped kr want got saw
	if [ -f "$out/hostwatch-skip.txt" ]; then
		echo "hostwatch: not run ($(cat "$out/hostwatch-skip.txt")); its expectations not checked" >>"$out/verdict.txt"
		return 0
	fi
	if [ ! -s "$out/hostwatch.json" ] || ! jq -e . "$out/hostwatch.json" >/dev/null 2>&1; then
		echo "hostwatch: no usable output in hostwatch.json (see hostwatch.log)" >>"$out/verdict.txt"
		return 1
	fi
	[ -f "$out/hostwatch-problems.txt" ] && { sed 's/^/hostwatch: /' "$out/hostwatch-problems.txt" >>"$out/verdict.txt"; ok=1; }
	jq -e 'select(.type == "summary")' "$out/hostwatch.json" >/dev/null 2>&1 ||
		{ echo "hostwatch: no summary (watch did not end cleanly)" >>"$out/verdict.txt"; ok=1; }
	netns=$(cat "$out/hostwatch-netns.txt" 2>/dev/null)
	case $netns in ''|*[!0-9]*) netns=0 ;; esac
	cg=$(cat "$out/hostwatch-cgroup.txt" 2>/dev/null)
	pids=$(lab_pid_map "$out")
	params=$(lab_param_map "$out")
	local JA=(--argjson netns "$netns" --arg cgroup "$cg" --argjson pid "$pids" --argjson param "$params")
	local J=(jq -c "${JA[@]}")
	for line in "${EXPECT_HOSTWATCH[@]}"; do
		IFS='|' read -r pred reason cause min <<<"$line"
		lab_expect_eval "$out" "hostwatch: resets " "$out/hostwatch.json" "$pred" "select($v) | select($pred)" \
			'fits(.kernel_reason; $k) and fits(.cause; $c)' \
			'{type, src, sport, dst, dport, kernel_reason, cause, pid, comm, netns, cgroup, oom_kill}' \
			"${min:-1}" "" "kernel_reason=$reason cause=$cause" "" \
			"${JA[@]}" --arg k "$reason" --arg c "$cause" || ok=1
	done
	# the server's kernel resets: sent from its address to a port the client
	# used (other runs' namespaces have the same addresses)
	ports=$(tcpdump -nn -r "$out/client.pcap" "src host $LAB_CLIENT_IP and tcp[tcpflags] & tcp-syn != 0" 2>/dev/null |
		sed -n "s/.* $LAB_CLIENT_IP\.\([0-9]*\) > .*/\1/p" | sort -un | jq -R -s 'split("\n") | map(select(length > 0) | tonumber)')
	sel="select($v and .kernel_reason != null and .kernel_match == \"sent\" and .src == \"$LAB_SERVER_IP\" and
		(.dport as \$p | \$ports | index([\$p]) != null))"
	n=$("${J[@]}" --argjson ports "$ports" "$sel" "$out/hostwatch.json" | grep -c .)
	# NO_SOCKET: no socket, so no process or cgroup; the namespace is the
	# one holding the address
	bad=$("${J[@]}" --argjson ports "$ports" "$sel |
		select(.netns != \$netns or (.kernel_reason != \"NO_SOCKET\" and \$cgroup != \"\" and .cgroup != \$cgroup)) |
		{type, sport, dport, kernel_reason, cause, pid, comm, netns, cgroup, owner_gone}" "$out/hostwatch.json")
	if [ "$n" -lt 1 ]; then
		ok=1
		echo "hostwatch: no kernel reset of the server ($LAB_SERVER_IP to client ports $(jq -c . <<<"$ports"))" >>"$out/verdict.txt"
	elif [ -n "$bad" ]; then
		ok=1
		echo "hostwatch: server resets without netns $netns${cg:+ and cgroup $cg}:" >>"$out/verdict.txt"
		echo "$bad" | sed 's/^/    /' >>"$out/verdict.txt"
	else
		echo "hostwatch: $n kernel resets of the server, each with netns $netns${cg:+ and (but NO_SOCKET) cgroup $cg}" >>"$out/verdict.txt"
	fi
	# kernel-only resets in the diagnosis: the summary's resets and causes
	if ! bad=$(jq -s -c '(map(select(.type == "kernel_reset")) | group_by(.cause) |
		map({cause: .[0].cause, n: length})) as $k | (map(select(.type == "summary")) | last) as $s |
		{kernel_only: ($k | map(.n) | add // 0), resets: ($s.resets // -1),
		 short: [ $k[] | .cause as $c | select(.n > ([$s.causes[]? | select(.id == $c) | .count] | add // 0)) |
			"\(.cause): \(.n) kernel-only, \([$s.causes[]? | select(.id == $c) | .count] | add // 0) in the summary" ]}' \
		"$out/hostwatch.json" 2>>"$out/verdict.txt"); then
		ok=1
		echo "hostwatch: cannot read the summary (jq error above)" >>"$out/verdict.txt"
	elif ! jq -e '.resets >= .kernel_only and (.short | length) == 0' <<<"$bad" >/dev/null; then
		ok=1
		echo "hostwatch: the summary does not count the kernel-only resets: $bad" >>"$out/verdict.txt"
	else
		echo "hostwatch: summary: $(jq -r '"\(.resets) resets, \(.kernel_only) kernel-only, each cause counted"' <<<"$bad")" >>"$out/verdict.txt"
	fi
	# ... and in the metrics scraped before the stop (the verdicts out by then)
	scraped=$(cat "$out/hostwatch-scraped.txt" 2>/dev/null)
	case $scraped in ''|*[!0-9]*) scraped=0 ;; esac
	if [ ! -s "$out/hostwatch-metrics.txt" ]; then
		ok=1
		echo "hostwatch: no metrics scraped" >>"$out/verdict.txt"
	else
		saw=
		while read -r want kr; do
			got=$(awk -v k="kernel_reason=\"$kr\"" '/^rstscope_resets_total\{/ && index($0, k) { s += $NF } END { print s + 0 }' \
				"$out/hostwatch-metrics.txt")
			[ "$got" -ge "$want" ] || { ok=1; echo "hostwatch: metrics: $got resets with kernel_reason=\"$kr\", expected at least $want (kernel-only)" >>"$out/verdict.txt"; }
			saw="$saw${saw:+, }$kr $want/$got"
		done < <(head -n "$scraped" "$out/hostwatch.json" | jq -r 'select(.type == "kernel_reset") | .kernel_reason' | sort | uniq -c)
		want=$(head -n "$scraped" "$out/hostwatch.json" | jq -c 'select(.type == "kernel_reset")' | grep -c .)
		got=$(awk '/^rstscope_kernel_resets_unmatched_total / { print $2 }' "$out/hostwatch-metrics.txt")
		[ "${got:-0}" -ge "$want" ] || { ok=1; echo "hostwatch: metrics: rstscope_kernel_resets_unmatched_total ${got:-none}, expected at least $want" >>"$out/verdict.txt"; }
		echo "hostwatch: metrics: kernel-only/counted by kernel_reason: ${saw:-none}; unmatched_total ${got:-none} (>= $want)" >>"$out/verdict.txt"
	fi
	saw=$(jq -r "select($v) | \"\(.type)/\(.kernel_reason // \"none\")/\(.cause)/\(.netns // \"-\")/\(.cgroup // \"-\")\"" \
		"$out/hostwatch.json" | lab_counted)
	echo "hostwatch: resets (type/kernel_reason/cause/netns/cgroup): ${saw:-none}" >>"$out/verdict.txt"
	return $ok
}

# lab_check_corr BIN OUT: EXPECT_CORR against `analyze --json --correlate
# client.pcap server.pcap` (run in OUT); lines "correlate: ..." into
# OUT/verdict.txt. Returns 0 or 1.
lab_check_corr() {
	local bin=$1 out=$2 ok=0 line pred seen absent forged min sel n bad rc saw
	if [ ! -f "$out/server.pcap" ]; then
		echo "correlate: no server.pcap (the scenario must set CAPTURE_SERVER=1)" >>"$out/verdict.txt"
		return 1
	fi
	( cd "$out" && "$bin" analyze --json --correlate client.pcap server.pcap ) \
		>"$out/analyze-corr.json" 2>"$out/analyze-corr.err"
	rc=$?
	if [ $rc -gt 1 ] || ! jq -e . "$out/analyze-corr.json" >/dev/null 2>&1; then
		echo "correlate: analyze --correlate failed (exit $rc): $(head -c 300 "$out/analyze-corr.err" | tr '\n' ' ')" \
			>>"$out/verdict.txt"
		return 1
	fi
	for line in "${EXPECT_CORR[@]}"; do
		IFS='|' read -r pred seen absent forged min <<<"$line"
		min=${min:-1}
		lab_expect_eval "$out" "correlate: rsts " "$out/analyze-corr.json" "$pred" \
			"select(.type == \"rst\") | select($pred)" \
			'def set($w): if $w == "-" then [] else ($w | split(",") | sort) end;
			 (.correlation.seen_in // null | if . == null then null else sort end) == set($s) and
			 (.correlation.absent_in // null | if . == null then null else sort end) == set($a) and
			 fits(.forged; $f)' \
			'{file, frame, src, sport, dst, dport, ttl, kind, forged, cause, correlation}' \
			"${min:-1}" "" "seen_in=$seen absent_in=$absent forged=$forged" "" \
			--arg s "$seen" --arg a "$absent" --arg f "$forged" || ok=1
	done
	saw=$(jq -r 'select(.type == "rst") | "\(.file)#\(.frame)/\(.forged)/seen:\(.correlation.seen_in // [] | join("+"))/absent:\(.correlation.absent_in // [] | join("+"))"' \
		"$out/analyze-corr.json" | awk '{printf "%s%s", sep, $0; sep=", "}')
	echo "correlate: rsts (file#frame/forged/seen/absent): ${saw:-none}" >>"$out/verdict.txt"
	return $ok
}

# lab_check_host OUT: EXPECT_HOST and EXPECT_HOST_ONLY against OUT/host.json;
# lines "host: ..." into OUT/verdict.txt. Returns 0 or 1.
lab_check_host() {
	local out=$1 ok=0 line role id pred min ran netns pids params n sel any='false' f others saw
	local cur='select(.type == "finding" and (.state == "new" or .state == "ongoing"))'
	if [ ! -s "$out/host.json" ] || ! jq -e . "$out/host.json" >/dev/null 2>&1; then
		echo "host: no usable output in host.json (see host.log)" >>"$out/verdict.txt"
		return 1
	fi
	if ! jq -e 'select(.type == "summary")' "$out/host.json" >/dev/null 2>&1; then
		echo "host: no summary line (rstscope host did not end cleanly)" >>"$out/verdict.txt"
		ok=1
	fi
	[ -f "$out/host-problems.txt" ] && { sed 's/^/host: /' "$out/host-problems.txt" >>"$out/verdict.txt"; ok=1; }
	ran=$(cat "$out/host-role.txt" 2>/dev/null)
	netns=$(cat "$out/host-netns.txt" 2>/dev/null)
	case $netns in ''|*[!0-9]*) netns=0 ;; esac
	pids=$(lab_pid_map "$out")
	params=$(lab_param_map "$out")
	for line in "${EXPECT_HOST[@]}"; do
		IFS='|' read -r role id pred min <<<"$line"
		min=${min:-1}
		if [ "$role" != "$ran" ]; then
			echo "host: expected rstscope host in '$role', it ran in '${ran:-nowhere}'" >>"$out/verdict.txt"
			ok=1
		fi
		sel="$cur | select(.id == \"$id\") | select($pred)"
		any="$any or (.id == \"$id\" and ($pred))"
		if ! n=$(jq -c --argjson netns "$netns" --argjson pid "$pids" --argjson param "$params" "$sel" \
			"$out/host.json" 2>>"$out/verdict.txt"); then
			echo "host: cannot evaluate the expectation '$line' (jq error above)" >>"$out/verdict.txt"
			ok=1
			continue
		fi
		f=$(printf '%s\n' "$n" | head -n 1 | jq -c '{state, rate_per_s, count, trigger, evidence:
			(.evidence | map_values(if .delta == null then .value else "\(.value) (+\(.delta))" end)),
			pid, comm, cgroup, cgroup_version, listener, detail} | with_entries(select(.value != null))' 2>/dev/null)
		n=$(printf '%s' "$n" | grep -c .)
		if [ "$n" -lt "$min" ]; then
			echo "host: $id where $pred: $n current, expected at least $min" >>"$out/verdict.txt"
			ok=1
		else
			echo "host: $id where $pred: $n current; first: $f" >>"$out/verdict.txt"
		fi
	done
	if [ -n "${EXPECT_HOST_ONLY:-}" ]; then
		if ! others=$(jq -c --argjson netns "$netns" --argjson pid "$pids" --argjson param "$params" \
			"$cur | select(($any) | not) | {id, state, rate_per_s, count, trigger, netns, pid, comm, listener, cgroup}" \
			"$out/host.json" 2>>"$out/verdict.txt"); then
			echo "host: cannot evaluate 'no other finding' (jq error above)" >>"$out/verdict.txt"
			ok=1
		elif [ -n "$others" ]; then
			echo "host: other current findings, expected none:" >>"$out/verdict.txt"
			printf '%s\n' "$others" | head -n 20 | sed 's/^/    /' >>"$out/verdict.txt"
			ok=1
		else
			echo "host: no other current finding" >>"$out/verdict.txt"
		fi
	fi
	saw=$(jq -r 'select(.type == "finding") | "\(.id)/\(.state)"' "$out/host.json" | lab_counted)
	echo "host: findings (id/state): ${saw:-none} (in '$ran', exit $(cat "$out/host-exit.txt" 2>/dev/null))" >>"$out/verdict.txt"
	return $ok
}

# lab_check_probe OUT: for a scenario that ran rstscope probe (lab/probe-lib.sh)
# and recorded EXPECT_PROBE=TIMEOUT|DEATH|SENDER in params.txt (TIMEOUT "-":
# none expected): probe's final line in OUT/probe.json must give that death
# and sender, its idle_timeout_s within 10 % of TIMEOUT, and exit 0; lines
# "probe: ..." into OUT/verdict.txt. Returns 0 (also for a scenario without
# EXPECT_PROBE) or 1.
lab_check_probe() {
	local out=$1 want t death sender line rc ok=0
	want=$(sed -n 's/^EXPECT_PROBE=//p' "$out/params.txt" 2>/dev/null | tail -n 1)
	[ -n "$want" ] || return 0
	IFS='|' read -r t death sender <<<"$want"
	rc=$(cat "$out/probe-exit.txt" 2>/dev/null)
	line=$(jq -c 'select(.type == "probe")' "$out/probe.json" 2>/dev/null | tail -n 1)
	if [ -z "$line" ]; then
		echo "probe: no result line (exit ${rc:-?}; see probe.log)" >>"$out/verdict.txt"
		return 1
	fi
	[ "$rc" = 0 ] || { echo "probe: exit $rc, expected 0" >>"$out/verdict.txt"; ok=1; }
	if ! jq -e --arg t "$t" --arg d "$death" --arg s "$sender" '.death == $d and .sender == $s and
		(if $t == "-" then .idle_timeout_s == null else
		 (.idle_timeout_s != null and (.idle_timeout_s - ($t | tonumber) | fabs) <= 0.1 * ($t | tonumber)) end)' \
		<<<"$line" >/dev/null 2>>"$out/verdict.txt"; then
		ok=1
	fi
	printf 'probe: expected timeout %s death %s sender %s; got %s\n' "$t" "$death" "$sender" \
		"$(jq -r '"timeout \(.idle_timeout_s) (survived \(.survived_s), died \(.died_s)) death \(.death) sender \(.sender), \(.trials) trials in \(.rounds) rounds, \(.wall_s) s: \(if .converged then "" else "not narrowed; " end)\(.evidence)"' <<<"$line")" \
		>>"$out/verdict.txt"
	[ $ok = 0 ] || echo "probe: FAIL" >>"$out/verdict.txt"
	return $ok
}
