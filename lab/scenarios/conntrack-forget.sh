# conntrack-forget: the router's conntrack forgets an idle connection and
# answers the client's next segment with a forged RST in the server's name.
# rstscope watch runs in the server's namespace on a copy of the router's
# client link (lab_mirror): the RST claims the server's address, but the
# server's kernel never sent it (netfilter's REJECT builds it in the router,
# without tcp_send_reset), so watch reports it as not sent by this host.
DESC="router conntrack times out an idle flow, REJECTs the next segment with a forged RST"
CAUSE=middlebox
EXPECT_TOP=middlebox
EXPECT_RSTS=('.src == "10.99.2.2"|established|server|forged|1')
EXPECT_WATCH=('.src == "10.99.2.2"|not-sent|forged|middlebox|none|all')

scenario() {
	lab_param CT_TIMEOUT "$(lab_pick 2 5)"
	lab_param IDLE "$((CT_TIMEOUT + 1)).$(lab_pick 2 8)"
	lab_param CPORT "$(lab_pick 41000 48999)"
	lab_nginx "$NS_S" nginx 'keepalive_timeout 120s; server { listen 80; }'
	lab_wait_port "$NS_S" 0 80
	# only loose=0 makes a mid-stream segment without an entry INVALID
	lab_nsx "$NS_R" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT" || return 1
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate INVALID \
		-p tcp -j REJECT --reject-with tcp-reset || return 1
	lab_mirror "$NS_S" mon0
	lab_watch "$NS_S" mon0
	lab_client client --to 10.99.2.2:80 --bind-port "$CPORT" get:/ sleep:"$IDLE" get:/
	lab_nsx "$NS_R" conntrack -S >"$OUT/conntrack-stats.txt" 2>&1
	return 0
}
