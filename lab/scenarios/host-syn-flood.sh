# host-syn-flood: SYNs from a raw socket in the client's namespace (their
# SYN-ACKs dropped there, so no handshake completes and no RST answers)
# against a listener with a small backlog and tcp_max_syn_backlog. With
# tcp_syncookies=1 (odd seeds) the full SYN queue answers with cookies
# (TcpExt.TCPReqQFullDoCookies, SyncookiesSent); with 0 (even seeds) it
# drops SYNs: TCPReqQFullDrop when the queue is over the backlog, or, when
# tcp_max_syn_backlog is the smaller, its last quarter kept for proven
# peers (ListenDrops alone). `rstscope host` in the server's namespace must
# report syn-queue-drop and nothing else (no accept-queue overflow).
DESC="host: SYN flood against a small SYN queue, cookies on or off, rstscope host in the server"
CAUSE=overload
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() {
	local base drops cookies qfull
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param BACKLOG "$(lab_pick 4 16)"
	lab_param SYNCOOKIES "$((LAB_SEED % 2))"
	# which limit the SYN queue meets first cycles with the seed (any four
	# consecutive seeds have each with cookies on and off): the listen()
	# backlog, or tcp_max_syn_backlog's last quarter (SYN_BACKLOG * 3/4
	# below the backlog; only without cookies does it drop)
	if [ $(( (LAB_SEED / 2) % 2 )) = 0 ]; then
		lab_param SYN_LIMIT tcp_max_syn_backlog
		lab_param SYN_BACKLOG "$(lab_pick 4 "$BACKLOG")"
	else
		lab_param SYN_LIMIT backlog
		lab_param SYN_BACKLOG "$(lab_pick $((BACKLOG * 2)) 64)"
	fi
	lab_param SYNS "$(( BACKLOG + SYN_BACKLOG + $(lab_pick 16 64) ))"
	base=$(lab_pick 20000 40000)
	EXPECT_HOST=("server|syn-queue-drop|.netns == \$netns")
	lab_nsx "$NS_S" sysctl -q -w net.ipv4.tcp_syncookies="$SYNCOOKIES" \
		net.ipv4.tcp_max_syn_backlog="$SYN_BACKLOG" || return 1
	lab_appserver "$NS_S" appserver --port "$PORT" --backlog "$BACKLOG" --no-accept
	lab_wait_port "$NS_S" 0 "$PORT"
	# the SYN-ACKs (cookies or not) stop at the client: no RST, the
	# requests stay in the server's SYN queue
	lab_nsx "$NS_C" iptables -A INPUT -p tcp -s 10.99.2.2 --sport "$PORT" \
		--dport "$base:$((base + SYNS - 1))" -j DROP || return 1
	lab_host server
	lab_run_fg "$NS_C" synflood.txt timeout 10 "$LAB_PY" -u "$LAB_DIR/clients/hostload.py" synflood \
		--to "10.99.2.2:$PORT" --src 10.99.1.2 --count "$SYNS" --sport-base "$base" --spacing 0.002
	sed 's/^/  client: /' "$OUT/synflood.txt" >&2
	lab_host_wait syn-queue-drop 4
	cookies=$(lab_ns_ctr "$NS_S" TcpExt.TCPReqQFullDoCookies)
	qfull=$(lab_ns_ctr "$NS_S" TcpExt.TCPReqQFullDrop)
	drops=$(lab_ns_ctr "$NS_S" TcpExt.ListenDrops)
	printf 'TcpExt.TCPReqQFullDoCookies %s\nTcpExt.TCPReqQFullDrop %s\nTcpExt.ListenDrops %s\nTcpExt.ListenOverflows %s\n' \
		"$cookies" "$qfull" "$drops" "$(lab_ns_ctr "$NS_S" TcpExt.ListenOverflows)" >"$OUT/server-nstat.txt"
	[ $((cookies + qfull + drops)) -gt 0 ] || lab_die "the SYN queue never overflowed (no cookies, no drops)"
	return 0
}
