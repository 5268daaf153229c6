# host-quiet: the lab's normal traffic only (a drawn server stack, a client
# making a few keep-alive requests and closing): `rstscope host` in the
# server's namespace must report no current finding at all.
DESC="host: normal traffic only, rstscope host in the server reports nothing"
CAUSE=none
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST=()
EXPECT_HOST_ONLY=1

scenario() {
	local steps=() i
	lab_param STACK "$(lab_pick_stack)"
	lab_param REQUESTS "$(lab_pick 3 8)"
	lab_server "$NS_S" web "$STACK" 80
	lab_host server
	for ((i = 0; i < REQUESTS; i++)); do steps+=(get:/ sleep:0.3); done
	lab_client client --to 10.99.2.2:80 "${steps[@]}" close
	sleep 1.2
	return 0
}
