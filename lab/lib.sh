# lab/lib.sh: topology, capture, kernel-event and counter helpers for the
# reproduction lab. Sourced by lab.sh; every function is prefixed lab_.
#
# A run owns: network namespaces named rstlab-<run>-<role>, a tracefs
# instance rstlab-<run> (and rstscope watch's rstscope-<pid>), a state dir
# /run/rstlab/<run> (pids, sysctls to restore, cgroups, tracefs instances),
# where <run> is the PID of the shell that drives the
# scenario. lab_cleanup_stale removes what a run whose shell is gone left.
#
# Addresses (each run has its own namespaces, so they never collide):
#   client 10.99.1.2 -- 10.99.1.1 router 10.99.2.1 -- 10.99.2.2 server
#                                        10.99.3.1 -- 10.99.3.2 proxy

LAB_PREFIX=rstlab
LAB_STATE_ROOT=/run/rstlab
LAB_TRACEFS=/sys/kernel/tracing
LAB_PY=/usr/bin/python3
LAB_CLIENT_IP=10.99.1.2
LAB_SERVER_IP=10.99.2.2
LAB_PROXY_IP=10.99.3.2
LAB_ROUTER_CLIENT_IP=10.99.1.1

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: %s\n' "$*" >&2; exit 4; }

# --- seeded parameters -------------------------------------------------

# lab_pick LO HI: a seeded integer in [LO,HI] (bash RANDOM, seeded by lab.sh).
lab_pick() { echo $(( $1 + RANDOM % ($2 - $1 + 1) )); }
# lab_param NAME VALUE: set and record a scenario parameter.
lab_param() {
	printf -v "$1" '%s' "$2"
	printf '%s=%s\n' "$1" "$2" >>"$OUT/params.txt"
	lab_log "param $1=$2"
}

# --- run state -----------------------------------------------------------

# lab_begin: claim a run id and its state dir. Sets RUN, STATE, NS_*.
lab_begin() {
	RUN=$BASHPID
	STATE=$LAB_STATE_ROOT/$RUN
	mkdir -p "$STATE" || lab_die "cannot create '$STATE'"
	: >"$STATE/pids"
	: >"$STATE/sysctl"
	echo "$RUN" >"$STATE/owner"
	NS_C=$LAB_PREFIX-$RUN-c NS_R=$LAB_PREFIX-$RUN-r
	NS_S=$LAB_PREFIX-$RUN-s NS_P=$LAB_PREFIX-$RUN-p
	TRACE_INST=$LAB_TRACEFS/instances/$LAB_PREFIX-$RUN
}

# lab_kill_pid PID: TERM, then KILL after up to 1 s. Only the given PID.
lab_kill_pid() {
	local p=$1 i
	kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	return 0
}

# lab_teardown_run RUNID: undo everything a run recorded. Safe to call twice
# and on a half-built run.
lab_teardown_run() {
	local run=$1 st=$LAB_STATE_ROOT/$1 p ns line key val cg
	if [ -f "$st/pids" ]; then
		# newest first: clients before servers before captures
		for p in $(tac "$st/pids"); do lab_kill_pid "$p"; done
	fi
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_PREFIX-$run-"); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do lab_kill_pid "$p"; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -d "$LAB_TRACEFS/instances/$LAB_PREFIX-$run" ]; then
		echo 0 >"$LAB_TRACEFS/instances/$LAB_PREFIX-$run/tracing_on" 2>/dev/null
		rmdir "$LAB_TRACEFS/instances/$LAB_PREFIX-$run" 2>/dev/null
	fi
	if [ -f "$st/tracefs" ]; then
		# instances of processes the run started (rstscope watch), in case
		# one was killed before it could remove its own
		for line in $(cat "$st/tracefs"); do
			case $line in "$LAB_TRACEFS"/instances/*) ;; *) continue ;; esac
			[ -d "$line" ] || continue
			echo 0 >"$line/tracing_on" 2>/dev/null
			rmdir "$line" 2>/dev/null
		done
	fi
	if [ -f "$st/sysctl" ]; then
		# host-wide sysctls, restored in reverse order of change
		tac "$st/sysctl" | while IFS='=' read -r key val; do
			[ -n "$key" ] && sysctl -q -w "$key=$val" >/dev/null 2>&1
		done
	fi
	if [ -f "$st/cgroups" ]; then
		for cg in $(tac "$st/cgroups"); do
			if [ -f "$cg/cgroup.procs" ]; then
				for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do lab_kill_pid "$p"; done
			fi
			rmdir "$cg" 2>/dev/null
		done
	fi
	rm -rf "$st"
}

lab_teardown() {
	[ -n "${RUN:-}" ] || return 0
	if [ -n "${LAB_KEEP:-}" ]; then
		lab_log "--keep: namespaces $LAB_PREFIX-$RUN-* left up; 'rstscope lab cleanup' removes them"
		return 0
	fi
	lab_teardown_run "$RUN"
}

# lab_cleanup_stale [all]: tear down runs whose owner shell is gone (or
# every run with "all"), including namespaces and tracefs instances that
# have no state dir.
lab_cleanup_stale() {
	local all=${1:-} runs r n=0
	runs=$( { ls "$LAB_STATE_ROOT" 2>/dev/null
		  ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^$LAB_PREFIX-\([0-9]*\)-.*/\1/p"
		  ls "$LAB_TRACEFS/instances" 2>/dev/null | sed -n "s/^$LAB_PREFIX-\([0-9]*\)$/\1/p"
		} | sort -u)
	for r in $runs; do
		case $r in *[!0-9]*|'') continue ;; esac
		if [ -z "$all" ] && [ "$r" != "${RUN:-x}" ] && kill -0 "$r" 2>/dev/null &&
		   grep -q 'lab' "/proc/$r/cmdline" 2>/dev/null; then
			continue  # a live run
		fi
		[ "$r" = "${RUN:-x}" ] && continue
		lab_teardown_run "$r"
		n=$((n + 1))
	done
	[ $n -gt 0 ] && lab_log "removed leftovers of $n earlier run(s)"
	return 0
}

# lab_record_pid PID: teardown kills it.
lab_record_pid() { echo "$1" >>"$STATE/pids"; }

# lab_host_sysctl KEY VALUE: change a host-wide sysctl; teardown restores it.
lab_host_sysctl() {
	local old
	old=$(sysctl -n "$1") || lab_die "cannot read sysctl '$1'"
	echo "$1=$old" >>"$STATE/sysctl"
	sysctl -q -w "$1=$2" >/dev/null || lab_die "cannot set sysctl '$1'"
}

# --- topology ----------------------------------------------------------

lab_ns_add() {
	ip netns add "$1" || lab_die "cannot create namespace '$1'"
	ip -n "$1" link set lo up
}

# lab_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two namespaces.
lab_link() {
	ip link add name "$2" netns "$1" type veth peer name "$5" netns "$4" ||
		lab_die "cannot create veth $1/$2 -- $4/$5"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$4" addr add "$6/24" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
	# no offloads: the capture shows the segments as they are on the wire
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$4" ethtool -K "$5" tso off gso off gro off >/dev/null 2>&1
	return 0
}

# lab_topology [proxy]: client -- router -- server (and router -- proxy).
# HOPS extra hops are simulated by the router decrementing TTL further.
lab_topology() {
	local hops=${HOPS:-0}
	lab_ns_add "$NS_C"; lab_ns_add "$NS_R"; lab_ns_add "$NS_S"
	lab_link "$NS_C" eth0 10.99.1.2 "$NS_R" c0 10.99.1.1
	lab_link "$NS_S" eth0 10.99.2.2 "$NS_R" s0 10.99.2.1
	ip -n "$NS_C" route add default via 10.99.1.1
	ip -n "$NS_S" route add default via 10.99.2.1
	if [ "${1:-}" = proxy ]; then
		lab_ns_add "$NS_P"
		lab_link "$NS_P" eth0 10.99.3.2 "$NS_R" p0 10.99.3.1
		ip -n "$NS_P" route add default via 10.99.3.1
	fi
	lab_nsx "$NS_R" sysctl -q -w net.ipv4.ip_forward=1
	if [ "$hops" -gt 0 ]; then
		lab_nsx "$NS_R" iptables -t mangle -A FORWARD -j TTL --ttl-dec "$hops" ||
			lab_die "cannot add the TTL rule in the router"
	fi
	# the path works before the scenario starts
	lab_nsx "$NS_C" ping -c 1 -W 2 10.99.2.2 >/dev/null || lab_die "client cannot reach server"
}

# lab_nsx NS CMD...: run a command in a namespace (foreground).
lab_nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# lab_spawn NS NAME CMD...: start a background process in a namespace, log
# to $OUT/NAME.log, record its PID (ip netns exec execs the command, so the
# PID is the command's own; also in $OUT/NAME.pid). Sets LAST_PID.
lab_spawn() {
	local ns=$1 name=$2; shift 2
	ip netns exec "$ns" "$@" >"$OUT/$name.log" 2>&1 </dev/null &
	LAST_PID=$!
	disown "$LAST_PID"  # no job notices ("Killed") when a scenario kills it
	lab_record_pid "$LAST_PID"
	echo "$LAST_PID" >"$OUT/$name.pid"
}

# lab_wait PID... : wait (at most 45 s) until the given processes are gone.
lab_wait() {
	local p i
	for p in "$@"; do
		for ((i = 0; i < 450; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
	done
}

# lab_wait_port NS ADDR PORT [SECONDS]: wait until a TCP listener is up.
lab_wait_port() {
	local ns=$1 port=$3 t=${4:-5} i
	for ((i = 0; i < t * 20; i++)); do
		lab_nsx "$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	lab_die "nothing listens on port $port in '$ns' after ${t}s"
}

# lab_stop PID: stop one recorded process now (TERM then KILL).
lab_stop() { lab_kill_pid "$1"; lab_wait "$1"; }

# --- capture, kernel events, counters ----------------------------------

# lab_capture NS IFACE NAME: tcpdump into $OUT/NAME.pcap until lab_capture_stop.
lab_capture() {
	local ns=$1 ifc=$2 name=$3 i
	lab_spawn "$ns" "tcpdump-$name" tcpdump -i "$ifc" --immediate-mode -U -n \
		-s "${SNAPLEN:-262}" -w "$OUT/$name.pcap" tcp
	CAPTURE_PIDS="${CAPTURE_PIDS:-} $LAST_PID"
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$OUT/tcpdump-$name.log" 2>/dev/null && return 0
		sleep 0.05
	done
	lab_die "tcpdump in '$ns' did not start (see $OUT/tcpdump-$name.log)"
}

lab_capture_stop() {
	local p
	sleep 0.3  # let the last segments (RSTs, retransmissions) land
	for p in ${CAPTURE_PIDS:-}; do kill -INT "$p" 2>/dev/null; done
	lab_wait ${CAPTURE_PIDS:-}
	CAPTURE_PIDS=
}

# lab_trace_start: a tracefs instance of our own with the TCP reset events.
lab_trace_start() {
	local e
	if [ ! -d "$LAB_TRACEFS/events" ]; then
		mountpoint -q "$LAB_TRACEFS" || mount -t tracefs nodev "$LAB_TRACEFS" 2>/dev/null
	fi
	if ! mkdir "$TRACE_INST" 2>/dev/null; then
		lab_log "no tracefs instance (kernel events not recorded)"
		return 0
	fi
	for e in tcp_send_reset tcp_receive_reset; do
		[ -f "$TRACE_INST/events/tcp/$e/enable" ] &&
			echo 1 >"$TRACE_INST/events/tcp/$e/enable"
	done
	echo 1 >"$TRACE_INST/tracing_on"
}

lab_trace_stop() {
	local e
	[ -d "$TRACE_INST" ] || return 0
	echo 0 >"$TRACE_INST/tracing_on"
	cat "$TRACE_INST/trace" >"$OUT/kernel-resets.txt" 2>/dev/null
	mkdir -p "$OUT/trace-format"
	for e in tcp_send_reset tcp_receive_reset; do
		cat "$TRACE_INST/events/tcp/$e/format" >"$OUT/trace-format/$e" 2>/dev/null
	done
	rmdir "$TRACE_INST" 2>/dev/null
}

# lab_ct_sum: /proc/net/stat/nf_conntrack (hex, one line per CPU) summed
# into a "Conntrack:" header line and value line.
lab_ct_sum() {
	local hdr line i v sums=()
	read -r -a hdr || return 0
	while read -r -a line; do
		for i in "${!line[@]}"; do
			v=$((16#${line[$i]}))
			sums[i]=$(( ${sums[i]:-0} + v ))
		done
	done
	echo "Conntrack: ${hdr[*]}"
	echo "Conntrack: ${sums[*]}"
}

# lab_counters_snap NS TAG: raw /proc counters of a namespace (and the host's
# vmstat) into $STATE, for lab_counters_delta.
lab_counters_snap() {
	local ns=$1 tag=$2
	lab_nsx "$ns" cat /proc/net/snmp /proc/net/netstat >"$STATE/cnt-$ns-$tag" 2>/dev/null
	if [ -r /proc/net/stat/nf_conntrack ]; then
		lab_nsx "$ns" cat /proc/net/stat/nf_conntrack 2>/dev/null | lab_ct_sum >>"$STATE/cnt-$ns-$tag"
	fi
	grep -E '^oom_kill ' /proc/vmstat | awk '{ print "Vmstat: oom_kill"; print "Vmstat: " $2 }' \
		>>"$STATE/cnt-$ns-$tag"
}

# lab_counters_delta NS ROLE: non-zero deltas between the "a" and "b"
# snapshots into $OUT/counters-ROLE.txt ("Group:Name delta").
lab_counters_delta() {
	local ns=$1 role=$2
	awk -v A="$STATE/cnt-$ns-a" -v B="$STATE/cnt-$ns-b" 'function load(file, arr,   line, n, i, hdr, val, nh) {
		while ((getline line < file) > 0) {
			n = split(line, f, " ")
			if (f[1] in pend) { split(pend[f[1]], hdr, " ");
				for (i = 2; i <= n; i++) arr[f[1] hdr[i]] = f[i]; delete pend[f[1]] }
			else pend[f[1]] = line
		}
		close(file) }
	     BEGIN { load(A, a); load(B, b);
		for (k in b) { d = b[k] - a[k]; if (d != 0) printf "%s %d\n", k, d } }' | sort >"$OUT/counters-$role.txt"
}

# lab_observe_start / lab_observe_stop: trace + counters of every namespace.
lab_observe_start() {
	local ns
	lab_trace_start
	for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB_PREFIX-$RUN-"); do
		lab_counters_snap "$ns" a
	done
}

lab_observe_stop() {
	local ns
	lab_capture_stop
	lab_trace_stop
	for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB_PREFIX-$RUN-"); do
		lab_counters_snap "$ns" b
		lab_counters_delta "$ns" "${ns##*-}"
	done
	for ns in c r s p; do
		[ -f "$OUT/counters-$ns.txt" ] || continue
		case $ns in c) mv "$OUT/counters-c.txt" "$OUT/counters-client.txt" ;;
			    r) mv "$OUT/counters-r.txt" "$OUT/counters-router.txt" ;;
			    s) mv "$OUT/counters-s.txt" "$OUT/counters-server.txt" ;;
			    p) mv "$OUT/counters-p.txt" "$OUT/counters-proxy.txt" ;; esac
	done
}

# --- rstscope watch (an optional step of a scenario) ----------------------

# lab_watch NS IFACE: run `rstscope watch --json` in NS, capturing on IFACE
# and reading the kernel's reset events from a tracefs instance of its own
# (rstscope-<pid>; tracefs is host-wide, the join uses NS's own addresses),
# until lab_watch_stop (lab.sh calls it after the capture stops). Verdicts go
# to $OUT/watch.json, its messages to $OUT/watch.log. Teardown kills it by PID
# and removes its instance if it could not. Without the tcp_send_reset
# tracepoint the step is left out and $OUT/watch-skip.txt says why.
lab_watch() {
	local ns=$1 ifc=$2 bin i
	[ -z "${WATCH_PID:-}" ] || lab_die "rstscope watch is already running"
	if [ ! -e "$LAB_TRACEFS/events/tcp/tcp_send_reset" ]; then
		echo "no tcp:tcp_send_reset tracepoint on this kernel" >"$OUT/watch-skip.txt"
		lab_log "watch left out: $(cat "$OUT/watch-skip.txt")"
		return 0
	fi
	bin=$(lab_rstscope) && [ -n "$bin" ] || lab_die "no rstscope binary for watch (set RSTSCOPE)"
	# ip netns exec execs watch: the PID (and the instance's name) is its own;
	# RSTLAB_RUN in its environment lets the tests find a stray one
	RSTLAB_RUN=$RUN ip netns exec "$ns" "$bin" watch -i "$ifc" --json --horizon 1 --summary-every 0 \
		--duration "${WATCH_MAX_S:-60}" >"$OUT/watch.json" 2>"$OUT/watch.log" </dev/null &
	WATCH_PID=$!
	lab_record_pid "$WATCH_PID"
	echo "$LAB_TRACEFS/instances/rstscope-$WATCH_PID" >>"$STATE/tracefs"
	echo "$WATCH_PID" >"$OUT/watch.pid"
	printf 'watch: %s %s\n' "${ns##*-}" "$ifc" >>"$OUT/params.txt"
	for ((i = 0; i < 100; i++)); do
		grep -q 'watching:' "$OUT/watch.log" 2>/dev/null && break
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q "watching: capture on '$ifc'.*kernel events from tracefs instance" "$OUT/watch.log" ||
		lab_die "rstscope watch in '$ns' did not start with both sources (see $OUT/watch.log)"
	lab_log "watch in '$ns' on $ifc (pid $WATCH_PID)"
}

# lab_watch_stop: SIGINT (final verdicts, instance removed), KILL after 5 s.
# Returns 1 when watch had to be killed or left its instance behind.
lab_watch_stop() {
	local p=${WATCH_PID:-} i rc=0 inst
	[ -n "$p" ] || return 0
	WATCH_PID=
	inst=$LAB_TRACEFS/instances/rstscope-$p
	kill -INT "$p" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		lab_log "rstscope watch (pid $p) did not stop on SIGINT; killed"
		kill -KILL "$p" 2>/dev/null
		rc=1
	fi
	wait "$p" 2>/dev/null
	if [ -d "$inst" ]; then
		lab_log "rstscope watch left its tracefs instance '$inst'; removed"
		rmdir "$inst" 2>/dev/null
		rc=1
	fi
	[ $rc -eq 0 ] || echo "watch did not stop cleanly" >>"$OUT/watch-problems.txt"
	return $rc
}

# lab_mirror NS IFACE: a copy of every frame the router sends and receives on
# its client link (c0), as a switch's monitor port would give, delivered to
# IFACE in NS (a veth with no address, ARP or IPv6: the copies, addressed to
# other hosts, stop at the capture). Lets a watch in the server's namespace
# see what the path sends the client in the server's name.
lab_mirror() {
	local ns=$1 ifc=$2
	ip link add name m0 netns "$NS_R" type veth peer name "$ifc" netns "$ns" ||
		lab_die "cannot create the mirror link to '$ns'"
	lab_nsx "$NS_R" sysctl -q -w net.ipv6.conf.m0.disable_ipv6=1
	lab_nsx "$ns" sysctl -q -w "net.ipv6.conf.$ifc.disable_ipv6=1"
	ip -n "$NS_R" link set m0 arp off up
	ip -n "$ns" link set "$ifc" arp off up
	lab_nsx "$NS_R" ethtool -K m0 tso off gso off gro off >/dev/null 2>&1
	lab_nsx "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1
	lab_nsx "$NS_R" tc qdisc add dev c0 clsact &&
	lab_nsx "$NS_R" tc filter add dev c0 ingress protocol all u32 match u32 0 0 \
		action mirred egress mirror dev m0 &&
	lab_nsx "$NS_R" tc filter add dev c0 egress protocol all u32 match u32 0 0 \
		action mirred egress mirror dev m0 ||
		lab_die "cannot mirror the router's client link (tc clsact, u32, mirred)"
}

# --- real servers --------------------------------------------------------

# lab_nginx NS NAME HTTP-BLOCK-BODY: start nginx in the foreground with a
# config of our own under $STATE; the caller writes the http{} contents.
lab_nginx() {
	local ns=$1 name=$2 body=$3 dir=$STATE/$2
	mkdir -p "$dir/tmp" "$dir/html"
	echo "hello from $name" >"$dir/html/index.html"
	head -c 20000 /dev/zero | tr '\0' 'x' >"$dir/html/big.txt"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $dir/nginx.pid;
error_log $OUT/$name-error.log info;
events { worker_connections 256; }
http {
	access_log $OUT/$name-access.log;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	root $dir/html;
	$body
}
EOF
	lab_spawn "$ns" "$name" nginx -p "$dir" -c "$dir/nginx.conf"
}

# lab_haproxy NS NAME CONFIG-TEXT: start haproxy in the foreground.
lab_haproxy() {
	local ns=$1 name=$2 dir=$STATE/$2
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/haproxy.cfg"
	lab_spawn "$ns" "$name" haproxy -db -f "$dir/haproxy.cfg"
}

# lab_appserver NS NAME ARGS...: the lab's small python server.
lab_appserver() {
	local ns=$1 name=$2; shift 2
	lab_spawn "$ns" "$name" "$LAB_PY" -u "$LAB_DIR/servers/appserver.py" "$@"
}

# lab_client NAME ARGS...: the lab's HTTP client in the client namespace,
# in the foreground; its report goes to $OUT/NAME.txt and the terminal.
lab_client() {
	local name=$1 p rc; shift
	# backgrounded and waited for, so a TERM to the scenario acts at once
	ip netns exec "$NS_C" timeout 40 "$LAB_PY" -u "$LAB_DIR/clients/httpc.py" "$@" \
		>"$OUT/$name.txt" 2>&1 </dev/null &
	p=$!
	lab_record_pid "$p"
	wait "$p"
	rc=$?
	sed "s/^/  $name: /" "$OUT/$name.txt" >&2
	return $rc
}

# lab_run_fg NS LOG CMD...: a foreground command in a namespace that a TERM
# to the scenario interrupts (output to $OUT/LOG).
lab_run_fg() {
	local ns=$1 log=$2 p; shift 2
	ip netns exec "$ns" "$@" >"$OUT/$log" 2>&1 </dev/null &
	p=$!
	lab_record_pid "$p"
	wait "$p"
}

# lab_client_bg NAME ARGS...: the same in the background (recorded PID).
lab_client_bg() {
	local name=$1; shift
	lab_spawn "$NS_C" "$name" timeout 40 "$LAB_PY" -u "$LAB_DIR/clients/httpc.py" "$@"
}

lab_show_client() { sed "s/^/  $1: /" "$OUT/$1.log" >&2; }

# lab_memcg BYTES: create a memory-limited cgroup of our own (cgroup v2 when
# it has the memory controller, else v1) and print its path; 1 when neither
# is available. lab_spawn_in_cg starts a process inside it from its first
# allocation, so all its memory is charged there.
lab_memcg() {
	local bytes=$1 cg
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		cg=/sys/fs/cgroup/$LAB_PREFIX-$RUN
		mkdir "$cg" || return 1
		echo "$cg" >>"$STATE/cgroups"
		echo "$bytes" >"$cg/memory.max" || return 1
		echo 0 >"$cg/memory.swap.max" 2>/dev/null
	elif [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
		cg=/sys/fs/cgroup/memory/$LAB_PREFIX-$RUN
		mkdir "$cg" || return 1
		echo "$cg" >>"$STATE/cgroups"
		echo "$bytes" >"$cg/memory.limit_in_bytes" || return 1
		echo "$bytes" >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null
	else
		return 1
	fi
	echo "$cg"
}

# lab_spawn_in_cg CGROUP NS NAME CMD...: lab_spawn, joining CGROUP first.
# (joined outside the namespace: ip netns exec mounts a sysfs of its own)
lab_spawn_in_cg() {
	local cg=$1 ns=$2 name=$3; shift 3
	sh -c 'echo $$ >"$0/cgroup.procs" && exec ip netns exec "$@"' "$cg" "$ns" "$@" \
		>"$OUT/$name.log" 2>&1 </dev/null &
	LAST_PID=$!
	disown "$LAST_PID"
	lab_record_pid "$LAST_PID"
}
