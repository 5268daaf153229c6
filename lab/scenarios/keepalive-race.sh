# keepalive-race: nginx closes an idle keep-alive connection just as the
# client reuses it; once with the FIN delivered (the client sees EOF, then
# EPIPE) and once with the FIN dropped at the router, so that the request
# truly crosses the close (the client sees ECONNRESET).
DESC="nginx keepalive_timeout closes pooled connections; FIN delivered (port 40001) and FIN lost (port 40002)"
CAUSE=idle-reap
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.2.2" and .dport == 40001|after-fin|server|genuine|1'
	     '.src == "10.99.2.2" and .dport == 40002|established|server|genuine|1')

scenario() {
	lab_param KEEPALIVE "$(lab_pick 1 3)"
	lab_param IDLE "$((KEEPALIVE + 1)).$(lab_pick 0 5)"
	lab_nginx "$NS_S" nginx "keepalive_timeout ${KEEPALIVE}s; server { listen 80; }"
	lab_wait_port "$NS_S" 0 80
	# the second connection never receives the server's FIN
	lab_nsx "$NS_R" iptables -A FORWARD -p tcp -s 10.99.2.2 --sport 80 -d 10.99.1.2 --dport 40002 \
		--tcp-flags FIN FIN -j DROP || return 1
	lab_client_bg client-fin --to 10.99.2.2:80 --bind-port 40001 get:/ sleep:"$IDLE" get:/ probe
	local a=$LAST_PID
	lab_client_bg client-lost --to 10.99.2.2:80 --bind-port 40002 get:/ sleep:"$IDLE" get:/ probe
	local b=$LAST_PID
	lab_wait "$a" "$b"
	lab_show_client client-fin
	lab_show_client client-lost
	return 0
}
