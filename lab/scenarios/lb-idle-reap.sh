# lb-idle-reap: HAProxy in front of nginx closes client connections idle
# longer than its keep-alive timeout; the client's pool keeps them longer
# and reuses one: the proxy's kernel answers the request with an RST.
DESC="HAProxy idle timeout shorter than the client's pool; the reused connection is reset"
CAUSE=idle-reap
TOPOLOGY=proxy
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.3.2"|after-fin,established|server|genuine|1')

scenario() {
	lab_param LB_IDLE "$(lab_pick 2 4)"
	lab_param IDLE "$((LB_IDLE + 1)).$(lab_pick 0 5)"
	lab_nginx "$NS_S" nginx 'keepalive_timeout 120s; server { listen 80; }'
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
	lab_wait_port "$NS_S" 0 80
	lab_wait_port "$NS_P" 0 80
	lab_client client --to 10.99.3.2:80 --bind-port 40001 get:/ sleep:"$IDLE" get:/ probe
	return 0
}
