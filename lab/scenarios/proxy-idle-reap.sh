# proxy-idle-reap: rstscope proxy in front of the server reaps connections idle
# longer than its idle timeout with an RST (--idle-action rst: SO_LINGER 0 on
# both sides); the client's pool keeps the connection longer and reuses it.
# The proxy's reaping RST is lost at the router (an RST is never
# retransmitted), so the reused connection's request reaches the proxy and
# its kernel, which no longer has the connection, answers it with an RST:
# the proxy's own address, genuine, an idle reap. rstscope watch in the
# proxy's namespace joins the reaping RST to the proxy's close (TCP_STATE)
# and the answer to the request to the proxy's listener, which got a
# segment that is no SYN (TCP_FLAGS; NO_SOCKET only without a listener).
# The upstream server is drawn (STACK). A second client (CPORT2, its
# reaping RST dropped too) reuses its connection around the proxy's idle
# timeout (REUSE_AT): before, served; after, reset; at, either, and the
# expectation follows what the client saw. At the timer the request may
# also reach the proxy's socket just before the reaping close, which then
# leaves it unread: the kernel says TCP_ABORT_ON_CLOSE for that RST.
DESC="rstscope proxy's idle timeout (rst) shorter than the client's pool; the reused connection is reset"
CAUSE=idle-reap
TOPOLOGY=proxy
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.3.2"|established|server|genuine|1')
# (EXPECT_WATCH: set in scenario, by port)

scenario() {
	local bin proxy
	lab_param PROXY_IDLE "$(lab_pick 1 3).$(lab_pick 0 9)"
	lab_param IDLE "$(( ${PROXY_IDLE%.*} + 1 )).$(lab_pick 0 9)"
	lab_param CPORT "$(lab_pick 41000 44999)"
	lab_param CPORT2 "$(lab_pick 45000 48999)"
	lab_param STACK "$(lab_pick_stack)"
	lab_draw_reuse "$PROXY_IDLE"
	local to_c='.src == "10.99.3.2" and .dst == "10.99.1.2"' at_timer=TCP_STATE
	[ "$REUSE_AT" = at ] && at_timer=TCP_STATE,TCP_ABORT_ON_CLOSE
	EXPECT_WATCH=("$to_c and .dport == $CPORT and .flags == \"RA\"|TCP_STATE|genuine|*|proxy|1"
		      "$to_c and .dport == $CPORT2 and .flags == \"RA\"|$at_timer|genuine|*|proxy|0"
		      "$to_c and .flags == \"R\"|TCP_FLAGS|genuine|*|proxy|all")
	local reuse p
	bin=$(lab_rstscope) && [ -n "$bin" ] || lab_die "no rstscope binary for the proxy (set RSTSCOPE)"
	lab_server "$NS_S" server "$STACK" 80
	lab_spawn "$NS_P" proxy "$bin" proxy --listen 10.99.3.2:80 --upstream 10.99.2.2:80 \
		--idle-timeout "$PROXY_IDLE" --idle-action rst --duration 60 --json-log
	proxy=$LAST_PID
	lab_wait_port "$NS_P" 0 80
	# the reaping RST (RST+ACK, from the proxy's close) never reaches the
	# client; the bare RST that answers its next segment does
	for p in "$CPORT" "$CPORT2"; do
		lab_nsx "$NS_R" iptables -A FORWARD -p tcp -s 10.99.3.2 --sport 80 -d 10.99.1.2 --dport "$p" \
			--tcp-flags RST,ACK RST,ACK -j DROP || return 1
	done
	lab_watch "$NS_P" eth0
	lab_client_bg client-reuse --to 10.99.3.2:80 --bind-port "$CPORT2" get:/ sleep:"$REUSE" get:/ close
	reuse=$LAST_PID
	lab_client client --to 10.99.3.2:80 --bind-port "$CPORT" get:/ sleep:"$IDLE" get:/ probe
	lab_wait "$reuse"
	lab_show_client client-reuse
	lab_expect_reuse client-reuse.log "$CPORT2" 10.99.3.2 established server genuine
	lab_stop "$proxy"
	# the proxy says what it did: an idle-timeout reset of the client's connection
	grep -q '"event":"fault".*"action":"rst".*"reason":"idle-timeout"' "$OUT/proxy.log" ||
		lab_die "the proxy logged no idle-timeout reset (see $OUT/proxy.log)"
	return 0
}
