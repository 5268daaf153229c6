# unread-close: the app server answers an upload over its body limit with
# an early 413 and closes with the body unread: the kernel resets
# (TCP_ABORT_ON_CLOSE) instead of sending a FIN. The client, drawn, keeps
# the connection open after the 413 (as a pool does) or closes it at once:
# then its FIN races the server's close and, when first, the RST comes after
# a FIN (kind after-fin); the cause is the same. What the client still
# sends after the reset (its FIN, the body's tail in flight) meets no
# socket and is answered with more resets (kind after-rst), any number.
DESC="app server answers an upload early with 413 and closes with the body unread"
CAUSE=unread-close
EXPECT_TOP=unread-close
EXPECT_RSTS=()
# rstscope watch on the host (kernel-only resets), the server in a cgroup
# of its own: its close's reset with the reason, the server's pid,
# namespace and cgroup
EXPECT_HOSTWATCH=('.src == "10.99.2.2" and .sport == 80|TCP_ABORT_ON_CLOSE|unread-close|1'
	'.src == "10.99.2.2" and .sport == 80 and .pid == $pid.appserver and .netns == $netns and .cgroup == $cgroup and .by_closer|TCP_ABORT_ON_CLOSE|unread-close|1')

scenario() {
	lab_param LIMIT "$(( $(lab_pick 1 8) * 1024 ))"
	lab_param BODY "$(( $(lab_pick 24 48) * 1024 ))"
	local cg
	cg=$(lab_plaincg srv) || lab_die "cannot create a cgroup for the server"
	lab_hostwatch_cg "$cg"
	lab_watch_host
	lab_spawn_in_cg "$cg" "$NS_S" appserver "$LAB_PY" -u "$LAB_DIR/servers/appserver.py" \
		--port 80 --max-body "$LIMIT" --delay 0.02
	echo "$LAST_PID" >"$OUT/appserver.pid"
	lab_wait_port "$NS_S" 0 80
	lab_param CLIENT_AFTER "$(lab_pick_of hold close)"
	if [ "$CLIENT_AFTER" = hold ]; then
		EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "after-rst"|established|server|genuine|1'
			     '.src == "10.99.2.2" and .kind == "after-rst"|after-rst|server|genuine|0')
		lab_client client --to 10.99.2.2:80 get:/ post:/upload:"$BODY" sleep:0.3
	else
		EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "after-rst"|established,after-fin|server|genuine|1'
			     '.src == "10.99.2.2" and .kind == "after-rst"|after-rst|server|genuine|0')
		lab_client client --to 10.99.2.2:80 get:/ post:/upload:"$BODY" close
	fi
	return 0
}
