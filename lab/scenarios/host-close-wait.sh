# host-close-wait: a server that accepts and never closes; the clients
# close (FIN): its sockets stay in CLOSE_WAIT (the leak). `rstscope host`
# in the server's namespace must name the process and its pile
# (close-wait), and nothing else.
DESC="host: a CLOSE_WAIT pile (a server that never closes), rstscope host in the server"
CAUSE=overload
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() {
	local n
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param CONNS "$(lab_pick 20 48)"
	EXPECT_HOST=("server|close-wait|.netns == \$netns and .pid == \$pid.cwserver and .comm == \"python3\""
		"server|close-wait|.pid == \$pid.cwserver and .evidence[\"process.close_wait\"].value == (\$param.CONNS)")
	lab_spawn "$NS_S" cwserver "$LAB_PY" -u "$LAB_DIR/servers/hostserver.py" closewait --port "$PORT" --max-s 30
	lab_wait_port "$NS_S" 0 "$PORT"
	lab_host server
	lab_spawn "$NS_C" client timeout 20 "$LAB_PY" -u "$LAB_DIR/clients/hostload.py" conns \
		--to "10.99.2.2:$PORT" --count "$CONNS" --spacing 0.01 --wait 2 --close --hold 15
	lab_host_wait close-wait 4
	sleep 1
	n=$(lab_nsx "$NS_S" ss -Htn state close-wait "sport = :$PORT" | grep -c .)
	echo "CLOSE_WAIT $n" >"$OUT/server-ss.txt"
	[ "$n" -ge "$CONNS" ] || lab_die "only $n of $CONNS connections in CLOSE_WAIT"
	return 0
}
