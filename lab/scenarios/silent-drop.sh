# silent-drop: the same conntrack box as conntrack-forget, but it drops
# INVALID segments instead of resetting: retransmissions, then the client's
# TCP_USER_TIMEOUT gives ETIMEDOUT. No RST at all: the contrast case. A
# second client reuses its connection around the box's timeout (REUSE_AT):
# served or timed out, it has no RST either.
DESC="box conntrack forgets an idle flow and DROPs: retransmissions, ETIMEDOUT, no RST"
CAUSE=middlebox
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_RSTS=()

scenario() {
	lab_param CT_TIMEOUT "$(lab_pick 2 4)"
	lab_param IDLE "$((CT_TIMEOUT + 1)).$(lab_pick 2 8)"
	lab_param USER_TIMEOUT_MS "$(( $(lab_pick 2 4) * 1000 ))"
	lab_param STACK "$(lab_pick_stack)"
	lab_draw_reuse "$CT_TIMEOUT"
	local reuse
	lab_server "$NS_S" server "$STACK" 80
	lab_nsx "$NS_R" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT" || return 1
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate INVALID -p tcp -j DROP || return 1
	lab_client_bg client-reuse --to 10.99.2.2:80 --bind-port 40002 --user-timeout "$USER_TIMEOUT_MS" \
		get:/ sleep:"$REUSE" get:/ close
	reuse=$LAST_PID
	lab_client client --to 10.99.2.2:80 --bind-port 40001 --user-timeout "$USER_TIMEOUT_MS" \
		get:/ sleep:"$IDLE" get:/
	lab_wait "$reuse"
	lab_show_client client-reuse
	lab_expect_reuse client-reuse.log 40002 10.99.2.2 none server forged
	lab_nsx "$NS_R" conntrack -S >"$OUT/conntrack-stats.txt" 2>&1
	return 0
}
