# lb-idle-reap: HAProxy in front of the server closes client connections idle
# longer than its keep-alive timeout; the client's pool keeps them longer
# and reuses one: the proxy's kernel answers the request with an RST. The
# server behind it is drawn (STACK). A second client (port 40002) reuses
# its connection around HAProxy's timeout (REUSE_AT): before, served; after,
# reset; at, either, and the expectation follows what the client saw.
DESC="HAProxy idle timeout shorter than the client's pool; the reused connection is reset"
CAUSE=idle-reap
TOPOLOGY=proxy
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.3.2"|after-fin,established|server|genuine|1')

scenario() {
	lab_param LB_IDLE "$(lab_pick 2 4)"
	lab_param IDLE "$((LB_IDLE + 1)).$(lab_pick 0 5)"
	lab_param STACK "$(lab_pick_stack)"
	lab_draw_reuse "$LB_IDLE"
	local reuse
	lab_server "$NS_S" server "$STACK" 80
	lab_haproxy "$NS_P" haproxy "global
	log stderr format short local0 info
defaults
	mode http
	log global
	option httplog
	timeout connect 2s
	timeout client ${LB_IDLE}s
	timeout http-keep-alive ${LB_IDLE}s
	timeout server 10s
frontend web
	bind :80
	default_backend app
backend app
	server s1 10.99.2.2:80"
	lab_wait_port "$NS_P" 0 80
	lab_client_bg client-reuse --to 10.99.3.2:80 --bind-port 40002 get:/ sleep:"$REUSE" get:/ close
	reuse=$LAST_PID
	lab_client client --to 10.99.3.2:80 --bind-port 40001 get:/ sleep:"$IDLE" get:/ probe
	lab_wait "$reuse"
	lab_show_client client-reuse
	lab_expect_reuse client-reuse.log 40002 10.99.3.2 after-fin,established server genuine
	return 0
}
