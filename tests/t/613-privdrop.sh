#!/bin/bash
# -Z USER: watch, host and probe open what needs root, then run as USER
# (nobody): every uid and gid in /proc/PID/status is USER's while they
# still work (watch joins a provoked reset with the kernel's reason and, at
# SIGTERM, its instance is removed by its helper; host samples; probe
# measures); an unknown USER is refused with exit 4 and a message naming it.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root (dropping to another user)"; exit 77; }
for c in ip nsenter python3 jq; do command -v $c >/dev/null || { echo "$c missing"; exit 77; }; done
id nobody >/dev/null 2>&1 || { echo "no user 'nobody'"; exit 77; }
[ -e /sys/kernel/tracing/events/tcp/tcp_send_reset ] || [ -d /sys/kernel/tracing/instances ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
[ -e /sys/kernel/tracing/events/tcp/tcp_send_reset ] || { echo "no tcp_send_reset tracepoint"; exit 77; }
T=/sys/kernel/tracing/instances
NOBODY=$(id -u nobody)
ns=rstscope-z613-$$
tmp=$(mktemp -d /tmp/rstscope-613.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; rmdir "$T/rstscope-$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do [ -f "$f" ] && sed "s#^#  $(basename "$f")| #" "$f" | tail -6; done; exit 1; }
ip netns add "$ns" || { echo "cannot create a network namespace"; exit 77; }
ip -n "$ns" link set lo up
# uids PID: the real, effective, saved and fs uids and gids, one line
uids() { awk '/^(Uid|Gid):/ { printf "%s %s %s %s ", $2, $3, $4, $5 }' "/proc/$1/status"; }
want="$NOBODY $NOBODY $NOBODY $NOBODY $(id -g nobody) $(id -g nobody) $(id -g nobody) $(id -g nobody) "
# wait_for FILE PATTERN: at most 10 s
wait_for() { local i; for i in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# unknown users
for cmd in "watch --no-capture -d 1" "host --count 1" "probe --max 2 127.0.0.1:9"; do
	# shellcheck disable=SC2086
	"$RSTSCOPE" ${cmd%% *} -Z no-such-user-613 ${cmd#* } >/dev/null 2>"$tmp/unknown.err"; rc=$?
	[ $rc = 4 ] || fail "${cmd%% *} -Z no-such-user-613: exit $rc, want 4"
	grep -q "unknown user 'no-such-user-613'" "$tmp/unknown.err" || fail "${cmd%% *}: no message naming the user"
done

# watch
nsenter --net=/run/netns/"$ns" "$RSTSCOPE" watch -i lo --json --horizon 1 --summary-every 0 --duration 60 \
	-Z nobody >"$tmp/watch.out" 2>"$tmp/watch.err" &
w=$!; pids+=("$w")
wait_for "$tmp/watch.err" "watching:" || fail "watch did not start"
[ "$(uids "$w")" = "$want" ] || fail "watch runs as '$(uids "$w")', want '$want'"
[ -d "$T/rstscope-$w" ] || fail "watch has no instance"
ok=
for try in 1 2 3; do
	line=$(ip netns exec "$ns" python3 "$ROOT/tests/helpers/watch_provoke.py" noport) || fail "provoking failed"
	sp=$(jq -r .sport <<<"$line") dp=$(jq -r .dport <<<"$line")
	for i in $(seq 100); do
		jq -e "select(.type==\"rst\" and .sport==$sp and .dport==$dp and .kernel_reason==\"NO_SOCKET\")" \
			"$tmp/watch.out" >/dev/null 2>&1 && { ok=1; break; }
		sleep 0.1
	done
	[ -n "$ok" ] && break
done
[ -n "$ok" ] || fail "watch as nobody did not join a provoked reset with the kernel's reason"
kill -TERM "$w"; wait "$w"; rc=$?
[ $rc = 1 ] || fail "watch as nobody: exit $rc after SIGTERM, want 1"
for i in $(seq 50); do [ -d "$T/rstscope-$w" ] || break; sleep 0.1; done
[ -d "$T/rstscope-$w" ] && fail "watch as nobody left its instance"
echo "ok: watch -Z nobody"

# host
"$RSTSCOPE" host --json --interval 1 --count 4 -Z nobody >"$tmp/host.out" 2>"$tmp/host.err" &
h=$!; pids+=("$h")
wait_for "$tmp/host.out" '"name":"sock-diag"' || fail "host did not sample"
[ "$(uids "$h")" = "$want" ] || fail "host runs as '$(uids "$h")', want '$want'"
wait "$h"; rc=$?
[ $rc -le 1 ] || fail "host as nobody: exit $rc"
echo "ok: host -Z nobody"

# probe: a listener that keeps every connection open (none die)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64); print(s.getsockname()[1], flush=True)
s.settimeout(1); keep = []; end = time.time() + 30
while time.time() < end:
    try: keep.append(s.accept()[0])
    except socket.timeout: pass
' >"$tmp/port" &
pids+=("$!")
wait_for "$tmp/port" . || fail "no listener"
"$RSTSCOPE" probe --json --max 2 --parallel 4 -Z nobody "127.0.0.1:$(cat "$tmp/port")" >"$tmp/probe.out" 2>"$tmp/probe.err" &
p=$!; pids+=("$p")
sleep 0.5
[ "$(uids "$p")" = "$want" ] || fail "probe runs as '$(uids "$p")', want '$want'"
wait "$p"; rc=$?
[ $rc = 0 ] || fail "probe as nobody: exit $rc"
jq -e 'select(.type=="probe")' "$tmp/probe.out" >/dev/null || fail "probe as nobody gave no result"
echo "ok: probe -Z nobody: $(jq -c 'select(.type=="probe") | {death, timeout_s}' "$tmp/probe.out")"
exit 0
