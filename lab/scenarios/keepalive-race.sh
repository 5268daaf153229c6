# keepalive-race: the server closes an idle keep-alive connection (its
# keep-alive timeout: nginx keepalive_timeout, HAProxy timeout
# http-keep-alive, node server.keepAliveTimeout or the lab's Python server,
# drawn) just as the client reuses it; once with the FIN delivered (the
# client sees EOF, then EPIPE) and once with the FIN dropped at the box, so
# that the request truly crosses the close (the client sees ECONNRESET).
# A third client (port 40003, FIN delivered) starts 3 s later (so that its
# reset is no cluster with the first two) and reuses its connection around
# the timeout (REUSE_AT): before, served; after, reset after the FIN; at,
# the race: reset after the FIN, or (the request queued when the server
# closed) without one, or served.
DESC="server keep-alive timeout closes pooled connections; FIN delivered (port 40001) and FIN lost (port 40002)"
CAUSE=idle-reap
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.2.2" and .dport == 40001|after-fin|server|genuine|1'
	     '.src == "10.99.2.2" and .dport == 40002|established|server|genuine|1')

scenario() {
	local a b c kinds=after-fin
	lab_param STACK "$(lab_pick_stack)"
	# node 20's server arms its timer 1 s after keepAliveTimeout
	# (lab/servers/node-http.js): a 1 s timer is not one it can have
	lab_param KEEPALIVE "$(lab_pick "$([ "$STACK" = node ] && echo 2 || echo 1)" 3)"
	lab_param IDLE "$((KEEPALIVE + 1)).$(lab_pick 0 5)"
	lab_draw_reuse "$KEEPALIVE"
	lab_server "$NS_S" server "$STACK" 80 "$KEEPALIVE"
	# the second connection never receives the server's FIN
	lab_nsx "$NS_R" iptables -A FORWARD -p tcp -s 10.99.2.2 --sport 80 -d 10.99.1.2 --dport 40002 \
		--tcp-flags FIN FIN -j DROP || return 1
	lab_client_bg client-fin --to 10.99.2.2:80 --bind-port 40001 get:/ sleep:"$IDLE" get:/ probe
	a=$LAST_PID
	lab_client_bg client-lost --to 10.99.2.2:80 --bind-port 40002 get:/ sleep:"$IDLE" get:/ probe
	b=$LAST_PID
	lab_client_bg client-reuse --to 10.99.2.2:80 --bind-port 40003 sleep:3 get:/ sleep:"$REUSE" get:/ close
	c=$LAST_PID
	lab_wait "$a" "$b" "$c"
	lab_show_client client-fin
	lab_show_client client-lost
	lab_show_client client-reuse
	[ "$REUSE_AT" = at ] && kinds=after-fin,established
	lab_expect_reuse client-reuse.log 40003 10.99.2.2 "$kinds" server genuine
	return 0
}
