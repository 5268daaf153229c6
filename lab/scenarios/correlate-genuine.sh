# correlate-genuine: the server's kernel refuses connections to a closed
# port (RST+ACK, genuine), and the box NATs the client (SNAT of its address
# and port to the box's server-side address and ports 20000-29999), so the
# two captures (client and server, CAPTURE_SERVER=1) see the flow under
# different 4-tuples. The RST is in both captures: correlation must match
# the flow across the NAT. One request first gives the server's TTL as a
# baseline. The server's stack is drawn.
DESC="server refuses a closed port behind a NAT; captured at both ends, both captures have the RST"
CAUSE=refused
CAPTURE_SERVER=1
EXPECT_TOP=refused
EXPECT_RSTS=('.src == "10.99.2.2"|refused|server|genuine|1')
EXPECT_CORR=('.src == "10.99.2.2"|client.pcap,server.pcap|-|genuine|2')

scenario() {
	local steps=() i
	lab_param STACK "$(lab_pick_stack)"
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param TRIES "$(lab_pick 1 2)"
	for ((i = 0; i < TRIES; i++)); do steps+=(connect sleep:0.2); done
	lab_server "$NS_S" server "$STACK" 80
	lab_nsx "$NS_R" iptables -t nat -A POSTROUTING -s 10.99.1.2 -d 10.99.2.2 -p tcp \
		-j SNAT --to-source "$LAB_BOX_SIP:20000-29999" || return 1
	lab_param NAT "10.99.1.2 -> $LAB_BOX_SIP:20000-29999"
	lab_client client-ok --to 10.99.2.2:80 get:/ close
	lab_client client --to 10.99.2.2:"$PORT" "${steps[@]}"
	# both directions of each refused SYN, in both captures
	EXPECT_CORR=(".src == \"10.99.2.2\"|client.pcap,server.pcap|-|genuine|$((2 * TRIES))")
	return 0
}
