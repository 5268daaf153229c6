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
#   client 10.99.1.2 -- 10.99.1.1 [routers] box [routers] 10.99.2.1 -- 10.99.2.2 server
#                                           box 10.99.3.1 -- 10.99.3.2 proxy
# links between routers: 10.99.(10+N).0/24 (see lab_topology)

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

# The draws of a run come from LAB_SEED and a counter in $STATE/rng, so that
# lab_pick gives the same sequence for the same seed also when it runs in a
# command substitution (bash reseeds RANDOM in every subshell, and a
# subshell's draws would not advance the parent's sequence).

# lab_rng_init SEED: start the run's sequence (after lab_begin).
lab_rng_init() {
	LAB_SEED=$1
	echo 0 >"$STATE/rng"
}

# lab_pick LO HI: the next seeded integer in [LO,HI].
lab_pick() {
	local n x
	read -r n <"$STATE/rng" || n=0
	echo $((n + 1)) >"$STATE/rng"
	# splitmix64, its state the seed's stream position n: 64-bit wrapping
	# bash arithmetic
	x=$(( (LAB_SEED << 32) + (n + 1) * -7046029254386353131 ))
	x=$(( (x ^ ((x >> 30) & 0x3ffffffff)) * -4658895280553007687 ))
	x=$(( (x ^ ((x >> 27) & 0x1fffffffff)) * -7723592293110705685 ))
	x=$(( (x ^ ((x >> 31) & 0x1ffffffff)) & 0x7fffffffffffffff ))
	echo $(( $1 + x % ($2 - $1 + 1) ))
}

# lab_pick_of WORD...: one of the words, seeded.
lab_pick_of() {
	local i
	i=$(lab_pick 1 $#)
	echo "${!i}"
}

# lab_param NAME VALUE: set and record a scenario parameter.
lab_param() {
	printf -v "$1" '%s' "$2"
	printf '%s=%s\n' "$1" "$2" >>"$OUT/params.txt"
	lab_log "param $1=$2"
}

# --- run state -----------------------------------------------------------

# lab_pid_start PID: the process's start time (field 22 of /proc/PID/stat,
# clock ticks since boot); 1 when it is gone or a zombie. A PID with the
# same start time is the same process, never a reuse of its number.
lab_pid_start() {
	local s f
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	[ "$1" != Z ] && [ "$1" != X ] && [ -n "${20:-}" ] || return 1
	echo "${20}"
}

# lab_begin: claim a run id and its state dir. Sets RUN, STATE, NS_*. The
# owner file holds the run's PID and start time: a run is alive while that
# process is.
lab_begin() {
	RUN=$BASHPID
	STATE=$LAB_STATE_ROOT/$RUN
	mkdir -p "$STATE" || lab_die "cannot create '$STATE'"
	: >"$STATE/pids"
	: >"$STATE/sysctl"
	echo "$RUN $(lab_pid_start "$RUN")" >"$STATE/owner"
	NS_C=$LAB_PREFIX-$RUN-c NS_R=$LAB_PREFIX-$RUN-r
	NS_S=$LAB_PREFIX-$RUN-s NS_P=$LAB_PREFIX-$RUN-p
	TRACE_INST=$LAB_TRACEFS/instances/$LAB_PREFIX-$RUN
}

# lab_kill_pid PID [START]: TERM, then KILL after up to 1 s. Only the given
# PID, and with START only while it is still the process that started then.
lab_kill_pid() {
	local p=$1 t=${2:-} i
	lab_same_pid() { kill -0 "$p" 2>/dev/null && { [ -z "$t" ] || [ "$(lab_pid_start "$p")" = "$t" ]; }; }
	lab_same_pid || return 0
	kill -TERM "$p" 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do
		lab_same_pid || return 0
		sleep 0.1
	done
	lab_same_pid && kill -KILL "$p" 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do
		lab_same_pid || return 0
		sleep 0.1
	done
	return 0
}

# lab_said WHAT: say what a cleanup of a dead run removed (LAB_SAY set).
lab_said() { [ -z "${LAB_SAY:-}" ] || lab_log "cleanup of run ${LAB_SAY}: $*"; }

# lab_teardown_run RUNID: undo everything a run recorded. Safe to call twice
# and on a half-built run. Recorded processes are killed only while their
# start time is the recorded one (a line without one is an older run's:
# its number may belong to another process by now, so it is left alone).
lab_teardown_run() {
	local run=$1 st=$LAB_STATE_ROOT/$1 p t ns line key val cg now
	if [ -f "$st/pids" ]; then
		# newest first: clients before servers before captures
		while read -r p t; do
			case $p in ''|*[!0-9]*) continue ;; esac
			case $t in ''|*[!0-9]*) continue ;; esac
			kill -0 "$p" 2>/dev/null && [ "$(lab_pid_start "$p")" = "$t" ] &&
				lab_said "killed pid $p ($(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-60))"
			lab_kill_pid "$p" "$t"
		done < <(tac "$st/pids")
	fi
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_PREFIX-$run-"); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			lab_said "killed pid $p in namespace $ns"
			lab_kill_pid "$p" "$(lab_pid_start "$p")"
		done
		ip netns del "$ns" 2>/dev/null && lab_said "removed namespace $ns"
	done
	if [ -d "$LAB_TRACEFS/instances/$LAB_PREFIX-$run" ]; then
		echo 0 >"$LAB_TRACEFS/instances/$LAB_PREFIX-$run/tracing_on" 2>/dev/null
		rmdir "$LAB_TRACEFS/instances/$LAB_PREFIX-$run" 2>/dev/null &&
			lab_said "removed tracefs instance $LAB_PREFIX-$run"
	fi
	if [ -f "$st/tracefs" ]; then
		# instances of processes the run started (rstscope watch), in case
		# one was killed before it could remove its own
		for line in $(cat "$st/tracefs"); do
			case $line in "$LAB_TRACEFS"/instances/*) ;; *) continue ;; esac
			[ -d "$line" ] || continue
			echo 0 >"$line/tracing_on" 2>/dev/null
			rmdir "$line" 2>/dev/null && lab_said "removed tracefs instance ${line##*/}"
		done
	fi
	if [ -f "$st/sysctl" ]; then
		# host-wide sysctls, restored in reverse order of change
		while IFS='=' read -r key val; do
			[ -n "$key" ] || continue
			now=$(sysctl -n "$key" 2>/dev/null)
			sysctl -q -w "$key=$val" >/dev/null 2>&1 &&
				[ "$now" != "$val" ] && lab_said "restored sysctl $key to $val (was $now)"
		done < <(tac "$st/sysctl")
	fi
	if [ -f "$st/cgroups" ]; then
		for cg in $(tac "$st/cgroups"); do
			if [ -f "$cg/cgroup.procs" ]; then
				for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
					lab_said "killed pid $p in cgroup $cg"
					lab_kill_pid "$p" "$(lab_pid_start "$p")"
				done
			fi
			rmdir "$cg" 2>/dev/null && lab_said "removed cgroup $cg"
		done
	fi
	[ -d "$st" ] && rm -rf "$st" && lab_said "removed state dir $st"
	return 0
}

lab_teardown() {
	[ -n "${RUN:-}" ] || return 0
	if [ -n "${LAB_KEEP:-}" ]; then
		lab_log "--keep: namespaces $LAB_PREFIX-$RUN-* left up; 'rstscope lab cleanup' removes them"
		return 0
	fi
	lab_teardown_run "$RUN"
}

# lab_run_alive RUNID: is the run's shell still running? Its owner file
# names its PID and start time; without one (a run from before owner files
# had start times, or namespaces with no state dir) a live PID whose command
# line names the lab counts.
lab_run_alive() {
	local p t
	if read -r p t <"$LAB_STATE_ROOT/$1/owner" 2>/dev/null && [ -n "$t" ]; then
		[ "$(lab_pid_start "$p")" = "$t" ]
		return
	fi
	kill -0 "$1" 2>/dev/null && grep -q 'lab' "/proc/$1/cmdline" 2>/dev/null
}

# lab_cleanup_stale [all]: tear down runs whose owner shell is gone (or
# every run with "all"), including namespaces and tracefs instances that
# have no state dir, and say what each left. Live runs are never touched
# without "all".
lab_cleanup_stale() {
	local all=${1:-} runs r n=0 live=0
	runs=$( { ls "$LAB_STATE_ROOT" 2>/dev/null
		  ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^$LAB_PREFIX-\([0-9]*\)-.*/\1/p"
		  ls "$LAB_TRACEFS/instances" 2>/dev/null | sed -n "s/^$LAB_PREFIX-\([0-9]*\)$/\1/p"
		} | sort -u)
	for r in $runs; do
		case $r in *[!0-9]*|'') continue ;; esac
		[ "$r" = "${RUN:-x}" ] && continue
		if [ -z "$all" ] && lab_run_alive "$r"; then
			live=$((live + 1))
			continue
		fi
		LAB_SAY=$r lab_teardown_run "$r"
		n=$((n + 1))
	done
	[ $n -gt 0 ] && lab_log "removed leftovers of $n earlier run(s)"
	[ $live -gt 0 ] && lab_log "left $live live run(s) alone"
	return 0
}

# lab_record_pid PID: teardown kills it (while it is the process that has
# that PID now: its start time is recorded beside it).
lab_record_pid() { echo "$1 $(lab_pid_start "$1" || echo -)" >>"$STATE/pids"; }

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

# lab_draw_network: draw the path and the stacks' initial TTLs (seeded;
# before any scenario parameter). The box (NS_R, where scenarios put their
# conntrack and iptables rules) has LAB_A routers on its client side and
# LAB_B on its server side (0..2 each). The placement cycles with the seed,
# so that any 4 consecutive seeds put the box right next to the server
# (LAB_B=0: the server's packets arrive one hop farther than the box's own)
# and right next to the client (LAB_A=0); the other counts are drawn.
# Initial TTLs (IPv4 TTL and IPv6 hop limit) of client, box, server and
# proxy are drawn from 64, 128, 255; plain routers keep 64.
lab_draw_network() {
	case $((LAB_SEED % 4)) in
	0) lab_param LAB_A "$(lab_pick 1 2)"; lab_param LAB_B 0 ;;
	1) lab_param LAB_A 0; lab_param LAB_B "$(lab_pick 1 2)" ;;
	2) lab_param LAB_A 0; lab_param LAB_B 0 ;;
	3) lab_param LAB_A "$(lab_pick 1 2)"; lab_param LAB_B "$(lab_pick 1 2)" ;;
	esac
	lab_param TTL_C "$(lab_pick_of 64 128 255)"
	lab_param TTL_R "$(lab_pick_of 64 128 255)"
	lab_param TTL_S "$(lab_pick_of 64 128 255)"
	lab_param TTL_P "$(lab_pick_of 64 128 255)"
	# the short code of the drawn network: box position from the client,
	# routers after it, initial TTLs of client/box/server/proxy
	lab_param TOPO "box$((LAB_A + 1))+$LAB_B/c$TTL_C,b$TTL_R,s$TTL_S,p$TTL_P"
}

# lab_ns_ttl NS TTL: the namespace's initial TTL and hop limit.
lab_ns_ttl() {
	lab_nsx "$1" sysctl -q -w net.ipv4.ip_default_ttl="$2" net.ipv6.conf.all.hop_limit="$2" \
		net.ipv6.conf.default.hop_limit="$2" || lab_die "cannot set the initial TTL in '$1'"
}

# lab_chain_addr LINK SIDE: the address of the left (L) or right (R) end of
# link LINK of the chain (0: the client's link 10.99.1.0/24, the last: the
# server's 10.99.2.0/24, between: 10.99.(10+LINK).0/24, left end .1).
lab_chain_addr() {
	local j=$1 last=$((LAB_A + LAB_B + 1))
	if [ "$j" -eq 0 ]; then
		[ "$2" = L ] && echo 10.99.1.2 || echo 10.99.1.1
	elif [ "$j" -eq "$last" ]; then
		[ "$2" = L ] && echo 10.99.2.1 || echo 10.99.2.2
	else
		[ "$2" = L ] && echo "10.99.$((10 + j)).1" || echo "10.99.$((10 + j)).2"
	fi
}

# lab_topology [proxy]: client -- a1..aA -- box -- b1..bB -- server (and
# box -- proxy), real forwarding namespaces, one /24 per link, static routes
# both ways (so the box sees both directions of every flow). Routers' links
# are c0 (towards the client) and s0 (towards the server); the box's proxy
# link is p0. Sets LAB_NODES (the chain's namespaces, client first) and
# LAB_BOX_SIP (the box's address on its server-side link).
lab_topology() {
	local nodes=("$NS_C") i j n last box ns via
	LAB_A=${LAB_A:-0} LAB_B=${LAB_B:-0}
	for ((i = 1; i <= LAB_A; i++)); do nodes+=("$LAB_PREFIX-$RUN-a$i"); done
	nodes+=("$NS_R")
	for ((i = 1; i <= LAB_B; i++)); do nodes+=("$LAB_PREFIX-$RUN-b$i"); done
	nodes+=("$NS_S")
	n=${#nodes[@]} last=$((n - 2)) box=$((LAB_A + 1))
	LAB_NODES=("${nodes[@]}")
	for ns in "${nodes[@]}"; do lab_ns_add "$ns"; done
	lab_ns_ttl "$NS_C" "${TTL_C:-64}"
	lab_ns_ttl "$NS_R" "${TTL_R:-64}"
	lab_ns_ttl "$NS_S" "${TTL_S:-64}"
	for ((j = 0; j <= last; j++)); do
		# link j joins node j (its s0, or the client's eth0) and node j+1
		# (its c0, or the server's eth0)
		lab_link "${nodes[j]}" "$([ "$j" -eq 0 ] && echo eth0 || echo s0)" "$(lab_chain_addr "$j" L)" \
			"${nodes[j + 1]}" "$([ "$j" -eq "$last" ] && echo eth0 || echo c0)" "$(lab_chain_addr "$j" R)"
	done
	ip -n "$NS_C" route add default via 10.99.1.1
	ip -n "$NS_S" route add default via 10.99.2.1
	for ((i = 1; i <= n - 2; i++)); do
		lab_nsx "${nodes[i]}" sysctl -q -w net.ipv4.ip_forward=1
		for ((j = 0; j <= last; j++)); do
			[ "$j" -eq $((i - 1)) ] || [ "$j" -eq "$i" ] && continue  # connected
			if [ "$j" -lt "$i" ]; then via=$(lab_chain_addr $((i - 1)) L)
			else via=$(lab_chain_addr "$i" R); fi
			ip -n "${nodes[i]}" route add "$(lab_chain_addr "$j" L | sed 's/\.[0-9]*$/.0/')/24" via "$via" ||
				lab_die "cannot add a route in '${nodes[i]}'"
		done
		if [ "${1:-}" = proxy ] && [ "$i" -ne "$box" ]; then
			if [ "$i" -lt "$box" ]; then via=$(lab_chain_addr "$i" R)
			else via=$(lab_chain_addr $((i - 1)) L); fi
			ip -n "${nodes[i]}" route add 10.99.3.0/24 via "$via"
		fi
	done
	LAB_BOX_SIP=$(lab_chain_addr "$box" L)
	if [ "${1:-}" = proxy ]; then
		lab_ns_add "$NS_P"
		lab_ns_ttl "$NS_P" "${TTL_P:-64}"
		lab_link "$NS_P" eth0 10.99.3.2 "$NS_R" p0 10.99.3.1
		ip -n "$NS_P" route add default via 10.99.3.1
	fi
	printf 'path: %s\n' "$(printf '%s ' "${nodes[@]##*-}")" >>"$OUT/params.txt"
	# the path works before the scenario starts
	lab_nsx "$NS_C" ping -c 1 -W 2 10.99.2.2 >/dev/null || lab_die "client cannot reach server"
	if [ "${1:-}" = proxy ]; then
		lab_nsx "$NS_C" ping -c 1 -W 2 10.99.3.2 >/dev/null || lab_die "client cannot reach proxy"
		lab_nsx "$NS_P" ping -c 1 -W 2 10.99.2.2 >/dev/null || lab_die "proxy cannot reach server"
	fi
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

# lab_kernel_reason SRC DST REASON: whether the run's trace so far has a
# tcp_send_reset from SRC to DST (ADDR:PORT) with that reason. 0: yes; 1:
# no; 0 too (with a note in params.txt) when the kernel gives no reason or
# no trace is recorded, so a host without the tracepoint can still run.
lab_kernel_reason() {
	local f=$LAB_TRACEFS/events/tcp/tcp_send_reset/format
	if [ ! -d "$TRACE_INST" ] || ! grep -q 'reason=' "$f" 2>/dev/null; then
		echo "kernel reason not verified (no tcp_send_reset reason on this kernel)" >>"$OUT/params.txt"
		return 0
	fi
	grep -q "tcp_send_reset: .* src=$1 dest=$2 .*reason=$3\b" "$TRACE_INST/trace"
}

# lab_pcap_has NAME FILTER: whether OUT/NAME.pcap (still being written:
# tcpdump -U) has a packet matching the tcpdump FILTER. 0: yes.
lab_pcap_has() {
	[ -n "$(tcpdump -nn -r "$OUT/$1.pcap" "$2" 2>/dev/null | head -n 1)" ]
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
	for ns in c r s p a1 a2 b1 b2; do
		[ -f "$OUT/counters-$ns.txt" ] || continue
		case $ns in c) mv "$OUT/counters-c.txt" "$OUT/counters-client.txt" ;;
			    r) mv "$OUT/counters-r.txt" "$OUT/counters-router.txt" ;;
			    s) mv "$OUT/counters-s.txt" "$OUT/counters-server.txt" ;;
			    p) mv "$OUT/counters-p.txt" "$OUT/counters-proxy.txt" ;;
			    *) mv "$OUT/counters-$ns.txt" "$OUT/counters-router-$ns.txt" ;; esac
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
	lab_watch_started "$WATCH_PID" "$OUT/watch.log"
	grep -q "watching: capture on '$ifc'.*kernel events from tracefs instance" "$OUT/watch.log" ||
		lab_die "rstscope watch in '$ns' did not start with both sources (see $OUT/watch.log)"
	lab_log "watch in '$ns' on $ifc (pid $WATCH_PID)"
}

# lab_watch_started PID LOG: wait (at most 5 s) until the watch of PID has
# said "watching:" in LOG, or is gone.
lab_watch_started() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q 'watching:' "$2" 2>/dev/null && break
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
}

# lab_int_stop PID WHO PROBLEMS LINE: SIGINT to one of the lab's rstscope
# processes (it prints its final output), KILL after 5 s, then reaped; when
# it had to be killed, that is logged, LINE appended to PROBLEMS, and 1.
# Its exit status is left in LAB_STOP_EXIT.
lab_int_stop() {
	local p=$1 i rc=0
	kill -INT "$p" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		lab_log "$2 (pid $p) did not stop on SIGINT; killed"
		kill -KILL "$p" 2>/dev/null
		echo "$4" >>"$3"
		rc=1
	fi
	wait "$p" 2>/dev/null
	LAB_STOP_EXIT=$?
	return $rc
}

# lab_watch_end PID WHO PROBLEMS: SIGINT to a watch (final verdicts, its
# instance removed), KILL after 5 s; what went wrong is logged and appended
# to PROBLEMS. Returns 1 when it had to be killed or left its instance.
lab_watch_end() {
	local p=$1 who=$2 problems=$3 rc=0 inst=$LAB_TRACEFS/instances/rstscope-$1
	lab_int_stop "$p" "$who" "$problems" "watch did not stop on SIGINT" || rc=1
	if [ -d "$inst" ]; then
		lab_log "$who left its tracefs instance '$inst'; removed"
		echo "tracefs instance $inst left behind" >>"$problems"
		rmdir "$inst" 2>/dev/null
		rc=1
	fi
	return $rc
}

# lab_watch_stop: stop the watch of lab_watch (lab_watch_end). Returns 1 when
# it had to be killed or left its instance behind.
lab_watch_stop() {
	local p=${WATCH_PID:-}
	[ -n "$p" ] || return 0
	WATCH_PID=
	lab_watch_end "$p" "rstscope watch" "$OUT/watch-problems.txt"
}

# --- rstscope watch on the host (lab_watch_host) ---------------------------

# lab_cg_root: the cgroup hierarchy whose path watch gives a process (the v1
# memory hierarchy where memory is a v1 controller, else the v2 tree), its
# mount point printed; 1 when there is none.
lab_cg_root() {
	local root
	root=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ { print $5; exit }' /proc/self/mountinfo)
	[ -n "$root" ] || root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$root" ] && [ -d "$root" ] || return 1
	echo "$root"
}

# lab_plaincg NAME: a cgroup of our own without limits, rstlab-<run>-NAME, in
# the hierarchy of lab_cg_root; its path printed. Teardown kills what is
# left in it and removes it.
lab_plaincg() {
	local root cg
	root=$(lab_cg_root) || return 1
	cg=$root/$LAB_PREFIX-$RUN-$1
	mkdir "$cg" || return 1
	echo "$cg" >>"$STATE/cgroups"
	echo "$cg"
}

# lab_hostwatch_cg CGROUP: the server runs in CGROUP (a path under a
# cgroup mount): its path as watch names it (from the hierarchy's root)
# into OUT/hostwatch-cgroup.txt, for lab_check_hostwatch.
lab_hostwatch_cg() {
	local cg=$1 mnt best=
	for mnt in $(awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo); do
		case $cg in "$mnt"/*) [ ${#mnt} -gt ${#best} ] && best=$mnt ;; esac
	done
	[ -n "$best" ] || lab_die "lab_hostwatch_cg: '$cg' is under no cgroup mount"
	echo "${cg#"$best"}" >"$OUT/hostwatch-cgroup.txt"
}

# lab_watch_host: `rstscope watch` in the initial namespace with its
# default sources (capture on any, which sees none of the lab's
# namespaces, and the kernel's events, which are host-wide: the lab's
# resets are kernel-only) plus --json and --metrics 127.0.0.1:PORT, until
# lab_watch_host_stop. Start it before the scenario's servers (their
# listen places them). Output in OUT/hostwatch.json and hostwatch.log, the
# server namespace's inode in hostwatch-netns.txt. Without the
# tcp_send_reset tracepoint the step is left out (hostwatch-skip.txt).
lab_watch_host() {
	local bin i port=
	[ -z "${HOSTWATCH_PID:-}" ] || lab_die "the host's rstscope watch is already running"
	if [ ! -e "$LAB_TRACEFS/events/tcp/tcp_send_reset" ]; then
		echo "no tcp:tcp_send_reset tracepoint on this kernel" >"$OUT/hostwatch-skip.txt"
		lab_log "host watch left out: $(cat "$OUT/hostwatch-skip.txt")"
		return 0
	fi
	command -v curl >/dev/null || lab_die "no curl for the metrics (scripts/deps.sh)"
	bin=$(lab_rstscope) && [ -n "$bin" ] || lab_die "no rstscope binary for watch (set RSTSCOPE)"
	# a free port of the run's own (not drawn: the seed's sequence is the
	# scenario's)
	for ((i = 0; i < 50; i++)); do
		port=$((19100 + (RUN + i * 37) % 800))
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || break
	done
	lab_nsx "$NS_S" stat -L -c %i /proc/self/ns/net >"$OUT/hostwatch-netns.txt"
	RSTLAB_RUN=$RUN "$bin" watch --json --horizon 1 --summary-every 0 --metrics "127.0.0.1:$port" \
		--duration "${WATCH_MAX_S:-60}" >"$OUT/hostwatch.json" 2>"$OUT/hostwatch.log" </dev/null &
	HOSTWATCH_PID=$!
	HOSTWATCH_PORT=$port
	lab_record_pid "$HOSTWATCH_PID"
	echo "$LAB_TRACEFS/instances/rstscope-$HOSTWATCH_PID" >>"$STATE/tracefs"
	echo "$HOSTWATCH_PID" >"$OUT/hostwatch.pid"
	echo "127.0.0.1:$port" >"$OUT/hostwatch-metrics-addr.txt"  # not a param: not drawn
	lab_watch_started "$HOSTWATCH_PID" "$OUT/hostwatch.log"
	grep -q "watching: capture on 'any'.*kernel events from tracefs instance.*metrics on port $port" "$OUT/hostwatch.log" ||
		lab_die "the host's rstscope watch did not start with its default sources (see $OUT/hostwatch.log)"
	lab_log "host watch (pid $HOSTWATCH_PID, metrics on $port)"
}

# lab_watch_host_stop: wait until the last kernel reset is a verdict (one
# window plus one horizon), scrape the metrics (OUT/hostwatch-metrics.txt;
# the number of lines of hostwatch.json then in hostwatch-scraped.txt),
# SIGINT (the summary, instance removed), KILL after 5 s. 1 when watch had
# to be killed or left its tracefs instance (hostwatch-problems.txt).
lab_watch_host_stop() {
	local p=${HOSTWATCH_PID:-}
	[ -n "$p" ] || return 0
	HOSTWATCH_PID=
	sleep 2.2
	wc -l <"$OUT/hostwatch.json" >"$OUT/hostwatch-scraped.txt"
	curl -sS -m 3 "http://127.0.0.1:$HOSTWATCH_PORT/metrics" >"$OUT/hostwatch-metrics.txt" 2>>"$OUT/hostwatch.log" ||
		echo "metrics not scraped from 127.0.0.1:$HOSTWATCH_PORT" >>"$OUT/hostwatch-problems.txt"
	lab_watch_end "$p" "the host's rstscope watch" "$OUT/hostwatch-problems.txt"
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

# lab_server NS NAME STACK PORTS [KEEPALIVE_S]: a keep-alive HTTP server of
# one of the lab's stacks (nginx, haproxy, node: lab/servers/node-http.js,
# python: lab/servers/kaserver.py) listening on PORTS (comma-separated),
# answering every path with 200 and a short body (/big.txt: 20000 bytes),
# closing a connection idle for KEEPALIVE_S seconds (default 120) with a FIN.
# Returns once every port listens. Sets LAST_PID.
lab_server() {
	local ns=$1 name=$2 stack=$3 ports=$4 ka=${5:-120} p listen= binds= args=()
	for p in ${ports//,/ }; do
		listen="$listen listen $p;"
		binds="$binds
	bind :$p"
		args+=(--port "$p")
	done
	case $stack in
	nginx) lab_nginx "$ns" "$name" "keepalive_timeout ${ka}s; server {$listen
		location /health { return 200 \"ok\\n\"; } }" ;;
	haproxy) lab_haproxy "$ns" "$name" "global
	log stderr format short local0 info
defaults
	mode http
	log global
	timeout client 60s
	timeout http-keep-alive ${ka}s
	timeout http-request 60s
frontend web$binds
	http-request return status 200 content-type text/plain string \"hello from haproxy\" if { path_beg / }" ;;
	node) command -v node >/dev/null || lab_die "no node (Debian package nodejs; scripts/deps.sh)"
	      lab_spawn "$ns" "$name" node "$LAB_DIR/servers/node-http.js" "${args[@]}" \
		--keepalive-ms "$(awk -v s="$ka" 'BEGIN { printf "%d", s * 1000 }')" ;;
	python) lab_spawn "$ns" "$name" "$LAB_PY" -u "$LAB_DIR/servers/kaserver.py" "${args[@]}" --keepalive "$ka" ;;
	*) lab_die "unknown server stack '$stack'" ;;
	esac
	for p in ${ports//,/ }; do lab_wait_port "$ns" 0 "$p"; done
}

# lab_pick_stack: one of the lab's server stacks, seeded.
lab_pick_stack() { lab_pick_of nginx node haproxy python; }

# lab_draw_reuse TIMER: when a second client reuses its connection, around
# the TIMER (seconds) that reaps idle connections: REUSE_AT cycles with the
# seed (before, at, after: any three consecutive seeds have each), REUSE is
# drawn: before 0.4-0.8 s under the timer (at least 0.3 s), at within 30 ms
# of it, after 1.2-1.8 s over it.
lab_draw_reuse() {
	local t=$1 d
	case $(( (LAB_SEED / 4 + LAB_SEED) % 3 )) in
	0) lab_param REUSE_AT before; d=-$(lab_pick 400 800) ;;
	1) lab_param REUSE_AT at; d=$(lab_pick -30 30) ;;
	*) lab_param REUSE_AT after; d=$(lab_pick 1200 1800) ;;
	esac
	lab_param REUSE "$(awk -v t="$t" -v d="$d" 'BEGIN { r = t + d / 1000; if (r < 0.3) r = 0.3; printf "%.3f", r }')"
}

# lab_reuse_reaped NAME: whether the reuse (the second request in the
# client's report OUT/NAME) was reaped (EOF, a reset, a timeout: 0) or got a
# response (1).
lab_reuse_reaped() {
	local line
	line=$(grep -E ' get[ :]/ -> ' "$OUT/$1" | sed -n 2p)
	case $line in *' -> '[1-5][0-9][0-9]' '*) return 1 ;; esac
	return 0
}

# lab_expect_reuse NAME PORT SRC KINDS ROLE FORGED: the expectation for the
# reuse connection (local port PORT, client report OUT/NAME) follows the
# draw and, at the timer, what the client saw: reaped, its RSTs from SRC
# have one of KINDS and that ROLE and FORGED (at least one; KINDS "none":
# a reaped reuse gets no RST at all); at the timer (REUSE_AT at) a reaped
# reuse whose capture holds no RST from SRC closed cleanly and must have
# none; served, that connection has no RST.
# A reuse before the timer that was reaped, or after it that was served,
# means the lab did not build what it drew: exit 4.
lab_expect_reuse() {
	local i
	if lab_reuse_reaped "$1"; then
		[ "$REUSE_AT" = before ] && lab_die "the reuse ${REUSE}s before the timer was reaped (see $OUT/$1)"
		lab_param REUSE_OUTCOME reaped
		# at the timer the reaper may still be draining when the request
		# and the client's FIN come (HAProxy's lingering close reads them):
		# a clean close, no RST; the capture says which (up to 1 s for it)
		if [ "$4" != none ] && [ "$REUSE_AT" = at ]; then
			for ((i = 0; i < 10; i++)); do
				lab_pcap_has client "src host $3 and dst port $2 and tcp[tcpflags] & tcp-rst != 0" && break
				sleep 0.1
			done
			if [ "$i" -eq 10 ]; then
				lab_param REUSE_WIRE "no RST (closed cleanly)"
				EXPECT_RSTS+=(".dport == $2|*|*|*|0|0")
				return 0
			fi
			lab_param REUSE_WIRE RST
		fi
		if [ "$4" = none ]; then EXPECT_RSTS+=(".dport == $2|*|*|*|0|0")
		else EXPECT_RSTS+=(".src == \"$3\" and .dport == $2|$4|$5|$6|1"); fi
	else
		[ "$REUSE_AT" = after ] && lab_die "the reuse ${REUSE}s after the timer was served (see $OUT/$1)"
		lab_param REUSE_OUTCOME served
		EXPECT_RSTS+=(".dport == $2|*|*|*|0|0")
	fi
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

# --- rstscope host (the host-* scenarios) ----------------------------------

# lab_host ROLE: run `rstscope host --json --interval 1` in the namespace of
# ROLE (client, router, server; "host": the initial namespace; "netns-server":
# from the initial namespace with --netns into the server's, so that /sys and
# its cgroups are the host's while the network counters are the quiet
# server's: for OOM kills) until lab_host_stop (lab.sh calls it after the
# capture stops). Findings go to $OUT/host.json, messages to $OUT/host.log;
# the namespace's inode to $OUT/host-netns.txt, ROLE to $OUT/host-role.txt.
# Returns once the first sample (the baseline) is printed. Teardown kills it
# by PID.
lab_host() {
	local role=$1 ns bin i
	[ -z "${HOST_PID:-}" ] || lab_die "rstscope host is already running"
	case $role in
	client) ns=$NS_C ;; router) ns=$NS_R ;; server) ns=$NS_S ;; host|netns-server) ns= ;;
	*) lab_die "lab_host: unknown role '$role'" ;;
	esac
	local args=()
	[ "$role" = netns-server ] && args=(--netns "$NS_S")
	bin=$(lab_rstscope) && [ -n "$bin" ] || lab_die "no rstscope binary for host (set RSTSCOPE)"
	if [ -n "$ns" ]; then
		lab_nsx "$ns" stat -L -c %i /proc/self/ns/net >"$OUT/host-netns.txt"
		# ip netns exec execs rstscope: the PID is its own
		RSTLAB_RUN=$RUN ip netns exec "$ns" "$bin" host --json --interval 1 --count "${HOST_MAX_S:-60}" \
			>"$OUT/host.json" 2>"$OUT/host.log" </dev/null &
	else
		if [ ${#args[@]} -gt 0 ]; then
			lab_nsx "$NS_S" stat -L -c %i /proc/self/ns/net >"$OUT/host-netns.txt"
		else
			stat -L -c %i /proc/self/ns/net >"$OUT/host-netns.txt"
		fi
		RSTLAB_RUN=$RUN "$bin" host --json --interval 1 --count "${HOST_MAX_S:-60}" "${args[@]}" \
			>"$OUT/host.json" 2>"$OUT/host.log" </dev/null &
	fi
	HOST_PID=$!
	lab_record_pid "$HOST_PID"
	echo "$HOST_PID" >"$OUT/host.pid"
	echo "$role" >"$OUT/host-role.txt"
	printf 'host: %s\n' "$role" >>"$OUT/params.txt"
	# the baseline: the sources' lines are printed after the first sample
	for ((i = 0; i < 100; i++)); do
		grep -q '"name":"sock-diag"' "$OUT/host.json" 2>/dev/null && break
		kill -0 "$HOST_PID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '"name":"sock-diag"' "$OUT/host.json" ||
		lab_die "rstscope host in '$role' did not start (see $OUT/host.log)"
	lab_log "host in '$role' (pid $HOST_PID)"
}

# lab_host_wait ID [SECONDS]: wait (at most SECONDS, default 4) until
# rstscope host reported a current (new or ongoing) finding ID, then one
# more interval so that it is not only the first. 0: seen; 1: not (the check
# says so; the scenario goes on).
lab_host_wait() {
	local id=$1 t=${2:-4} i
	for ((i = 0; i < t * 10; i++)); do
		if grep -q "\"type\":\"finding\",\"id\":\"$id\",\"state\":\"\(new\|ongoing\)\"" "$OUT/host.json" 2>/dev/null; then
			sleep 1.1
			return 0
		fi
		sleep 0.1
	done
	lab_log "rstscope host reported no current '$id' in ${t}s"
	return 1
}

# lab_host_stop: SIGINT (the summary), KILL after 5 s. 1 when it had to be
# killed.
lab_host_stop() {
	local p=${HOST_PID:-}
	[ -n "$p" ] || return 0
	HOST_PID=
	lab_int_stop "$p" "rstscope host" "$OUT/host-problems.txt" "host did not stop cleanly" || return 1
	echo "$LAB_STOP_EXIT" >"$OUT/host-exit.txt"
	return 0
}

# lab_memcg_v VERSION BYTES: a memory-limited cgroup of our own in the
# cgroup VERSION (1 or 2) hierarchy, its path printed; 1 with the reason on
# stderr when this host has no memory controller there. Host-wide cgroup
# settings are never changed (a v2 tree whose root does not delegate memory
# is refused). Teardown kills what is left in it and removes it.
lab_memcg_v() {
	local v=$1 bytes=$2 root cg
	if [ "$v" = 1 ]; then
		root=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ { print $5; exit }' /proc/self/mountinfo)
		[ -n "$root" ] && [ -f "$root/memory.limit_in_bytes" ] ||
			{ echo "no cgroup v1 memory hierarchy on this host" >&2; return 1; }
	else
		root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
		[ -n "$root" ] || { echo "no cgroup v2 tree on this host" >&2; return 1; }
		grep -qw memory "$root/cgroup.subtree_control" 2>/dev/null ||
			{ echo "the cgroup v2 tree at $root has no memory controller (controllers: '$(cat "$root/cgroup.controllers" 2>/dev/null)'; memory is bound to another hierarchy)" >&2; return 1; }
	fi
	cg=$root/$LAB_PREFIX-$RUN
	mkdir "$cg" || return 1
	echo "$cg" >>"$STATE/cgroups"
	if [ "$v" = 1 ]; then
		echo "$bytes" >"$cg/memory.limit_in_bytes" || return 1
		echo "$bytes" >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null
	else
		echo "$bytes" >"$cg/memory.max" || return 1
		echo 0 >"$cg/memory.swap.max" 2>/dev/null
	fi
	echo "$cg"
}

# lab_ns_ctr NS GROUP.NAME: a counter of /proc/net/netstat or snmp in NS
# (e.g. TcpExt.ListenOverflows), 0 when absent.
lab_ns_ctr() {
	lab_nsx "$1" cat /proc/net/netstat /proc/net/snmp 2>/dev/null | awk -v want="$2" '
		{ g = $1; sub(/:$/, "", g)
		  if (g in hdr) { n = split(hdr[g], h, " "); for (i = 2; i <= n; i++) if (g "." h[i] == want) v = $i; delete hdr[g] }
		  else hdr[g] = $0 }
		END { print v + 0 }'
}

# lab_host_oom VERSION: the host-oom-v1/v2 scenarios. A process that
# allocates (and touches) 1 MiB at a time, at most 4 GiB, runs in a memory
# cgroup of VERSION with a drawn limit; the kernel OOM-kills it. rstscope
# host runs in the initial namespace (OOM kills, cgroups and the kernel
# log are the host's) and must name the process, its cgroup and the limit.
# Exit 3 (skip, with the reason) when this host has no memory controller
# in that version's hierarchy.
lab_host_oom() {
	local v=$1 cg i ev oom=0
	lab_param LIMIT_MB "$(lab_pick 24 64)"
	if ! cg=$(lab_memcg_v "$v" $((LIMIT_MB << 20)) 2>"$OUT/memcg.err"); then
		cp "$OUT/memcg.err" "$OUT/skip.txt"
		return 3
	fi
	EXPECT_HOST=("netns-server|oom-kill|.pid == \$pid.hog and .comm == \"python3\" and .cgroup == \"/$LAB_PREFIX-$RUN\" and .cgroup_version == $v and .evidence[\"memory.limit_bytes\"].value == (\$param.LIMIT_MB) * 1048576")
	lab_host netns-server
	lab_spawn_in_cg "$cg" "$NS_S" hog "$LAB_PY" -c \
		$'x = []\nfor i in range(4096):\n    x.append(b"\\1" * (1 << 20))'
	echo "$LAST_PID" >"$OUT/hog.pid"
	lab_log "hog pid $LAST_PID in $cg (limit ${LIMIT_MB} MiB)"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$LAST_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$v" = 1 ]; then ev=$cg/memory.oom_control; else ev=$cg/memory.events; fi
	oom=$(awk '$1 == "oom_kill" { print $2 }' "$ev" 2>/dev/null)
	cp "$ev" "$OUT/memcg-events.txt" 2>/dev/null
	[ "${oom:-0}" -gt 0 ] || lab_die "no OOM kill in $cg (see $OUT/hog.log)"
	lab_host_wait oom-kill 4
	return 0
}
