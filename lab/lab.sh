#!/bin/bash
# lab.sh: the reproduction lab. Each scenario builds its own namespaces,
# makes one reset cause happen on real kernel networking, records what the
# client saw, then checks rstscope's verdict against the known cause.
#
# usage: lab.sh list
#        lab.sh run NAME|all [--out DIR] [--keep] [--seed N | --seeds LIST]
#        lab.sh cleanup [--all]
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
       rstscope lab run NAME|all [--out DIR] [--keep] [--seed N | --seeds LIST]
       rstscope lab cleanup [--all]

  list       the scenarios, the cause each reproduces, what it expects
  run        build the topology, drive the scenario, capture, check the verdict
             (first cleaning what dead runs left, as cleanup does)
  cleanup    undo what runs whose lab process is gone left (killed, crashed,
             --keep): their recorded processes, namespaces, tracefs
             instances, cgroups, and the host sysctls they lowered; says
             each; live runs are left alone (--all: those too)

  --out DIR  where captures, kernel events and counters go
             (default: a new directory under \${TMPDIR:-/tmp})
  --keep     leave the namespaces and processes up for inspection
  --seed N   draw the network (routers around the box, initial TTLs), the
             server stacks, timeouts and sizes from N (default: random)
  --seeds L  run each scenario for each seed of L (1-10, 3,5,9) and print a
             table: a row per scenario, a column per seed, the accuracy;
             DIR/results.tsv has every run

EXAMPLES
  rstscope lab run conntrack-forget
  rstscope lab run all --seed 7 --out /tmp/lab
  rstscope lab run all --seeds 1-10 --out /tmp/lab
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
	EXPECT_RSTS=() EXPECT_WATCH=() EXPECT_CORR=() EXPECT_HOST=() EXPECT_HOST_ONLY= EXPECT_HOSTWATCH=()
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
# everything down, then check the verdict. Returns 0, 3, 4, 5 or 130, and
# leaves OUTDIR/outcome.tsv: result (ok, FAIL, skip, ERR), expected, got.
run_scenario() {
	local name=$1 out=$2 seed=$3 rc t0=$SECONDS
	# 0: verdict matched, 3: cannot run here (says why), 4: failed to run,
	# 5: verdict did not match
	mkdir -p "$out" || { echo "lab: cannot create '$out'" >&2; return 4; }
	rm -f "$out"/*.pcap "$out"/*.log "$out"/*.txt "$out"/analyze*.json "$out"/*.pid "$out"/watch.json \
		"$out"/host.json "$out"/hostwatch.json "$out"/expect.sh "$out"/outcome.tsv
	echo "== $name (seed $seed) -> $out" >&2
	(
		scenario_meta "$name" || exit 2
		OUT=$out
		lab_begin
		trap 'lab_teardown' EXIT
		trap 'exit 130' INT TERM
		echo "seed=$seed" >"$OUT/params.txt"
		lab_rng_init "$seed"
		lab_draw_network
		lab_topology "$TOPOLOGY"
		lab_capture "$NS_C" eth0 client
		[ -n "$CAPTURE_SERVER" ] && lab_capture "$NS_S" eth0 server
		lab_observe_start
		scenario; rc=$?
		[ $rc -eq 3 ] && exit 3
		[ $rc -eq 0 ] || exit 4
		lab_observe_stop
		lab_watch_stop || exit 4
		lab_watch_host_stop  # what went wrong fails the check
		lab_host_stop || exit 4
		lab_expect_save
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
		lab_outcome "$out" skip "$name" -
		return 3
	fi
	if [ $rc -ne 0 ]; then
		echo "lab: scenario '$name' failed to run (exit $rc; logs in $out)" >&2
		lab_outcome "$out" ERR "$name" -
		return 4
	fi
	if [ -n "${LAB_NO_CHECK:-}" ]; then
		printf '%-18s recorded (verdict not checked) %3ds\n' "$name" "$((SECONDS - t0))"
		lab_outcome "$out" skip "$name" -
		return 0
	fi
	( scenario_meta "$name" && { [ ! -f "$out/expect.sh" ] || . "$out/expect.sh"; } &&
	  lab_check "$name" "$out" "$((SECONDS - t0))" )
	rc=$?
	[ -f "$out/outcome.tsv" ] || lab_outcome "$out" ERR "$name" -
	return $rc
}

# lab_outcome OUT RESULT NAME GOT: OUT/outcome.tsv for a run that was not
# checked (the expectation as the scenario declares it).
lab_outcome() {
	local exp
	exp=$( scenario_meta "$3" >/dev/null 2>&1; { [ ! -f "$1/expect.sh" ] || . "$1/expect.sh"; }; echo "$EXPECT_TOP" )
	printf '%s\t%s\t%s\n' "$2" "${exp:--}" "$4" >"$1/outcome.tsv"
}

# lab_parse_seeds SPEC: the seeds of "1-10", "3,5,9" or "1-3,7", one a line;
# 1 on a bad spec. At most 1000 seeds.
lab_parse_seeds() {
	local part lo hi i n=0
	for part in ${1//,/ }; do
		case $part in
		*[!0-9-]*|-*|*-|*-*-*|'') return 1 ;;
		*-*) lo=$((10#${part%-*})) hi=$((10#${part#*-})) ;;
		*) lo=$((10#$part)) hi=$lo ;;
		esac
		[ "$lo" -le "$hi" ] || return 1
		for ((i = lo; i <= hi; i++)); do
			n=$((n + 1))
			[ $n -le 1000 ] || return 1
			echo $((i % 32768))
		done
	done
	[ $n -gt 0 ]
}

# lab_table OUT NAMES... (SEEDS in the caller): one row per scenario, one
# column per seed (ok, FAIL, skip, ERR), accuracy ok/(ok+FAIL) per scenario
# and in total; and OUT/results.tsv (scenario, seed, result, expected, got,
# params).
lab_table() {
	local out=$1 n s dir res exp got params ok fail tok=0 tfail=0 row
	shift
	printf 'scenario\tseed\tresult\texpected\tgot\tparams\n' >"$out/results.tsv"
	printf '%-20s' scenario
	for s in "${SEEDS[@]}"; do printf ' %5s' "$s"; done
	printf '  accuracy\n'
	for n in "$@"; do
		ok=0 fail=0 row=$(printf '%-20s' "$n")
		for s in "${SEEDS[@]}"; do
			dir=$(lab_run_dir "$out" "$n" "$s" "$#")
			res=- exp=- got=-
			[ -f "$dir/outcome.tsv" ] && IFS=$'\t' read -r res exp got <"$dir/outcome.tsv"
			params=$(grep -v -e '^runtime=' -e '^seed=' "$dir/params.txt" 2>/dev/null | tr '\n' ' ')
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$s" "$res" "$exp" "$got" "${params% }" >>"$out/results.tsv"
			case $res in ok) ok=$((ok + 1)) ;; FAIL) fail=$((fail + 1)) ;; esac
			row="$row$(printf ' %5s' "$res")"
		done
		tok=$((tok + ok)) tfail=$((tfail + fail))
		if [ $((ok + fail)) -gt 0 ]; then
			printf '%s  %d/%d %3d%%\n' "$row" "$ok" $((ok + fail)) $((100 * ok / (ok + fail)))
		else
			printf '%s  -\n' "$row"
		fi
	done
	if [ $((tok + tfail)) -gt 0 ]; then
		printf '%-20s %*s  %d/%d %3d%%\n' total $((6 * ${#SEEDS[@]} - 1)) '' "$tok" $((tok + tfail)) \
			$((100 * tok / (tok + tfail)))
	fi
}

# lab_run_dir OUT NAME SEED COUNT: where a run's output goes (OUT itself for
# one scenario and one seed; OUT/NAME for one seed; OUT/seed-N/NAME).
lab_run_dir() {
	if [ ${#SEEDS[@]} -gt 1 ]; then echo "$1/seed-$3/$2"
	elif [ "$4" -gt 1 ]; then echo "$1/$2"
	else echo "$1"; fi
}

cmd_run() {
	local names=() out= keep= seed= seeds= n s rc worst=0 dir
	SEEDS=()
	while [ $# -gt 0 ]; do
		case $1 in
		--out) [ $# -ge 2 ] || { usage >&2; return 2; }; out=$2; shift ;;
		--out=*) out=${1#--out=} ;;
		--keep) keep=1 ;;
		--seed) [ $# -ge 2 ] || { usage >&2; return 2; }; seed=$2; shift ;;
		--seed=*) seed=${1#--seed=} ;;
		--seeds) [ $# -ge 2 ] || { usage >&2; return 2; }; seeds=$2; shift ;;
		--seeds=*) seeds=${1#--seeds=} ;;
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
	if [ -n "$seeds" ]; then
		[ -z "$seed" ] || { echo "lab: --seed or --seeds, not both" >&2; return 2; }
		mapfile -t SEEDS < <(lab_parse_seeds "$seeds") && lab_parse_seeds "$seeds" >/dev/null ||
			{ echo "lab: bad seeds '$seeds' (want e.g. 1-10 or 3,5,9)" >&2; return 2; }
		echo "lab: seeds ${SEEDS[*]}" >&2
	else
		if [ -n "$seed" ]; then
			case $seed in ''|*[!0-9]*) echo "lab: bad seed '$seed' (want a number)" >&2; return 2 ;; esac
			seed=$((10#$seed % 32768))
		else
			seed=$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))
		fi
		SEEDS=("$seed")
		echo "lab: seed $seed (repeat with --seed $seed)" >&2
	fi
	[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-lab.XXXXXX")
	mkdir -p "$out" || { echo "lab: cannot create '$out'" >&2; return 4; }
	[ -n "$keep" ] && export LAB_KEEP=1
	lab_check_tools || return 4
	lab_cleanup_stale
	trap lab_interrupted INT TERM
	for s in "${SEEDS[@]}"; do
		for n in "${names[@]}"; do
			dir=$(lab_run_dir "$out" "$n" "$s" ${#names[@]})
			run_scenario "$n" "$dir" "$s"; rc=$?
			[ $rc -eq 130 ] && return 130
			[ -f "$dir/outcome.tsv" ] && printf 'lab: %-18s seed %-5s %-26s %s\n' "$n" "$s" \
				"$(sed -n 's/^TOPO=//p' "$dir/params.txt" 2>/dev/null)" "$(cut -f1 "$dir/outcome.tsv")" >&2
			[ $rc -gt $worst ] && [ $rc -ne 3 ] && worst=$rc
			[ $rc -eq 3 ] && [ ${#names[@]} -eq 1 ] && [ ${#SEEDS[@]} -eq 1 ] && worst=3
		done
	done
	if [ ${#names[@]} -gt 1 ] || [ ${#SEEDS[@]} -gt 1 ]; then
		echo "== results (seeds ${SEEDS[*]}, output in $out, $out/results.tsv)" >&2
		lab_table "$out" "${names[@]}"
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
	for t in ip iptables tc tcpdump nginx haproxy node openssl jq ethtool ping ss conntrack; do
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
	cleanup)
		case ${2:-} in
		'') lab_cleanup_stale ;;
		--all) lab_cleanup_stale all ;;
		*) echo "lab: unknown option '$2' for cleanup" >&2; usage >&2; exit 2 ;;
		esac
		echo "lab: clean" >&2 ;;
	-h|--help|help) usage ;;
	'') usage >&2; exit 2 ;;
	*) echo "lab: unknown command '$1'" >&2; usage >&2; exit 2 ;;
	esac
}

main "$@"
