# tests/lab/common.sh: shared by the tests/t/5NN-lab-*.sh scripts. They run
# lab scenarios for real (root, network namespaces, iptables, tracefs) and
# check the verdicts and that nothing is left behind.
# env: RSTSCOPE, ROOT (from tests/run.sh); LAB_SEED to repeat a run;
#      RSTSCOPE_ASAN=1 runs only the quick scenarios.

LAB_QUICK="refused server-crash"

lab_skip() { echo "skip: $*"; exit 77; }

# lab_require: skip (77) unless this host can run the lab.
lab_require() {
	[ "$(id -u)" = 0 ] || lab_skip "needs root for network namespaces"
	[ -x "${RSTSCOPE:-}" ] || lab_skip "no rstscope binary (RSTSCOPE)"
	local t
	for t in ip iptables tc tcpdump nginx haproxy node openssl jq ethtool ping conntrack; do
		command -v "$t" >/dev/null 2>&1 || lab_skip "'$t' is not installed (scripts/deps.sh)"
	done
	ip netns add rstlab-probe-$$ 2>/dev/null || lab_skip "cannot create network namespaces here"
	ip netns del rstlab-probe-$$
}

# lab_leftovers: print what a lab run left behind (nothing when clean).
lab_leftovers() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep '^rstlab-' | sed 's/^/namespace /'
	ls /sys/kernel/tracing/instances 2>/dev/null | grep '^rstlab-' | sed 's/^/tracefs instance /'
	# rstscope watch's instances whose process is gone (or a zombie)
	local i p
	for i in $(ls /sys/kernel/tracing/instances 2>/dev/null | grep '^rstscope-[0-9]*$'); do
		p=${i#rstscope-}
		[ -d "/proc/$p" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null ||
			echo "tracefs instance $i (its process is gone)"
	done
	# processes the lab started with RSTLAB_RUN in their environment (watch)
	for p in /proc/[0-9]*; do
		grep -qz '^RSTLAB_RUN=' "$p/environ" 2>/dev/null &&
			echo "process ${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
	done
	ls /run/rstlab 2>/dev/null | sed 's|^|state dir /run/rstlab/|'
	ls -d /sys/fs/cgroup/memory/rstlab-* /sys/fs/cgroup/rstlab-* /sys/fs/cgroup/unified/rstlab-* 2>/dev/null |
		sed 's/^/cgroup /'
	# processes started from the lab's own files or state
	ps -eo pid=,args= | grep -E "/run/rstlab/|$ROOT/lab/(clients|servers)/" | grep -v grep | sed 's/^/process /'
	return 0
}

lab_assert_clean() {
	local left
	left=$(lab_leftovers)
	if [ -n "$left" ]; then
		echo "left behind after $1:"
		echo "$left" | sed 's/^/  /'
		return 1
	fi
}

# lab_scenario_test NAME: run one scenario through `rstscope lab`, with a
# random (printed) or given seed; pass when its verdict matched and
# nothing was left behind.
lab_scenario_test() {
	local name=$1 seed out rc
	lab_require
	if [ -n "${RSTSCOPE_ASAN:-}" ] && ! [[ " $LAB_QUICK " == *" $name "* ]]; then
		lab_skip "the sanitizer pass runs only the quick lab scenarios ($LAB_QUICK)"
	fi
	seed=${LAB_SEED:-$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))}
	out=$(mktemp -d /tmp/rstscope-labtest.XXXXXX)
	echo "lab scenario $name, seed $seed (LAB_SEED=$seed repeats it)"
	# host-wide sysctls some scenarios lower for the run: back afterwards
	local sysctls=(net.netfilter.nf_conntrack_max net.ipv4.tcp_max_orphans) before after
	before=$(sysctl -n "${sysctls[@]}" 2>/dev/null | tr '\n' ' ')
	"$RSTSCOPE" lab run "$name" --seed "$seed" --out "$out" 2>"$out/lab.err"
	rc=$?
	after=$(sysctl -n "${sysctls[@]}" 2>/dev/null | tr '\n' ' ')
	[ "$before" = "$after" ] || { echo "host sysctls ${sysctls[*]}: $before before, $after after"; rc=1; }
	if [ $rc -eq 3 ]; then
		local why
		why=$(cat "$out/skip.txt" 2>/dev/null)
		lab_assert_clean "$name" || return 1
		rm -rf "$out"
		lab_skip "${why:-scenario '$name' cannot run on this host}"
	fi
	# a scenario that runs rstscope watch: its joins were checked, or the
	# host cannot run watch (said why)
	if [ $rc -eq 0 ] && grep -q '^EXPECT_WATCH=' "$ROOT/lab/scenarios/$name.sh"; then
		if [ -f "$out/watch-skip.txt" ]; then
			echo "watch not run: $(cat "$out/watch-skip.txt")"
		elif ! grep -q '^watch: rsts where' "$out/verdict.txt" 2>/dev/null; then
			echo "lab run $name: the watch expectations were not checked"
			rc=1
		fi
		grep '^watch:' "$out/verdict.txt" 2>/dev/null
		[ -f "$out/watch.pid" ] && kill -0 "$(cat "$out/watch.pid")" 2>/dev/null &&
			{ echo "rstscope watch (pid $(cat "$out/watch.pid")) still runs"; rc=1; }
	fi
	# a scenario that runs rstscope watch on the host: its resets were checked
	if [ $rc -eq 0 ] && grep -q '^EXPECT_HOSTWATCH=' "$ROOT/lab/scenarios/$name.sh"; then
		if [ -f "$out/hostwatch-skip.txt" ]; then
			echo "host watch not run: $(cat "$out/hostwatch-skip.txt")"
		elif ! grep -q '^hostwatch: resets where' "$out/verdict.txt" 2>/dev/null; then
			echo "lab run $name: the host watch expectations were not checked"
			rc=1
		fi
		grep '^hostwatch:' "$out/verdict.txt" 2>/dev/null
		[ -f "$out/hostwatch.pid" ] && kill -0 "$(cat "$out/hostwatch.pid")" 2>/dev/null &&
			{ echo "the host's rstscope watch (pid $(cat "$out/hostwatch.pid")) still runs"; rc=1; }
	fi
	# a scenario that runs rstscope host: its findings were checked
	if [ $rc -eq 0 ] && grep -q '^EXPECT_HOST_ONLY=' "$ROOT/lab/scenarios/$name.sh"; then
		grep -q '^host: findings' "$out/verdict.txt" 2>/dev/null ||
			{ echo "lab run $name: the host expectations were not checked"; rc=1; }
		grep '^host:' "$out/verdict.txt" 2>/dev/null
	fi
	if [ $rc -ne 0 ]; then
		echo "lab run $name: exit $rc"
		tail -n 25 "$out/lab.err"
		[ -f "$out/analyze.json" ] && jq -c 'select(.type == "rst") |
			{frame, src, dport, ttl, kind, sender_role, forged, shape, idle_gap_s, cause}' "$out/analyze.json" | head -n 8
		echo "(output kept in $out)"
	fi
	lab_assert_clean "$name" || rc=1
	[ $rc -eq 0 ] && rm -rf "$out"
	return $rc
}
