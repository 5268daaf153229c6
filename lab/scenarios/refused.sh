# refused: nothing listens on the port the client asks for; the server's
# kernel answers the SYN with RST+ACK. One good request first gives the
# server's genuine TTL as a baseline.
DESC="no listener on the port: the server's kernel answers the SYN with RST+ACK"
CAUSE=refused
EXPECT_TOP=refused
EXPECT_RSTS=('.src == "10.99.2.2"|refused|server|genuine|2')
# rstscope watch on the host: the kernel's NO_SOCKET answers to the SYNs,
# placed in the server's namespace by their address (no socket, no process)
EXPECT_HOSTWATCH=('.src == "10.99.2.2" and .sport == $param.PORT|NO_SOCKET|refused|2'
	'.src == "10.99.2.2" and .sport == $param.PORT and .netns == $netns and .pid == null|NO_SOCKET|refused|2')

scenario() {
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param TRIES "$(lab_pick 2 4)"
	local steps=() i
	for ((i = 0; i < TRIES; i++)); do steps+=(connect sleep:0.2); done
	lab_param STACK "$(lab_pick_stack)"
	lab_watch_host
	lab_server "$NS_S" server "$STACK" 80
	lab_client client-ok --to 10.99.2.2:80 get:/ close
	lab_client client --to 10.99.2.2:"$PORT" "${steps[@]}"
	return 0
}
