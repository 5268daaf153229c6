#!/bin/bash
# Record the files 'rstscope host' reads, as a replay fixture: DIR/0 .. DIR/N,
# S seconds apart (default 1). Usage: scripts/host-snapshot.sh DIR N [S]
# Run as root to include other users' processes; run it inside a namespace
# (ip netns exec NAME ...) to record that one. The raw netlink replies
# (sock_diag: listeners with their backlogs, CLOSE_WAIT sockets; ctnetlink
# where /proc/net/stat/nf_conntrack is absent) come from
# 'rstscope host --record' ($RSTSCOPE, else rstscope on PATH); without it the
# replay reads listeners from net/tcp*, with no backlogs.
set -eu
dir=$1 n=$2 s=${3:-1}
[ -e "$dir" ] && { echo "host-snapshot: '$dir' exists" >&2; exit 2; }
rs=${RSTSCOPE:-$(command -v rstscope || true)}
[ -n "$rs" ] && [ -x "$rs" ] || { rs=; echo "host-snapshot: no rstscope: netlink replies not recorded" >&2; }
files="net/netstat net/snmp net/snmp6 net/sockstat net/sockstat6 net/tcp net/tcp6 vmstat
       net/stat/nf_conntrack sys/fs/file-nr sys/net/ipv4/tcp_mem sys/net/ipv4/tcp_max_orphans
       sys/net/netfilter/nf_conntrack_count sys/net/netfilter/nf_conntrack_max self/mountinfo"
kfd=
# the first snapshot takes the records before the start: the baseline, whose log is not read
# (braces: a bare exec with 2>/dev/null would silence the whole script)
{ exec {kfd}</dev/kmsg; } 2>/dev/null || kfd=
for k in $(seq 0 "$n"); do
	[ "$k" = 0 ] || sleep "$s"
	d=$dir/$k
	mkdir -p "$d/proc/self/ns"
	date +%s.%N >"$d/time"
	for f in $files; do
		[ -r "/proc/$f" ] || continue
		mkdir -p "$(dirname "$d/proc/$f")"
		cat "/proc/$f" >"$d/proc/$f" 2>/dev/null || rm -f "$d/proc/$f"
	done
	ln -s "$(readlink /proc/self/ns/net)" "$d/proc/self/ns/net"
	# netlink replies: rstscope's first sample, recorded (the second is dropped)
	if [ -n "$rs" ]; then
		t=$(mktemp -d "${TMPDIR:-/tmp}/host-snapshot.XXXXXX")
		rc=0   # 0 or 1 (findings) is a sample taken
		"$rs" host --record "$t" --count 1 --interval 0.05 --json >/dev/null 2>"$t.err" || rc=$?
		if [ $rc -le 1 ] && [ -d "$t/0/netlink" ]; then
			mv "$t/0/netlink" "$d/netlink"
		else
			echo "host-snapshot: rstscope host --record: exit $rc: $(tail -1 "$t.err")" >&2
		fi
		rm -rf "$t" "$t.err"
	fi
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ -r "$p/limits" ] || continue
		mkdir -p "$d/proc/$pid/fd"
		cat "$p/comm" >"$d/proc/$pid/comm" 2>/dev/null || true
		cat "$p/limits" >"$d/proc/$pid/limits" 2>/dev/null || true
		cat "$p/cgroup" >"$d/proc/$pid/cgroup" 2>/dev/null || true
		for fd in "$p"/fd/*; do
			t=$(readlink "$fd" 2>/dev/null) && ln -s "$t" "$d/proc/$pid/fd/${fd##*/}" 2>/dev/null || true
		done
	done
	# memory cgroups (v1 memory and cgroup2 mounts from mountinfo)
	awk '$0 ~ / - cgroup2 / || ($0 ~ / - cgroup / && $NF ~ /(^|,)memory(,|$)/) { print $5 }' /proc/self/mountinfo |
	while read -r m; do
		case $m in /sys/*) ;; *) continue ;; esac
		find "$m" -maxdepth 24 \( -name memory.events -o -name memory.max -o -name memory.oom_control \
			-o -name memory.failcnt -o -name memory.limit_in_bytes \) 2>/dev/null |
		while read -r f; do mkdir -p "$d/$(dirname "${f#/}")"; cat "$f" >"$d/${f#/}" 2>/dev/null || true; done
	done
	# kernel log records since the sample before (bounded)
	: >"$d/kmsg"
	if [ -n "$kfd" ]; then timeout 0.2 head -n 512 <&$kfd >>"$d/kmsg" 2>/dev/null || true; fi
done
echo "host-snapshot: $((n + 1)) snapshots in $dir" >&2
