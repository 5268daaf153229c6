# server-crash: a slow app server is killed with SIGKILL while requests are
# in flight: the requests it had not read yet get RSTs, all at once; then
# the port refuses new connections.
DESC="app server SIGKILLed with requests in flight: clustered RSTs, then refused SYNs"
CAUSE=peer-restart
EXPECT_TOP=peer-restart
EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "refused"|established|server|genuine|2'
	     '.src == "10.99.2.2" and .kind == "refused"|refused|server|genuine|0')

scenario() {
	lab_param CONNS "$(lab_pick 3 5)"
	lab_param DELAY "0.$(lab_pick 5 9)"
	local i pids=() srv
	lab_appserver "$NS_S" appserver --port 80 --workers 1 --delay 5
	srv=$LAST_PID
	lab_wait_port "$NS_S" 0 80
	lab_client client-warm --to 10.99.2.2:80 connect close
	for ((i = 1; i <= CONNS; i++)); do
		lab_client_bg "client-$i" --to 10.99.2.2:80 --bind-port $((40000 + i)) get:/work
		pids+=("$LAST_PID")
		sleep 0.05
	done
	sleep "$DELAY"
	lab_log "SIGKILL the server (pid $srv)"
	kill -KILL "$srv"; lab_wait "$srv"
	lab_wait "${pids[@]}"
	for ((i = 1; i <= CONNS; i++)); do lab_show_client "client-$i"; done
	sleep 0.3
	lab_client client-retry --to 10.99.2.2:80 connect
	return 0
}
