#!/bin/bash
# lab teardown: an interrupted run tears everything down; a run killed
# outright is cleaned by `rstscope lab cleanup`; host sysctls come back.
. "$ROOT/tests/lab/common.sh"
lab_require
[ -n "${RSTSCOPE_ASAN:-}" ] && lab_skip "teardown is shell work: not repeated in the sanitizer pass"
fail=0
tmp=$(mktemp -d /tmp/rstscope-labtd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# wait_ns: until a namespace of a run exists (the scenario is under way)
wait_ns() {
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns list | grep -q '^rstlab-[0-9]*-c' && sleep 1.5 && return 0
		sleep 0.1
	done
	return 1
}

lab_assert_clean "before the test" || { echo "(run 'rstscope lab cleanup' first)"; exit 1; }

# 1. SIGTERM to the lab in the middle of a scenario
"$RSTSCOPE" lab run conntrack-forget --seed 1 --out "$tmp/a" >/dev/null 2>"$tmp/a.err" &
pid=$!
wait_ns || { echo "not ok: the scenario never started"; cat "$tmp/a.err"; fail=1; }
kill -TERM "$pid"
wait "$pid"; rc=$?
[ $rc -eq 130 ] || { echo "not ok: interrupted run exit $rc, want 130"; fail=1; }
lab_assert_clean "an interrupted run" || fail=1

# 2. SIGKILL to the lab and its scenario shell: leftovers stay until cleanup
"$RSTSCOPE" lab run keepalive-race --seed 2 --out "$tmp/b" >/dev/null 2>"$tmp/b.err" &
pid=$!
wait_ns || { echo "not ok: the scenario never started"; fail=1; }
run=$(ip netns list | sed -n 's/^rstlab-\([0-9]*\)-c.*/\1/p' | head -n 1)
kill -KILL "$pid" "$run" 2>/dev/null
wait "$pid" 2>/dev/null
sleep 0.2
[ -n "$(lab_leftovers)" ] || { echo "not ok: a killed run left nothing to clean (the test proves nothing)"; fail=1; }
"$RSTSCOPE" lab cleanup >"$tmp/c.out" 2>&1 || { echo "not ok: lab cleanup failed"; cat "$tmp/c.out"; fail=1; }
lab_assert_clean "lab cleanup" || fail=1

# 3. --keep leaves the topology up; the next cleanup removes it
"$RSTSCOPE" lab run refused --seed 3 --keep --out "$tmp/k" >/dev/null 2>"$tmp/k.err"
ip netns list | grep -q '^rstlab-' || { echo "not ok: --keep left no namespaces"; fail=1; }
"$RSTSCOPE" lab cleanup >/dev/null 2>&1
lab_assert_clean "cleanup after --keep" || fail=1
exit $fail
