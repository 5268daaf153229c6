# keepalive-unread: the server's keep-alive timer fires while the client's
# next request on the reused connection waits in its receive queue unread,
# so close() resets (TCP_ABORT_ON_CLOSE) instead of sending a FIN. The
# race is made deterministic the way a loaded server makes it: shortly
# before the timer expires the server's event loop stalls (a busy-wait of
# STALL_MS starting LEAD_MS before the expiry); the client's request lands
# in the middle of the stall and is ACKed by the server's kernel; when the
# loop runs again its timers come first (libuv in node; the lab's Python
# server checks its timer before it reads) and the connection is closed
# unread. On the wire: response, silence, the request (ACKed), then the
# server's RST at a fixed idle time after its last segment, no FIN.
# Stacks: node (server.keepAliveTimeout, lab/servers/node-http.js) and
# python (lab/servers/kaserver.py), drawn by seed. The scenario checks with
# the kernel's own events that the RST is TCP_ABORT_ON_CLOSE and that no
# FIN came before it (else the lab did not build the cause: exit 4).
DESC="server keep-alive timer fires with the reused connection's request unread: RST, no FIN"
CAUSE=idle-reap
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.2.2"|established|server|genuine|1')

scenario() {
	local ka_s lead_s stall_s
	lab_param STACK "$(lab_pick_of node python)"
	lab_param KEEPALIVE_MS "$(( $(lab_pick 16 30) * 100 ))"
	lab_param LEAD_MS 100
	lab_param STALL_MS "$(( $(lab_pick 3 4) * 100 ))"
	lab_param CPORT "$(lab_pick 41000 48999)"
	# the request lands in the middle of the stall (after the response the
	# client waits KEEPALIVE - LEAD + STALL/2)
	lab_param REUSE "$(awk -v k="$KEEPALIVE_MS" -v l="$LEAD_MS" -v s="$STALL_MS" \
		'BEGIN { printf "%.3f", (k - l + s / 2) / 1000 }')"
	ka_s=$(awk -v k="$KEEPALIVE_MS" 'BEGIN { printf "%.3f", k / 1000 }')
	lead_s=$(awk -v k="$LEAD_MS" 'BEGIN { printf "%.3f", k / 1000 }')
	stall_s=$(awk -v k="$STALL_MS" 'BEGIN { printf "%.3f", k / 1000 }')
	case $STACK in
	node) command -v node >/dev/null || lab_die "no node (Debian package nodejs; scripts/deps.sh)"
	      lab_spawn "$NS_S" server node "$LAB_DIR/servers/node-http.js" --port 80 \
		--keepalive-ms "$KEEPALIVE_MS" --stall-lead-ms "$LEAD_MS" --stall-ms "$STALL_MS" ;;
	python) lab_spawn "$NS_S" server "$LAB_PY" -u "$LAB_DIR/servers/kaserver.py" --port 80 \
		--keepalive "$ka_s" --stall-lead "$lead_s" --stall "$stall_s" ;;
	esac
	lab_wait_port "$NS_S" 0 80
	lab_client client --to 10.99.2.2:80 --bind-port "$CPORT" get:/ sleep:"$REUSE" get:/
	sed 's/^/  server: /' "$OUT/server.log" >&2
	sleep 0.2
	lab_kernel_reason "10.99.2.2:80" "10.99.1.2:$CPORT" TCP_ABORT_ON_CLOSE ||
		lab_die "the server's RST is not TCP_ABORT_ON_CLOSE (see kernel-resets, server.log)"
	if lab_pcap_has client "src host 10.99.2.2 and src port 80 and dst port $CPORT and tcp[tcpflags] & tcp-fin != 0"; then
		lab_die "the server sent a FIN before its RST: the request was not unread at the close"
	fi
	return 0
}
