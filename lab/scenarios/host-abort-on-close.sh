# host-abort-on-close: the app server answers uploads over its body limit
# with an early 413 and closes with the body unread: each close resets
# (TCP_ABORT_ON_CLOSE, TcpExt.TCPAbortOnClose). `rstscope host` in the
# server's namespace must report abort-on-close, and nothing else; analyze
# of the client's capture gives unread-close.
DESC="host: closes with unread request data (413, body unread), rstscope host in the server"
CAUSE=unread-close
EXPECT_TOP=unread-close
# (the body's tail still in flight after a reset meets no socket: more
# resets, kind after-rst, any number)
EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "after-rst"|established|server|genuine|1'
	     '.src == "10.99.2.2" and .kind == "after-rst"|after-rst|server|genuine|0')
EXPECT_HOST_ONLY=1

scenario() {
	local i n
	lab_param LIMIT "$(( $(lab_pick 1 8) * 1024 ))"
	lab_param BODY "$(( $(lab_pick 24 48) * 1024 ))"
	lab_param CONNS "$(lab_pick 2 5)"
	EXPECT_HOST=("server|abort-on-close|.netns == \$netns and .evidence[\"TcpExt.TCPAbortOnClose\"].delta >= 1")
	lab_appserver "$NS_S" appserver --port 80 --max-body "$LIMIT" --delay 0.02
	lab_wait_port "$NS_S" 0 80
	lab_host server
	for ((i = 1; i <= CONNS; i++)); do
		lab_client "client-$i" --to 10.99.2.2:80 post:/upload:"$BODY" sleep:0.2
	done
	lab_host_wait abort-on-close 4
	n=$(lab_ns_ctr "$NS_S" TcpExt.TCPAbortOnClose)
	echo "TcpExt.TCPAbortOnClose $n" >"$OUT/server-nstat.txt"
	[ "$n" -ge 1 ] || lab_die "the server never closed with unread data (TCPAbortOnClose 0)"
	return 0
}
