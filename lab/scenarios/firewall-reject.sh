# firewall-reject: a REJECT --reject-with tcp-reset rule on the router
# answers SYNs to one port in the server's name; the server itself would
# accept. The RST's TTL is the router's, not the server's.
DESC="router firewall REJECTs SYNs to a port with a forged RST+ACK (TTL differs)"
CAUSE=refused
EXPECT_TOP=refused
EXPECT_RSTS=('.src == "10.99.2.2"|refused|server|forged|2')

scenario() {
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param TRIES "$(lab_pick 2 4)"
	local steps=() i
	for ((i = 0; i < TRIES; i++)); do steps+=(connect sleep:0.2); done
	lab_nginx "$NS_S" nginx "server { listen 80; listen $PORT; }"
	lab_wait_port "$NS_S" 0 "$PORT"
	lab_nsx "$NS_R" iptables -A FORWARD -p tcp --dport "$PORT" --syn -j REJECT --reject-with tcp-reset || return 1
	lab_client client-ok --to 10.99.2.2:80 get:/ close
	lab_client client --to 10.99.2.2:"$PORT" "${steps[@]}"
	return 0
}
