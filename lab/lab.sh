#!/bin/bash
# lab.sh: the reproduction lab. Each scenario builds its own namespaces,
# makes one reset cause happen on real kernel networking, records what the
# client saw, then checks rstscope's verdict against the known cause.
#
# usage: lab.sh list
#        lab.sh run NAME|all [--out DIR] [--keep] [--seed N]
#        lab.sh cleanup
# env: RSTSCOPE (the rstscope binary for the verdict check), LAB_NO_CHECK=1
#      (record only), SNAPLEN (capture snap length, default 262)
# exit: 0 all verdicts matched, 5 a verdict did not match, 4 a scenario
#       failed to run, 3 the one scenario asked for cannot run on this host
#       (it says why), 2 bad usage.
set -u
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$LAB_DIR/lib.sh"
. "$LAB_DIR/check.sh"

usage() {
	cat <<EOF
usage: rstscope lab list
       rstscope lab run NAME|all [--out DIR] [--keep] [--seed N]
       rstscope lab cleanup

  list       the scenarios, the cause each reproduces, what it expects
  run        build the topology, drive the scenario, capture, check the verdict
  cleanup    remove namespaces, tracefs instances and processes of crashed runs

  --out DIR  where captures, kernel events and counters go
             (default: a new directory under \${TMPDIR:-/tmp})
  --keep     leave the namespaces and processes up for inspection
  --seed N   draw timeouts, sizes and TTL distance from N (default: random)

EXAMPLES
  rstscope lab run conntrack-forget
  rstscope lab run all --seed 7 --out /tmp/lab
  ip netns exec rstlab-<run>-c ss -tn    # with --keep
EOF
}

scenario_names() {
	local f
	for f in "$LAB_DIR"/scenarios/*.sh; do basename "$f" .sh; done
}

# scenario_meta NAME: load a scenario's declarations in this shell.
scenario_meta() {
	local f=$LAB_DIR/scenarios/$1.sh
	[ -f "$f" ] || { echo "lab: unknown scenario '$1' ('rstscope lab list' shows them)" >&2; return 2; }
	DESC= CAUSE= EXPECT_TOP= EXPECT_EXIT=1 TOPOLOGY=plain CAPTURE_SERVER=
	EXPECT_RSTS=() EXPECT_WATCH=()
	unset -f scenario
	. "$f"
}

cmd_list() {
	local n
	printf '%-20s %-17s %s\n' SCENARIO CAUSE DESCRIPTION
	for n in $(scenario_names); do
		( scenario_meta "$n" && printf '%-20s %-17s %s\n' "$n" "$CAUSE" "$DESC" )
	done
}

# run_scenario NAME OUTDIR SEED: record in a subshell whose EXIT trap tears
# everything down, then check the verdict. Returns 0, 4 or 5.
run_scenario() {
	local name=$1 out=$2 seed=$3 rc t0=$SECONDS
	# 0: verdict matched, 3: cannot run here (says why), 4: failed to run,
	# 5: verdict did not match
	mkdir -p "$out" || { echo "lab: cannot create '$out'" >&2; return 4; }
	rm -f "$out"/*.pcap "$out"/*.log "$out"/*.txt "$out"/analyze.json "$out"/*.pid "$out"/watch.json
	echo "== $name (seed $seed) -> $out" >&2
	(
		scenario_meta "$name" || exit 2
		OUT=$out
		lab_begin
		trap 'lab_teardown' EXIT
		trap 'exit 130' INT TERM
		RANDOM=$seed
		echo "seed=$seed" >"$OUT/params.txt"
		HOPS=$(lab_pick 1 4)
		lab_param HOPS "$HOPS"
		lab_topology "$TOPOLOGY"
		lab_capture "$NS_C" eth0 client
		[ -n "$CAPTURE_SERVER" ] && lab_capture "$NS_S" eth0 server
		lab_observe_start
		scenario; rc=$?
		[ $rc -eq 3 ] && exit 3
		[ $rc -eq 0 ] || exit 4
		lab_observe_stop
		lab_watch_stop || exit 4
	) &
	# in the background so that an interrupted lab.sh can TERM it (an
	# asynchronous subshell ignores SIGINT) and wait for its teardown
	LAB_CHILD=$!
	wait "$LAB_CHILD"
	rc=$?
	LAB_CHILD=
	echo "runtime=$((SECONDS - t0))" >>"$out/params.txt"
	if [ $rc -eq 130 ]; then
		echo "lab: '$name' interrupted" >&2
		return 130
	fi
	if [ $rc -eq 3 ]; then
		printf '%-18s skipped: %s\n' "$name" "$(cat "$out/skip.txt" 2>/dev/null)"
		return 3
	fi
	if [ $rc -ne 0 ]; then
		echo "lab: scenario '$name' failed to run (exit $rc; logs in $out)" >&2
		return 4
	fi
	if [ -n "${LAB_NO_CHECK:-}" ]; then
		printf '%-18s recorded (verdict not checked) %3ds\n' "$name" "$((SECONDS - t0))"
		return 0
	fi
	( scenario_meta "$name" && lab_check "$name" "$out" "$((SECONDS - t0))" )
}

cmd_run() {
	local names=() out= keep= seed= n rc worst=0 results=()
	while [ $# -gt 0 ]; do
		case $1 in
		--out) [ $# -ge 2 ] || { usage >&2; return 2; }; out=$2; shift ;;
		--out=*) out=${1#--out=} ;;
		--keep) keep=1 ;;
		--seed) [ $# -ge 2 ] || { usage >&2; return 2; }; seed=$2; shift ;;
		--seed=*) seed=${1#--seed=} ;;
		-h|--help) usage; return 0 ;;
		-*) echo "lab: unknown option '$1'" >&2; usage >&2; return 2 ;;
		all) mapfile -t names < <(scenario_names) ;;
		*) names+=("$1") ;;
		esac
		shift
	done
	[ ${#names[@]} -gt 0 ] || { echo "lab: which scenario? ('rstscope lab list')" >&2; return 2; }
	for n in "${names[@]}"; do [ -f "$LAB_DIR/scenarios/$n.sh" ] ||
		{ echo "lab: unknown scenario '$n' ('rstscope lab list' shows them)" >&2; return 2; }; done
	if [ -n "$seed" ]; then
		case $seed in ''|*[!0-9]*) echo "lab: bad seed '$seed' (want a number)" >&2; return 2 ;; esac
		seed=$((10#$seed % 32768))
	else
		seed=$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))
	fi
	echo "lab: seed $seed (repeat with --seed $seed)" >&2
	[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-lab.XXXXXX")
	[ -n "$keep" ] && export LAB_KEEP=1
	lab_check_tools || return 4
	lab_cleanup_stale
	trap lab_interrupted INT TERM
	for n in "${names[@]}"; do
		if [ ${#names[@]} -gt 1 ]; then run_scenario "$n" "$out/$n" "$seed"; rc=$?
		else run_scenario "$n" "$out" "$seed"; rc=$?; fi
		[ $rc -eq 130 ] && return 130
		results+=("$n:$rc")
		[ $rc -gt $worst ] && [ $rc -ne 3 ] && worst=$rc
		[ $rc -eq 3 ] && [ ${#names[@]} -eq 1 ] && worst=3
	done
	if [ ${#names[@]} -gt 1 ]; then
		echo "== summary (seed $seed, output in $out)" >&2
		for n in "${results[@]}"; do
			case ${n#*:} in 0) echo "  ok    ${n%:*}" ;; 3) echo "  skip  ${n%:*}" ;; 5) echo "  FAIL  ${n%:*} (verdict)" ;;
				*) echo "  ERROR ${n%:*} (did not run)" ;; esac
		done
	fi
	return $worst
}

# On INT/TERM: stop the running scenario (its EXIT trap tears down), then exit.
lab_interrupted() {
	echo "lab: interrupted, tearing down" >&2
	if [ -n "${LAB_CHILD:-}" ]; then
		kill -TERM "$LAB_CHILD" 2>/dev/null
		wait "$LAB_CHILD" 2>/dev/null
	fi
	exit 130
}

lab_check_tools() {
	local t missing=
	for t in ip iptables tc tcpdump nginx haproxy openssl jq ethtool ping ss conntrack; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -x "$LAB_PY" ] || missing="$missing python3"
	if [ -n "$missing" ]; then
		echo "lab: missing tools:$missing (scripts/deps.sh installs them)" >&2
		return 1
	fi
}

main() {
	case ${1:-} in -h|--help|help) usage; exit 0 ;; esac
	if [ "$(id -u)" != 0 ]; then
		echo "lab: needs root (network namespaces, iptables, tracefs); run it with sudo" >&2
		exit 4
	fi
	case ${1:-} in
	list) cmd_list ;;
	run) shift; cmd_run "$@" ;;
	cleanup) lab_cleanup_stale all; echo "lab: clean" >&2 ;;
	-h|--help|help) usage ;;
	'') usage >&2; exit 2 ;;
	*) echo "lab: unknown command '$1'" >&2; usage >&2; exit 2 ;;
	esac
}

main "$@"
