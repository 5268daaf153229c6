# listen-overflow: a server with a tiny backlog that never accepts, SYN
# cookies off and tcp_abort_on_overflow=1; the handshakes' final pure ACKs
# are held back by a router rule, so a burst of connections is admitted
# while the accept queue still has room and completes (with the request)
# after it is full: the kernel answers those with RSTs (INVALID_SYN).
# rstscope watch runs in the server's namespace: each RST is joined to the
# listener's tcp_send_reset (printed with the listener's address, no peer).
DESC="accept queue overflow with tcp_abort_on_overflow=1 under a connection burst"
CAUSE=overload
EXPECT_TOP=overload
EXPECT_RSTS=('.src == "10.99.2.2"|established,handshake|server|genuine|1')
# watch samples the host's counters too: the listener's overflow named on
# its resets (the interval it happened in) and in the diagnosis
EXPECT_WATCH=('.src == "10.99.2.2"|INVALID_SYN|genuine|overload|appserver|all'
	'.src == "10.99.2.2" and .listen_overflow.drops > 0 and .cause_evidence[0:13] == "the listener "|INVALID_SYN|genuine|overload|appserver|all')

scenario() {
	lab_param PORT "$(lab_pick 8000 8999)"
	# a backlog of 1 admits one or two handshakes by timing alone: too few
	# to overflow reliably
	lab_param BACKLOG "$(lab_pick 2 4)"
	lab_param BURST "$(( BACKLOG + $(lab_pick 3 5) ))"
	lab_param HOLD "0.$(lab_pick 1 3)"
	lab_nsx "$NS_S" sysctl -q -w net.ipv4.tcp_syncookies=0 net.ipv4.tcp_abort_on_overflow=1 || return 1
	lab_appserver "$NS_S" appserver --port "$PORT" --backlog "$BACKLOG" --no-accept
	lab_wait_port "$NS_S" 0 "$PORT"
	# pure ACKs (no payload) towards the server never arrive: a handshake
	# completes only with the client's first data segment
	lab_nsx "$NS_R" iptables -A FORWARD -p tcp -d 10.99.2.2 --dport "$PORT" --tcp-flags ALL ACK \
		-m length --length 0:64 -j DROP || return 1
	lab_watch "$NS_S" eth0
	lab_run_fg "$NS_C" client.txt timeout 20 "$LAB_PY" -u "$LAB_DIR/clients/burst.py" --to "10.99.2.2:$PORT" \
		--first "$BACKLOG" --burst "$BURST" --hold "$HOLD"
	sed 's/^/  client: /' "$OUT/client.txt" >&2
	lab_nsx "$NS_S" nstat -az TcpExtListenOverflows TcpExtListenDrops >"$OUT/server-nstat.txt" 2>&1
	return 0
}
