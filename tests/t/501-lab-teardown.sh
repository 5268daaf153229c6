#!/bin/bash
# lab teardown: an interrupted run tears everything down (rstscope watch and
# its tracefs instance included); a run killed outright is cleaned by
# `rstscope lab cleanup`, also the instance of a watch killed with it;
# host sysctls come back.
. "$ROOT/tests/lab/common.sh"
lab_require
[ -n "${RSTSCOPE_ASAN:-}" ] && lab_skip "teardown is shell work: not repeated in the sanitizer pass"
fail=0
tmp=$(mktemp -d /tmp/rstscope-labtd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# wait_watch DIR: until the scenario writing to DIR runs rstscope watch
# (its pid recorded, its tracefs instance made); prints the pid
wait_watch() {
	local i w
	for ((i = 0; i < 150; i++)); do
		w=$(cat "$1/watch.pid" 2>/dev/null)
		[ -n "$w" ] && [ -d "/sys/kernel/tracing/instances/rstscope-$w" ] && { echo "$w"; return 0; }
		sleep 0.1
	done
	return 1
}

lab_assert_clean "before the test" || { echo "(run 'rstscope lab cleanup' first)"; exit 1; }

# 1. SIGTERM to the lab in the middle of a scenario, while watch runs
"$RSTSCOPE" lab run conntrack-forget --seed 1 --out "$tmp/a" >/dev/null 2>"$tmp/a.err" &
pid=$!
w=$(wait_watch "$tmp/a") || { echo "not ok: the scenario never started watch"; cat "$tmp/a.err"; fail=1; }
kill -TERM "$pid"
wait "$pid"; rc=$?
[ $rc -eq 130 ] || { echo "not ok: interrupted run exit $rc, want 130"; fail=1; }
[ -n "$w" ] && kill -0 "$w" 2>/dev/null && { echo "not ok: watch (pid $w) survived the interrupt"; fail=1; }
lab_assert_clean "an interrupted run" || fail=1

# 2. SIGKILL to the lab, its scenario shell and watch: leftovers (watch's
# tracefs instance among them) stay until cleanup
"$RSTSCOPE" lab run conntrack-forget --seed 2 --out "$tmp/b" >/dev/null 2>"$tmp/b.err" &
pid=$!
w=$(wait_watch "$tmp/b") || { echo "not ok: the scenario never started watch"; fail=1; }
run=$(ip netns list | sed -n 's/^rstlab-\([0-9]*\)-c.*/\1/p' | head -n 1)
kill -KILL "$pid" "$run" $w 2>/dev/null
wait "$pid" 2>/dev/null
sleep 0.2
[ -n "$(lab_leftovers)" ] || { echo "not ok: a killed run left nothing to clean (the test proves nothing)"; fail=1; }
[ -n "$w" ] && ! lab_leftovers | grep -q "tracefs instance rstscope-$w" &&
	{ echo "not ok: the killed watch left no instance (the test proves nothing)"; fail=1; }
"$RSTSCOPE" lab cleanup >"$tmp/c.out" 2>&1 || { echo "not ok: lab cleanup failed"; cat "$tmp/c.out"; fail=1; }
lab_assert_clean "lab cleanup" || fail=1

# 3. --keep leaves the topology up; the next cleanup removes it
"$RSTSCOPE" lab run refused --seed 3 --keep --out "$tmp/k" >/dev/null 2>"$tmp/k.err"
ip netns list | grep -q '^rstlab-' || { echo "not ok: --keep left no namespaces"; fail=1; }
"$RSTSCOPE" lab cleanup >/dev/null 2>&1
lab_assert_clean "cleanup after --keep" || fail=1
exit $fail
