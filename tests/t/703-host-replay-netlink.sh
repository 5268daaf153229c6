#!/bin/bash
# host on recorded sock_diag replies (no root): tests/data/host/
# listen-overflow-netlink was recorded on a real namespace
# (tests/helpers/host_netlink_fixture.sh: a loopback listener with backlog 1
# that never accepts, filled by clients); its replay finds the accept queue
# at its backlog, naming the listener and its process. Without the replies
# nothing is found, cut replies are an error, and --record on this host
# writes what --replay reads (ctnetlink too, as root with nf_conntrack).
set -u
tmp=$(mktemp -d /tmp/rstscope-703.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
fx=$ROOT/tests/data/host/listen-overflow-netlink
ex() { jq -r ".$1" "$fx/expect.json"; }

"$RSTSCOPE" host --replay "$fx" --json >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 1 ] || fail "replay: exit $rc, want 1: $(cat "$tmp/e")"
[ "$(jq -r 'select(.type=="source" and .name=="sock-diag") | [.state,.detail] | join(" ")' "$tmp/o")" = "ok recorded replies" ] ||
	fail "sock-diag not read from the recorded replies: $(grep sock-diag "$tmp/o")"
f=$(jq -c 'select(.type=="finding" and .id=="listen-overflow" and .state!="history")' "$tmp/o")
[ "$(wc -l <<<"$f")" = 1 ] && [ -n "$f" ] || fail "want one listen-overflow: $(cat "$tmp/o")"
got=$(jq -c '[.state,.trigger,.listener,.pid,.comm,.netns,.evidence."listener.backlog".value]' <<<"$f")
want="[\"new\",\"accept queue at its backlog\",\"$(ex listener)\",$(ex pid),\"$(ex comm)\",$(ex netns),$(ex backlog)]"
[ "$got" = "$want" ] || fail "listen-overflow: got $got, want $want"
jq -e --argjson q "$(ex queue_min)" '.evidence."listener.queue".value >= $q' <<<"$f" >/dev/null ||
	fail "queue below $(ex queue_min): $f"
"$RSTSCOPE" host --replay "$fx" 2>/dev/null | grep -q "listen-overflow.*$(ex listener)" ||
	fail "text mode does not name the listener"

# the finding comes from the replies: without them (and no net/tcp) none
cp -r "$fx" "$tmp/none"
rm -f "$tmp/none"/*/netlink/sock_diag
"$RSTSCOPE" host --replay "$tmp/none" --json >"$tmp/n" 2>"$tmp/e"; rc=$?
[ $rc = 0 ] || fail "without replies: exit $rc: $(cat "$tmp/o")"
[ "$(jq -r 'select(.type=="source" and .name=="sock-diag") | .state' "$tmp/n")" = missing ] || fail "without replies: not missing"

# replies cut inside a message are malformed, said so, and the run goes on
cp -r "$fx" "$tmp/cut"
for k in 0 1; do head -c 100 "$fx/$k/netlink/sock_diag" >"$tmp/cut/$k/netlink/sock_diag"; done
"$RSTSCOPE" host --replay "$tmp/cut" --json >"$tmp/c" 2>"$tmp/e"; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "cut replies: exit $rc: $(cat "$tmp/e")"
[ "$(jq -r 'select(.type=="source" and .name=="sock-diag") | .state' "$tmp/c")" = error ] || fail "cut replies: not an error"
jq -e 'select(.type=="summary") | .intervals == 1' "$tmp/c" >/dev/null || fail "cut replies: the run did not go on"

# --record on this host (sock_diag needs no rights) and its replay
"$RSTSCOPE" host --replay "$fx" --record "$tmp/x" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "--replay with --record: exit $rc, want 2"
timeout 20 "$RSTSCOPE" host --record "$tmp/rec" --count 1 --interval 0.2 --json >"$tmp/l" 2>"$tmp/e"; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "--record: exit $rc: $(cat "$tmp/e")"
for k in 0 1; do
	[ -f "$tmp/rec/$k/netlink/sock_diag" ] && [ -s "$tmp/rec/$k/time" ] || fail "--record: snapshot $k incomplete: $(find "$tmp/rec")"
done
n=$(jq -s '[.[] | select(.type=="finding")] | length' "$tmp/l")
"$RSTSCOPE" host --replay "$tmp/rec" --json >"$tmp/r" 2>"$tmp/e"; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "replay of --record: exit $rc: $(cat "$tmp/e")"
[ "$(jq -r 'select(.type=="source" and .name=="sock-diag") | .state' "$tmp/r")" = ok ] || fail "replay of --record: sock-diag not ok"

# ctnetlink (root, nf_conntrack loaded): a proc tree without
# net/stat/nf_conntrack makes host ask ctnetlink; its replay reads the same
ct=skipped
if [ "$(id -u)" = 0 ] && [ -e /proc/sys/net/netfilter/nf_conntrack_max ]; then
	mkdir -p "$tmp/fp/net"
	for f in /proc/net/*; do [ "${f##*/}" = stat ] || ln -s "$f" "$tmp/fp/net/"; done
	ln -s /proc/sys "$tmp/fp/sys"; ln -s /proc/self "$tmp/fp/self"; ln -s /proc/vmstat "$tmp/fp/vmstat"
	RSTSCOPE_PROC_ROOT=$tmp/fp timeout 20 "$RSTSCOPE" host --record "$tmp/ct" --count 1 --interval 0.2 --json >"$tmp/ctl" 2>"$tmp/e"
	"$RSTSCOPE" host --replay "$tmp/ct" --json >"$tmp/ctr" 2>>"$tmp/e"
	src() { jq -r 'select(.type=="source" and .name=="conntrack-stat") | .path' "$1"; }
	ctr() { jq -c 'select(.type=="counters") | .counters | with_entries(select(.key | startswith("conntrack.stat")))' "$1"; }
	[ "$(src "$tmp/ctl")" = ctnetlink ] || fail "ctnetlink not asked: $(cat "$tmp/ctl" "$tmp/e")"
	[ "$(src "$tmp/ctr")" = "$tmp/ct/0/netlink/ctnetlink" ] || fail "recorded ctnetlink not replayed: $(grep conntrack-stat "$tmp/ctr")"
	[ -n "$(ctr "$tmp/ctr")" ] && [ "$(ctr "$tmp/ctl")" = "$(ctr "$tmp/ctr")" ] || fail "ctnetlink counters differ: $(ctr "$tmp/ctl") / $(ctr "$tmp/ctr")"
	ct=ok
fi
echo "netlink replay ok (live run: $n findings; ctnetlink record: $ct)"
