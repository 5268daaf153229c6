# server-oom: an app server that leaks memory per request runs in a
# memory-limited cgroup; the first upload succeeds, the second makes the
# kernel OOM-kill it with the upload's body unread: the kernel resets.
DESC="leaking app server OOM-killed in a memory cgroup: first upload ok, second reset"
CAUSE=peer-restart
EXPECT_TOP=peer-restart
EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "refused"|established|server|genuine|1')
# rstscope watch on the host (kernel-only resets): the upload's reset names
# the OOM kill of the server, in its namespace and memory cgroup
EXPECT_HOSTWATCH=('.src == "10.99.2.2" and .dport == 40001|TCP_ABORT_ON_CLOSE|peer-restart|1'
	'.src == "10.99.2.2" and .dport == 40001 and .pid == $pid.appserver and .netns == $netns and .cgroup == $cgroup and .oom_kill.pid == $pid.appserver and .oom_kill.cgroup == $cgroup and .oom_kill.limit_bytes == $param.LIMIT_MB * 1048576 and .cause_evidence[0:10] == "OOM-killed"|*|peer-restart|1')

scenario() {
	lab_param LEAK_MB "$(lab_pick 24 48)"
	lab_param LIMIT_MB "$(( 16 + LEAK_MB * 3 / 2 ))"
	local srv cg oom0 oom1
	if ! cg=$(lab_memcg $((LIMIT_MB << 20))); then
		echo "no memory cgroup (v2 memory controller or v1 memory) on this host" >"$OUT/skip.txt"
		return 3
	fi
	lab_hostwatch_cg "$cg"
	lab_watch_host
	lab_spawn_in_cg "$cg" "$NS_S" appserver "$LAB_PY" -u "$LAB_DIR/servers/appserver.py" \
		--port 80 --alloc-mb "$LEAK_MB"
	srv=$LAST_PID
	echo "$srv" >"$OUT/appserver.pid"
	lab_log "server pid $srv in $cg (limit ${LIMIT_MB} MiB)"
	lab_wait_port "$NS_S" 0 80
	oom0=$(awk '$1 == "oom_kill" {print $2}' /proc/vmstat)
	lab_client client --to 10.99.2.2:80 --bind-port 40001 post:/upload:16384 sleep:0.3 post:/upload:65536
	sleep 0.3
	oom1=$(awk '$1 == "oom_kill" {print $2}' /proc/vmstat)
	echo "oom_kill delta: $((oom1 - oom0))" | tee "$OUT/oom.txt" >&2
	kill -0 "$srv" 2>/dev/null && lab_log "the server survived (no OOM kill)"
	lab_client client-retry --to 10.99.2.2:80 connect
	return 0
}
