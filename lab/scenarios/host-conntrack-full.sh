# host-conntrack-full: the box tracks connections (a conntrack rule in its
# FORWARD chain) and net.netfilter.nf_conntrack_max, which is host-wide, is
# lowered for the run (recorded in the run's state: teardown and `lab
# cleanup` restore it). The client opens more connections through the box
# than the table holds; the established ones are assured, nothing can be
# evicted early, so new SYNs are dropped ("nf_conntrack: table full",
# conntrack statistics drop). `rstscope host` in the box's namespace must
# report conntrack-full with the lowered limit, and nothing else.
DESC="host: conntrack table full on the box (nf_conntrack_max lowered), rstscope host in the box"
CAUSE=middlebox
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_HOST_ONLY=1

scenario() {
	local ns c worst=0 stat
	lab_param PORT "$(lab_pick 8000 8999)"
	lab_param CT_MAX "$(lab_pick 32 96)"
	lab_param FLOWS "$(( CT_MAX + $(lab_pick 8 32) ))"
	EXPECT_HOST=("router|conntrack-full|.netns == \$netns and .evidence[\"conntrack.entries_limit\"].value == (\$param.CT_MAX)")
	# the limit is global, each namespace's count is held against it: a
	# namespace of this host that tracks more would lose connections
	c=$(cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null) ||
		{ echo "no nf_conntrack on this host" >"$OUT/skip.txt"; return 3; }
	worst=$c
	for ns in $(ip netns list | awk '{print $1}'); do
		c=$(ip netns exec "$ns" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null) || continue
		[ "$c" -gt "$worst" ] && worst=$c
	done
	if [ "$worst" -ge $((CT_MAX / 2)) ]; then
		echo "a namespace of this host tracks $worst connections: lowering nf_conntrack_max to $CT_MAX would drop its traffic" >"$OUT/skip.txt"
		return 3
	fi
	lab_spawn "$NS_S" server "$LAB_PY" -u "$LAB_DIR/servers/hostserver.py" hold --port "$PORT" --backlog 1024 --max-s 30
	lab_wait_port "$NS_S" 0 "$PORT"
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED,RELATED -j ACCEPT || return 1
	lab_host_sysctl net.netfilter.nf_conntrack_max "$CT_MAX"
	lab_host router
	lab_spawn "$NS_C" client timeout 25 "$LAB_PY" -u "$LAB_DIR/clients/hostload.py" conns \
		--to "10.99.2.2:$PORT" --count "$FLOWS" --spacing 0.01 --wait 2 --hold 15
	lab_host_wait conntrack-full 6
	stat=$(lab_nsx "$NS_R" cat /proc/net/stat/nf_conntrack 2>/dev/null | lab_ct_sum)
	printf '%s\n' "$stat" >"$OUT/router-conntrack.txt"
	lab_nsx "$NS_R" cat /proc/sys/net/netfilter/nf_conntrack_count >>"$OUT/router-conntrack.txt"
	[ "$(tail -n 1 "$OUT/router-conntrack.txt")" -ge "$CT_MAX" ] ||
		lab_die "the box's table never filled ($(tail -n 1 "$OUT/router-conntrack.txt") of $CT_MAX)"
	return 0
}
