# linger-abort: a health checker closes each probe connection with
# SO_LINGER {1, 0}, so every close is an RST from the client (TCP_STATE).
DESC="health checker closes every probe with SO_LINGER 0: an RST from the client each time"
CAUSE=deliberate-abort
EXPECT_TOP=deliberate-abort
EXPECT_RSTS=('.src == "10.99.1.2"|established|client|genuine|2')

scenario() {
	lab_param PROBES "$(lab_pick 2 4)"
	lab_param INTERVAL "0.$(lab_pick 2 6)"
	local i
	lab_param STACK "$(lab_pick_stack)"
	lab_server "$NS_S" server "$STACK" 80
	for ((i = 1; i <= PROBES; i++)); do
		lab_client "probe-$i" --to 10.99.2.2:80 get:/health abort
		sleep "$INTERVAL"
	done
	return 0
}
