# silent-drop: the same conntrack router as conntrack-forget, but it drops
# INVALID segments instead of resetting: retransmissions, then the client's
# TCP_USER_TIMEOUT gives ETIMEDOUT. No RST at all: the contrast case.
DESC="router conntrack forgets an idle flow and DROPs: retransmissions, ETIMEDOUT, no RST"
CAUSE=middlebox
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_RSTS=()

scenario() {
	lab_param CT_TIMEOUT "$(lab_pick 2 4)"
	lab_param IDLE "$((CT_TIMEOUT + 1)).$(lab_pick 2 8)"
	lab_param USER_TIMEOUT_MS "$(( $(lab_pick 2 4) * 1000 ))"
	lab_nginx "$NS_S" nginx 'keepalive_timeout 120s; server { listen 80; }'
	lab_wait_port "$NS_S" 0 80
	lab_nsx "$NS_R" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT" || return 1
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate INVALID -p tcp -j DROP || return 1
	lab_client client --to 10.99.2.2:80 --bind-port 40001 --user-timeout "$USER_TIMEOUT_MS" \
		get:/ sleep:"$IDLE" get:/
	lab_nsx "$NS_R" conntrack -S >"$OUT/conntrack-stats.txt" 2>&1
	return 0
}
