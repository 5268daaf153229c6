# host-fd-exhaustion: a server with a small `ulimit -n` opens sockets until
# socket() fails with EMFILE; accept() then fails too and the clients'
# connections wait in its accept queue. `rstscope host` in the server's
# namespace must name the process at its limit (fd-exhaustion), and
# nothing else.
DESC="host: a server at its RLIMIT_NOFILE (ulimit -n), rstscope host in the server"
CAUSE=overload
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() {
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param FD_LIMIT "$(lab_pick 64 256)"
	lab_param CLIENTS "$(lab_pick 1 3)"
	EXPECT_HOST=("server|fd-exhaustion|.pid == \$pid.fdserver and .comm == \"python3\" and .evidence[\"process.fd_limit\"].value == (\$param.FD_LIMIT) and .evidence[\"process.fds\"].value * 10 >= (\$param.FD_LIMIT) * 9")
	lab_host server
	lab_spawn "$NS_S" fdserver sh -c 'ulimit -n "$0" && exec "$@"' "$FD_LIMIT" \
		"$LAB_PY" -u "$LAB_DIR/servers/hostserver.py" fdhog --port "$PORT" --max-s 20
	lab_wait_port "$NS_S" 0 "$PORT"
	lab_spawn "$NS_C" client timeout 20 "$LAB_PY" -u "$LAB_DIR/clients/hostload.py" conns \
		--to "10.99.2.2:$PORT" --count "$CLIENTS" --wait 1 --hold 15
	lab_host_wait fd-exhaustion 4
	grep -q 'EMFILE' "$OUT/fdserver.log" || lab_die "the server never hit its fd limit (see $OUT/fdserver.log)"
	return 0
}
