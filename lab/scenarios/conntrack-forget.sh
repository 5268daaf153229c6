# conntrack-forget: the box's conntrack forgets an idle connection and
# answers the client's next segment with a forged RST in the server's name
# (REJECT --reject-with tcp-reset on ctstate INVALID, nf_conntrack_tcp_loose=0,
# a short established timeout in the box's namespace). The box's placement
# cycles with the seed, so over any four seeds it is once right next to the
# server (its RST one hop nearer than the server's packets, with whatever
# initial TTLs were drawn) and once right next to the client.
# A second client reuses its connection around the box's timeout (REUSE_AT).
# rstscope watch runs in the server's namespace on a copy of the box's
# client link (lab_mirror): the RST claims the server's address, but the
# server's kernel never sent it (netfilter's REJECT builds it in the box,
# without tcp_send_reset), so watch reports it as not sent by this host.
# Watch sees every namespace of the host: the client's too, so the RST's
# owner is the client process that received it (any of the clients).
DESC="box conntrack times out an idle flow, REJECTs the next segment with a forged RST"
CAUSE=middlebox
EXPECT_TOP=middlebox
EXPECT_RSTS=('.src == "10.99.2.2"|established|server|forged|1')
EXPECT_WATCH=('.src == "10.99.2.2"|not-sent|forged|middlebox|*|all')

scenario() {
	local reuse
	lab_param STACK "$(lab_pick_stack)"
	lab_param CT_TIMEOUT "$(lab_pick 2 5)"
	lab_param IDLE "$((CT_TIMEOUT + 1)).$(lab_pick 2 8)"
	lab_param CPORT "$(lab_pick 41000 44999)"
	lab_param CPORT2 "$(lab_pick 45000 48999)"
	lab_draw_reuse "$CT_TIMEOUT"
	EXPECT_RSTS=(".src == \"10.99.2.2\" and .dport == $CPORT|established|server|forged|1")
	lab_server "$NS_S" server "$STACK" 80
	# only loose=0 makes a mid-stream segment without an entry INVALID
	lab_nsx "$NS_R" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT" || return 1
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate INVALID \
		-p tcp -j REJECT --reject-with tcp-reset || return 1
	lab_mirror "$NS_S" mon0
	lab_watch "$NS_S" mon0
	lab_client_bg client-reuse --to 10.99.2.2:80 --bind-port "$CPORT2" get:/ sleep:"$REUSE" get:/ close
	reuse=$LAST_PID
	lab_client client --to 10.99.2.2:80 --bind-port "$CPORT" get:/ sleep:"$IDLE" get:/
	lab_wait "$reuse"
	lab_show_client client-reuse
	lab_expect_reuse client-reuse.log "$CPORT2" 10.99.2.2 established server forged
	lab_nsx "$NS_R" conntrack -S >"$OUT/conntrack-stats.txt" 2>&1
	return 0
}
