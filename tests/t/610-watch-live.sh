#!/bin/bash
# watch live, as root, on lo of a network namespace of its own: resets
# provoked there (closed port, close with unread data, SO_LINGER 0,
# TCP_LINGER2 -1) are joined to their wire RSTs with the running kernel's
# reason and the closing process; a raw-socket RST claiming a local sender is
# reported as not sent by this host; the metrics endpoint shows the counters
# moving; SIGINT gives the final diagnosis; the tracefs instance (and a stale
# one of a dead pid) is gone afterwards.
set -u
. "$ROOT/tests/lib/watchlive.sh" ip nsenter python3 curl jq
T=/sys/kernel/tracing
ns=rstscope-w610-$$
tmp=$(mktemp -d /tmp/rstscope-610.XXXXXX)
wpid=
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "${stale:-}" ] && rmdir "$T/instances/rstscope-$stale" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; sed 's/^/  err| /' "$tmp/err" 2>/dev/null | tail -20; exit 1; }
ip netns add "$ns" || { echo "cannot create a network namespace"; exit 77; }
ip -n "$ns" link set lo up
inns() { ip netns exec "$ns" "$@"; }

# a stale instance of a dead rstscope
true & stale=$!; wait $stale
mkdir "$T/instances/rstscope-$stale" || fail "cannot make a stale instance"

port=$((20000 + $$ % 20000))
nsenter --net=/run/netns/"$ns" "$RSTSCOPE" watch -i lo --json --horizon 1 --summary-every 0 --duration 40 \
	--metrics 127.0.0.1:$port >"$tmp/out" 2>"$tmp/err" &
wpid=$!
for i in $(seq 50); do grep -q "watching:" "$tmp/err" && break; sleep 0.1; done
grep -q "watching: capture on 'lo'.*kernel events from tracefs instance.*reset reasons" "$tmp/err" ||
	fail "sources not announced"
[ -d "$T/instances/rstscope-$wpid" ] || fail "no instance rstscope-$wpid"
[ -d "$T/instances/rstscope-$stale" ] && fail "stale instance rstscope-$stale not removed"
stale=
m0=$(inns curl -s --max-time 2 http://127.0.0.1:$port/metrics) || fail "metrics endpoint not answering"
grep -q '^rstscope_source_up{source="kernel"} 1' <<<"$m0" || fail "metrics: kernel source not up"
grep -q 'kernel_reason="TCP_ABORT_ON_CLOSE"' <<<"$m0" && fail "metrics: counts before any reset"

inns python3 "$ROOT/tests/helpers/watch_provoke.py" noport unread linger0 linger2 twdata >"$tmp/expect" ||
	fail "provoking resets failed"
inns python3 "$ROOT/tests/helpers/forge_rst.py" 127.0.0.1 4444 127.0.0.1 5555 || fail "forging failed"
# verdicts are final one horizon (1 s) after their RST
for i in $(seq 60); do
	[ "$(jq -c 'select(.type=="rst")' "$tmp/out" 2>/dev/null | grep -c .)" -ge 6 ] && break
	sleep 0.1
done
m1=$(inns curl -s --max-time 2 http://127.0.0.1:$port/metrics) || fail "metrics endpoint gone"
kill -INT $wpid
wait $wpid; rc=$?
wp=$wpid wpid=
[ $rc = 1 ] || fail "exit $rc after SIGINT, want 1 (resets seen)"
[ -d "$T/instances/rstscope-$wp" ] && fail "instance rstscope-$wp left behind"

n=0
while read -r line; do
	sport=$(jq -r .sport <<<"$line") dport=$(jq -r .dport <<<"$line")
	case=$(jq -r .case <<<"$line") pid=$(jq -r .pid <<<"$line") comm=$(jq -r .comm <<<"$line")
	case $case in
	noport) want=NO_SOCKET ;; unread) want=TCP_ABORT_ON_CLOSE ;;
	linger0) want=TCP_STATE ;; linger2) want=TCP_ABORT_ON_LINGER ;; twdata) want=TCP_TIMEWAIT_SOCKET ;;
	esac
	got=$(jq -c "select(.type==\"rst\" and .sport==$sport and .dport==$dport) | [.kernel_reason, .pid, .comm]" "$tmp/out")
	if [ "$pid" = -1 ]; then exp="[\"$want\",null,null]"; else exp="[\"$want\",$pid,\"$comm\"]"; fi
	[ "$got" = "$exp" ] || fail "$case $sport>$dport: got '$got', want $exp"
	n=$((n + 1))
done <"$tmp/expect"
[ $n = 5 ] || fail "$n cases provoked, want 5"
# a reset with an owner carries the owner's namespace and cgroup
nsino=$(stat -L -c %i /run/netns/"$ns")
bad=$(jq -c --argjson ino "$nsino" 'select(.type=="rst" and .pid != null and (.netns != $ino or (.cgroup | type) != "string")) | [.pid,.netns,.cgroup]' "$tmp/out")
[ -z "$bad" ] || fail "owned resets lack netns $nsino or a cgroup: $bad"
[ "$(jq -c 'select(.type=="rst" and .pid != null)' "$tmp/out" | grep -c .)" -ge 4 ] || fail "fewer than 4 owned resets"
forged=$(jq -c 'select(.type=="rst" and .sport==4444 and .dport==5555)' "$tmp/out")
jq -e '.forged=="forged" and .kernel_reason==null and (.forged_evidence|test("not sent by this host"))' \
	<<<"$forged" >/dev/null || fail "raw RST not reported as not sent by this host: $forged"
jq -e 'select(.type=="summary")' "$tmp/out" >/dev/null || fail "no final summary after SIGINT"
grep -q "kernel events: .* tcp_send_reset" "$tmp/err" || fail "no kernel event counts"
grep -q "capture 'lo': .* dropped by libpcap" "$tmp/err" || fail "no capture drop counts"
grep -q 'rstscope_resets_total{kind="established",sender="genuine",cause="[a-z-]*",kernel_reason="TCP_ABORT_ON_CLOSE",container="[^"]*"} 1' <<<"$m1" ||
	fail "metrics did not count the TCP_ABORT_ON_CLOSE reset: $(grep resets_total <<<"$m1")"
grep -q 'kernel_reason="not-sent",container="none"} 1' <<<"$m1" || fail "metrics did not count the forged RST"
grep -q '^rstscope_kernel_events_total{event="tcp_send_reset"} [1-9]' <<<"$m1" || fail "metrics: no kernel events"
echo "live: $n resets joined with their kernel reasons, forged RST flagged, metrics moving"
