# host-listen-overflow: a listener with a tiny backlog that never accepts;
# clients keep connecting. The accept queue fills (backlog + 1), the next
# handshakes' last ACKs and SYNs are dropped (TcpExt.ListenOverflows,
# ListenDrops; tcp_abort_on_overflow=0: no RST, the clients retransmit).
# `rstscope host` in the server's namespace must report listen-overflow on
# that listener, owned by the server's process, and nothing else.
DESC="host: accept queue overflow (tiny backlog, no accept), rstscope host in the server"
CAUSE=overload
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() {
	local n
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param BACKLOG "$(lab_pick 1 8)"
	lab_param CLIENTS "$(( BACKLOG + 1 + $(lab_pick 2 8) ))"
	EXPECT_HOST=("server|listen-overflow|.netns == \$netns and .listener == \"0.0.0.0:$PORT\" and .pid == \$pid.appserver and .comm == \"python3\"")
	lab_nsx "$NS_S" sysctl -q -w net.ipv4.tcp_abort_on_overflow=0 || return 1
	lab_appserver "$NS_S" appserver --port "$PORT" --backlog "$BACKLOG" --no-accept
	lab_wait_port "$NS_S" 0 "$PORT"
	lab_host server
	lab_spawn "$NS_C" client timeout 20 "$LAB_PY" -u "$LAB_DIR/clients/hostload.py" conns \
		--to "10.99.2.2:$PORT" --count "$CLIENTS" --spacing 0.05 --wait 1.5 --hold 15
	lab_host_wait listen-overflow 5
	n=$(lab_ns_ctr "$NS_S" TcpExt.ListenOverflows)
	echo "TcpExt.ListenOverflows $n" >"$OUT/server-nstat.txt"
	[ "$n" -gt 0 ] || lab_die "no accept queue overflow in the server (ListenOverflows 0)"
	return 0
}
