# host-orphans: the server writes more than the clients read (they never
# read, with a small receive buffer) and closes: each socket lives on as an
# orphan with unsent data (FIN_WAIT1, zero-window probes). Orphans and
# net.ipv4.tcp_max_orphans are host-wide on Linux (the sysctl exists only
# in the initial namespace): the limit is lowered for the run (restored by
# teardown and `lab cleanup`) so that the orphans pass 20 % of it, below
# the limit itself (no "too many orphaned sockets" resets). `rstscope host`
# in the server's namespace must report orphans, and nothing else.
DESC="host: orphaned sockets with unsent data against a lowered tcp_max_orphans, rstscope host in the server"
CAUSE=overload
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() {
	local now n
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param CONNS "$(lab_pick 40 80)"
	lab_param MAX_ORPHANS "$(( CONNS * $(lab_pick 2 3) ))"
	EXPECT_HOST=("server|orphans|.evidence[\"sysctl.tcp_max_orphans\"].value == (\$param.MAX_ORPHANS) and .evidence[\"sockstat.TCP.orphan\"].value * 5 >= (\$param.MAX_ORPHANS)")
	now=$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "orphan") print $(i + 1) }' /proc/net/sockstat)
	if [ "${now:-0}" -ge $((MAX_ORPHANS / 4)) ]; then
		echo "this host has $now orphaned sockets already: a tcp_max_orphans of $MAX_ORPHANS would reset its connections" >"$OUT/skip.txt"
		return 3
	fi
	lab_spawn "$NS_S" server "$LAB_PY" -u "$LAB_DIR/servers/hostserver.py" orphan --port "$PORT" \
		--send 262144 --max-s 30
	lab_wait_port "$NS_S" 0 "$PORT"
	lab_host_sysctl net.ipv4.tcp_max_orphans "$MAX_ORPHANS"
	lab_host server
	lab_spawn "$NS_C" client timeout 25 "$LAB_PY" -u "$LAB_DIR/clients/hostload.py" conns \
		--to "10.99.2.2:$PORT" --count "$CONNS" --spacing 0.005 --rcvbuf 4096 --wait 2 --hold 15
	lab_host_wait orphans 5
	n=$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "orphan") print $(i + 1) }' /proc/net/sockstat)
	echo "sockstat orphan $n (tcp_max_orphans $MAX_ORPHANS)" >"$OUT/orphans.txt"
	[ "${n:-0}" -ge $((CONNS / 2)) ] || lab_die "too few orphans ($n for $CONNS connections)"
	return 0
}
