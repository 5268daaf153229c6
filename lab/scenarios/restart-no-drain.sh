# restart-no-drain: an app server under load is stopped without draining
# and restarted: the requests it had not read get RSTs in a cluster, SYNs
# are refused while it is down, then the clients recover.
DESC="app server restarted under load without draining: clustered RSTs, refused SYNs, recovery"
CAUSE=peer-restart
EXPECT_TOP=peer-restart
EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "refused"|established,after-fin|server|genuine|2'
	     '.src == "10.99.2.2" and .kind == "refused"|refused|server|genuine|0')

scenario() {
	lab_param CLIENTS "$(lab_pick 4 6)"
	lab_param DOWN "1.$(lab_pick 0 5)"
	lab_param RUN_BEFORE "1.$(lab_pick 0 9)"
	local i pids=() srv
	lab_appserver "$NS_S" appserver --port 80 --workers 2 --delay 0.05
	srv=$LAST_PID
	lab_wait_port "$NS_S" 0 80
	for ((i = 1; i <= CLIENTS; i++)); do
		lab_spawn "$NS_C" "client-$i" timeout 30 "$LAB_PY" -u "$LAB_DIR/clients/loadgen.py" \
			--to 10.99.2.2:80 --duration 6 --port $((40000 + i * 100))
		pids+=("$LAST_PID")
	done
	sleep "$RUN_BEFORE"
	lab_log "SIGTERM the server (pid $srv), no drain; back in ${DOWN}s"
	kill -TERM "$srv"; lab_wait "$srv"
	sleep "$DOWN"
	lab_appserver "$NS_S" appserver2 --port 80 --workers 2 --delay 0.05
	lab_wait "${pids[@]}"
	for ((i = 1; i <= CLIENTS; i++)); do lab_show_client "client-$i"; done
	return 0
}
