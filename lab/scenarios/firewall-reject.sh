# firewall-reject: a REJECT --reject-with tcp-reset rule on the box
# answers SYNs to one port in the server's name; the server itself would
# accept. The RST's TTL is the box's, not the server's: another distance
# (the box's placement cycles with the seed: next to the server, one hop
# apart, or next to the client) and its own drawn initial TTL.
DESC="box firewall REJECTs SYNs to a port with a forged RST+ACK (TTL differs)"
CAUSE=refused
EXPECT_TOP=refused
EXPECT_RSTS=('.src == "10.99.2.2"|refused|server|forged|2')

scenario() {
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param TRIES "$(lab_pick 2 4)"
	local steps=() i
	for ((i = 0; i < TRIES; i++)); do steps+=(connect sleep:0.2); done
	lab_param STACK "$(lab_pick_stack)"
	lab_server "$NS_S" server "$STACK" "80,$PORT"
	lab_nsx "$NS_R" iptables -A FORWARD -p tcp --dport "$PORT" --syn -j REJECT --reject-with tcp-reset || return 1
	lab_client client-ok --to 10.99.2.2:80 get:/ close
	lab_client client --to 10.99.2.2:"$PORT" "${steps[@]}"
	return 0
}
