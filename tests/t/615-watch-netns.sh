#!/bin/bash
# watch on the host sees into namespaces of its own making (root): resets
# sent in a namespace watch is not in carry that namespace's inode: a
# NO_SOCKET answer to a SYN (no socket, no process: placed by the address
# it came from) and an unread close (placed by its process). The namespace
# is made after watch starts or before it (drawn), its address, port and
# number of refused connects are drawn.
set -u
[ "$(id -u)" = 0 ] || { echo "needs root for network namespaces and tracefs"; exit 77; }
[ -e /sys/kernel/tracing/events/tcp/tcp_send_reset ] || { echo "no tcp_send_reset tracepoint"; exit 77; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
seed=${SEED:-$RANDOM}; RANDOM=$seed
echo "SEED=$seed"
NS=rsttest-$$
tmp=$(mktemp -d /tmp/rstscope-615.XXXXXX)
W=
cleanup() {
	[ -n "$W" ] && kill -KILL "$W" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL (SEED=$seed): $*"; [ -f "$tmp/err" ] && tail -5 "$tmp/err"; exit 1; }
addr=10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).$((RANDOM % 250 + 1))
port=$((RANDOM % 20000 + 20000)) tries=$((RANDOM % 4 + 1)) before=$((RANDOM % 2))
echo "address $addr, refused port $port x$tries, namespace made $([ $before = 1 ] && echo before || echo after) watch starts"
mkns() {
	ip netns add "$NS" || fail "cannot create a namespace"
	ip -n "$NS" link add d0 type veth peer name d1 && ip -n "$NS" link set d0 up &&
		ip -n "$NS" link set d1 up && ip -n "$NS" link set lo up &&
		ip -n "$NS" addr add "$addr/24" dev d0 || fail "cannot set up the namespace"
}
[ $before = 1 ] && mkns
"$RSTSCOPE" watch --json --no-capture --horizon 1 --summary-every 0 --duration 30 >"$tmp/out" 2>"$tmp/err" &
W=$!
for ((i = 0; i < 50; i++)); do grep -q "watching:" "$tmp/err" && break; sleep 0.1; done
grep -q "watching:" "$tmp/err" || fail "watch did not start"
[ $before = 0 ] && mkns
ino=$(stat -L -c %i "/run/netns/$NS")
ip netns exec "$NS" timeout 20 python3 - "$addr" "$port" "$tries" <<'PY' || fail "the provoking client failed"
import socket, sys, time
addr, port, tries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(tries):
    s = socket.socket(); s.settimeout(1)
    try: s.connect((addr, port))
    except OSError: pass
    s.close()
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, 8080)); l.listen(4)
c = socket.create_connection((addr, 8080)); a, _ = l.accept()
c.sendall(b"x" * 100); time.sleep(0.2)
a.close()          # the 100 bytes unread: TCP_ABORT_ON_CLOSE
time.sleep(0.3)
PY
sleep 2.5
kill -INT "$W"; wait "$W"; W=
jq -e 'select(.type=="summary")' "$tmp/out" >/dev/null || fail "no summary"
got=$(jq -c "select(.type==\"kernel_reset\" and .src==\"$addr\" and .sport==$port) | [.kernel_reason, .netns, .cause]" "$tmp/out" | sort | uniq -c | awk '{print $1, $2}')
[ "$got" = "$tries [\"NO_SOCKET\",$ino,\"refused\"]" ] || fail "refused: want $tries NO_SOCKET in netns $ino, got: $got"
got=$(jq -c "select(.type==\"kernel_reset\" and .src==\"$addr\" and .sport==8080) | [.kernel_reason, .netns, .comm, .cause]" "$tmp/out")
[ "$got" = "[\"TCP_ABORT_ON_CLOSE\",$ino,\"python3\",\"unread-close\"]" ] || fail "unread close: got $got (netns $ino)"
echo "ok: $tries refused and one unread close, all in netns $ino"
