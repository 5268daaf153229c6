#!/bin/bash
# Record tests/data/host/listen-overflow-netlink on this machine (root): a
# network namespace of its own with a loopback listener (backlog 1) that
# never accepts, its accept queue filled by clients in the same namespace;
# scripts/host-snapshot.sh records two snapshots with 'rstscope host
# --record' for the sock_diag replies; the result is stripped to what the
# replay reads for the listener (time, netlink/sock_diag, the namespace's
# inode, the listener's comm and socket fd) and expect.json says what was
# recorded. Usage: tests/helpers/host_netlink_fixture.sh RSTSCOPE OUTDIR
set -u
rs=$1 out=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "host_netlink_fixture: needs root (ip netns)" >&2; exit 2; }
[ -e "$out" ] && { echo "host_netlink_fixture: '$out' exists" >&2; exit 2; }
ns=rstscope-hq-$$
tmp=$(mktemp -d /tmp/rstscope-hqfix.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
die() { echo "host_netlink_fixture: $*" >&2; exit 1; }

ip netns add "$ns" || die "ip netns add $ns"
ip -n "$ns" link set lo up || die "lo up"
port=$((20000 + RANDOM % 20000))

# the listener: backlog 1, never accepts; says its socket's inode and fd
ip netns exec "$ns" python3 -c '
import os, socket, sys, time
open("/proc/self/comm", "w").write("hq-listener")
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
st = os.fstat(s.fileno())
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d %d\n" % (st.st_ino, s.fileno()))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
time.sleep(120)
' "$port" "$tmp/listener" &
pids+=($!)
lpid=$!
for _ in $(seq 100); do [ -s "$tmp/listener" ] && break; sleep 0.05; done
[ -s "$tmp/listener" ] || die "listener did not start"
read -r ino lfd <"$tmp/listener"

# clients: more connections than the queue holds, kept open
ip netns exec "$ns" python3 -c '
import socket, sys, time
cs = []
for _ in range(4):
    c = socket.socket()
    c.setblocking(False)
    c.connect_ex(("127.0.0.1", int(sys.argv[1])))
    cs.append(c)
time.sleep(120)
' "$port" &
pids+=($!)

# the accept queue at its limit (backlog 1 holds 2: sk_acceptq_is_full is >)
for _ in $(seq 100); do
	q=$(ip netns exec "$ns" ss -Hltn "sport = :$port" | awk '{print $2}')
	[ "${q:-0}" -ge 2 ] && break
	sleep 0.05
done
[ "${q:-0}" -ge 2 ] || die "accept queue not filled (Recv-Q ${q:-none})"

ip netns exec "$ns" env RSTSCOPE="$rs" "$ROOT/scripts/host-snapshot.sh" "$tmp/rec" 1 1 2>"$tmp/snap.err" ||
	die "host-snapshot: $(cat "$tmp/snap.err")"
grep -v "snapshots in" "$tmp/snap.err" >&2
netns=$(ip netns exec "$ns" readlink /proc/self/ns/net | tr -dc 0-9)

for k in 0 1; do
	s=$tmp/rec/$k d=$out/$k
	[ -s "$s/netlink/sock_diag" ] || die "snapshot $k: no sock_diag replies"
	mkdir -p "$d/netlink" "$d/proc/self/ns" "$d/proc/$lpid/fd"
	cp "$s/time" "$d/time"
	cp "$s/netlink/sock_diag" "$d/netlink/sock_diag"
	cp -P "$s/proc/self/ns/net" "$d/proc/self/ns/net"
	cp "$s/proc/$lpid/comm" "$d/proc/$lpid/comm" || die "snapshot $k: no comm of $lpid"
	[ "$(readlink "$s/proc/$lpid/fd/$lfd")" = "socket:[$ino]" ] || die "snapshot $k: fd $lfd of $lpid is not socket:[$ino]"
	cp -P "$s/proc/$lpid/fd/$lfd" "$d/proc/$lpid/fd/$lfd"
done
printf '{"listener":"127.0.0.1:%d","pid":%d,"comm":"hq-listener","inode":%d,"backlog":1,"queue_min":2,"netns":%d}\n' \
	"$port" "$lpid" "$ino" "$netns" >"$out/expect.json"
echo "host_netlink_fixture: $out ($(du -sh "$out" | cut -f1), listener 127.0.0.1:$port pid $lpid)" >&2
