# closed-late: a reset after a completed close. The client closes actively
# after one request (FIN; the server's FIN comes back; both ACKed: the
# server's socket is gone after LAST-ACK), then a delayed duplicate of the
# client's request segment arrives: sent again from the client's namespace
# through a raw socket (lab/clients/latedup.py: the segment as it left, same
# 4-tuple, a sequence number the connection used), as a path that
# duplicates and delays would deliver it. The server's kernel has no
# socket for it and answers with an RST: harmless, after the close, sent
# by the server itself. The server's stack is drawn.
DESC="a late duplicate of the client's request meets the server after a completed close: its kernel resets"
CAUSE=deliberate-abort
EXPECT_TOP=deliberate-abort
EXPECT_RSTS=('.src == "10.99.2.2"|after-fin|server|genuine|1|1')

scenario() {
	lab_param STACK "$(lab_pick_stack)"
	lab_param LATE "0.$(lab_pick 2 9)"
	lab_param CPORT "$(lab_pick 41000 48999)"
	lab_server "$NS_S" server "$STACK" 80
	lab_run_fg "$NS_C" client.txt timeout 20 "$LAB_PY" -u "$LAB_DIR/clients/latedup.py" \
		--to 10.99.2.2:80 --bind-port "$CPORT" --late "$LATE"
	sed 's/^/  client: /' "$OUT/client.txt" >&2
	grep -q 'late duplicate of the request sent' "$OUT/client.txt" ||
		lab_die "the late duplicate was not sent (see $OUT/client.txt)"
	sleep 0.2
	lab_pcap_has client "src host 10.99.2.2 and src port 80 and dst port $CPORT and tcp[tcpflags] & tcp-fin != 0" ||
		lab_die "the server sent no FIN: the close did not complete"
	lab_pcap_has client "src host 10.99.2.2 and src port 80 and dst port $CPORT and tcp[tcpflags] & tcp-rst != 0" ||
		lab_die "the server did not reset the late segment"
	return 0
}
