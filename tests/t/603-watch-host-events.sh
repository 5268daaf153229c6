#!/bin/bash
# watch names the event behind a burst (no root, a replay): resets sent by a
# process the kernel log says was OOM-killed just before are peer-restart
# with its pid, comm, cgroup and memory limit (v2 memory.max; the same on a
# v1 memory hierarchy beside an empty v2 tree); a reset of a socket whose
# owner was gone from /proc when it was read is owner-exited.
set -u
fx=$ROOT/tests/data/tracefs/oom
tmp=$(mktemp -d /tmp/rstscope-603.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }

check() {   # DIR LABEL
	"$RSTSCOPE" watch --json --no-capture --trace-replay "$1" >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] || { cat "$tmp/err"; fail "$2: exit, want 1"; }
	grep -q "OOM kills from the kernel log" "$tmp/err" || fail "$2: source not said"
	grep -q "kernel log: 1 OOM kills" "$tmp/err" || fail "$2: $(cat "$tmp/err")"
	got=$(jq -c 'select(.type=="kernel_reset" and .sport==8080) | [.cause, .oom_kill.pid,
		.oom_kill.cgroup, .oom_kill.limit_bytes]' "$tmp/out" | sort -u)
	[ "$got" = '["peer-restart",4242,"/rs-lab/oom",67108864]' ] || fail "$2: oom resets: $got"
	[ "$(jq -c 'select(.type=="kernel_reset" and .sport==8080)' "$tmp/out" | grep -c .)" = 2 ] ||
		fail "$2: want 2 resets of the killed server"
	# (jq -e judges by the last input, the summary: -s and all)
	jq -se '[.[] | select(.type=="kernel_reset" and .sport==8080)] | all(.cause_evidence ==
		"OOM-killed: pid 4242 (rs-oom) in cgroup /rs-lab/oom, limit 64 MiB; its connections were reset as it died")' \
		"$tmp/out" >/dev/null || fail "$2: evidence: $(jq -r 'select(.sport==8080) | .cause_evidence' "$tmp/out")"
	jq -se '[.[] | select(.type=="kernel_reset" and .sport==50100)] | length==1 and all(.cause=="peer-restart"
		and .owner_gone and .oom_kill==null and (.cause_evidence|test("owner rs-gone\\[4300\\] had exited")))' \
		"$tmp/out" >/dev/null || fail "$2: owner-exited: $(jq -c 'select(.sport==50100)' "$tmp/out")"
	jq -e 'select(.type=="summary") | .resets==3 and .causes[0].id=="peer-restart" and .causes[0].count==3' \
		"$tmp/out" >/dev/null || fail "$2: summary: $(jq -c 'select(.type=="summary")' "$tmp/out")"
}
check "$fx" v2

# v1 memory controller beside an empty v2 tree (this machine's mix)
cp -r "$fx" "$tmp/v1"
rm -rf "$tmp/v1/sys/fs/cgroup"
mkdir -p "$tmp/v1/sys/fs/cgroup/memory/rs-lab/oom" "$tmp/v1/sys/fs/cgroup/unified"
cat >"$tmp/v1/proc/self/mountinfo" <<'MI'
25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
MI
echo 67108864 >"$tmp/v1/sys/fs/cgroup/memory/rs-lab/oom/memory.limit_in_bytes"
echo 7 >"$tmp/v1/sys/fs/cgroup/memory/rs-lab/oom/memory.failcnt"
printf 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n' >"$tmp/v1/sys/fs/cgroup/memory/rs-lab/oom/memory.oom_control"
check "$tmp/v1" v1

# no kernel log in the replay: the same resets, not named
rm "$tmp/v1/kmsg"
"$RSTSCOPE" watch --json --no-capture --trace-replay "$tmp/v1" >"$tmp/out" 2>"$tmp/err"
jq -se '[.[] | select(.type=="kernel_reset" and .sport==8080)] | length==2 and all(.oom_kill==null and .cause=="unread-close")' \
	"$tmp/out" >/dev/null || fail "without the log: $(jq -c 'select(.sport==8080) | [.cause, .oom_kill]' "$tmp/out")"
echo "oom kill named (v2, v1), owner-exited, nothing named without the log"
