# correlate-forged: the box, an IPS of sorts, answers a request it does not
# like (iptables string match on "GET /blocked") with a forged RST in the
# server's name (REJECT --reject-with tcp-reset) and drops the request.
# Captured at the client and at the server (CAPTURE_SERVER=1): the RST is
# in the client's capture only, its flow covered by both, and the server
# never sent it. A last request on a new connection 0.5 s later makes the
# server's capture last past the RST (a capture that ends before it cannot
# tell that it would have seen it). The server's stack is drawn.
DESC="box forges an RST in the server's name; captured at both ends, only the client's capture has it"
CAUSE=middlebox
CAPTURE_SERVER=1
EXPECT_TOP=middlebox
EXPECT_RSTS=('.src == "10.99.2.2"|established|server|forged|1')
EXPECT_CORR=('.file == "client.pcap" and .src == "10.99.2.2"|client.pcap|server.pcap|forged|1')

scenario() {
	lab_param STACK "$(lab_pick_stack)"
	lab_param CPORT "$(lab_pick 41000 48999)"
	lab_server "$NS_S" server "$STACK" 80
	lab_nsx "$NS_R" iptables -A FORWARD -p tcp -d 10.99.2.2 --dport 80 -m string --algo bm \
		--string "GET /blocked" -j REJECT --reject-with tcp-reset || return 1
	lab_client client --to 10.99.2.2:80 --bind-port "$CPORT" get:/ sleep:0.2 get:/blocked
	sleep 0.5
	lab_client client-after --to 10.99.2.2:80 get:/ close
	return 0
}
