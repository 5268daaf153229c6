# probe-keepalive: rstscope probe --http against a server whose keep-alive
# timeout (drawn 2-6 s; the stack drawn: nginx or HAProxy)
# closes idle connections with a FIN: probe must find it (10 %), death fin,
# sent by the peer (the FIN's TTL is the server's own).
. "$LAB_DIR/probe-lib.sh"
DESC="probe --http: the server's keep-alive timeout closes idle connections with a FIN"
CAUSE=idle-reap
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_RSTS=()

scenario() {
	lab_param STACK "$(lab_pick_of nginx haproxy)"
	lab_param KEEPALIVE "$(lab_pick 2 6)"
	lab_param PROBE_MAX "$(lab_probe_max "$KEEPALIVE" 2.3)"
	lab_param EXPECT_PROBE "$KEEPALIVE|fin|peer"
	lab_server "$NS_S" server "$STACK" 80 "$KEEPALIVE"
	lab_probe 10.99.2.2:80 "$PROBE_MAX" --http
	return 0
}
