#!/bin/bash
# host -Z USER, as root: the kernel log is opened before the drop and stays
# ok; what needs rights afterwards (ctnetlink, other users' /proc/PID/fd)
# says needs-rights or stays ok with what it could not read; the run ends
# with 0 or 1. An unknown user is a runtime failure.
set -u
tmp=$(mktemp -d /tmp/rstscope-704.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "-Z needs root"; exit 77; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "no user 'nobody'"; exit 77; }
cd "$tmp" || fail "cd $tmp"   # a directory nobody may stay in

timeout 30 "$RSTSCOPE" host --count 1 --interval 1 -Z nobody --json >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "-Z nobody: exit $rc: $(cat "$tmp/e")"
jq -e 'select(.type=="summary") | .intervals == 1' "$tmp/o" >/dev/null || fail "-Z nobody: no summary: $(cat "$tmp/e")"
st() { jq -r "select(.type==\"source\" and .name==\"$1\") | .state" "$tmp/o" | tail -1; }
[ "$(st kmsg)" = ok ] || fail "kmsg, opened before the drop, is $(st kmsg)"
for s in process-fds sock-diag conntrack-stat; do
	case $(st "$s") in ok|needs-rights|partial|missing) ;; *) fail "$s after -Z: '$(st "$s")'" ;; esac
done
bad=$(jq -c 'select(.type=="source" and .state=="error")' "$tmp/o")
[ -z "$bad" ] || fail "sources in error after -Z: $bad"
# it did run as nobody: root's processes are out of its reach
jq -r 'select(.type=="source" and .name=="process-fds") | .detail' "$tmp/o" | grep -q "need root" ||
	fail "process-fds reads every process: not dropped? $(grep process-fds "$tmp/o")"

# ctnetlink checks CAP_NET_ADMIN on each request: with no
# /proc/net/stat/nf_conntrack (a proc tree without it) it needs rights
if [ -e /proc/sys/net/netfilter/nf_conntrack_max ]; then
	mkdir -p "$tmp/fp/net" && chmod 755 "$tmp" "$tmp/fp" "$tmp/fp/net"
	for f in /proc/net/*; do [ "${f##*/}" = stat ] || ln -s "$f" "$tmp/fp/net/"; done
	ln -s /proc/sys "$tmp/fp/sys"; ln -s /proc/self "$tmp/fp/self"; ln -s /proc/vmstat "$tmp/fp/vmstat"
	RSTSCOPE_PROC_ROOT=$tmp/fp timeout 30 "$RSTSCOPE" host --count 1 --interval 1 -Z nobody --json >"$tmp/o" 2>"$tmp/e"; rc=$?
	[ $rc = 0 ] || [ $rc = 1 ] || fail "-Z nobody, ctnetlink: exit $rc: $(cat "$tmp/e")"
	[ "$(st conntrack-stat)" = needs-rights ] || fail "ctnetlink as nobody: '$(st conntrack-stat)'"
fi

"$RSTSCOPE" host --count 1 --interval 1 -Z no-such-user-here >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 4 ] || fail "-Z unknown user: exit $rc, want 4"
grep -q "unknown user 'no-such-user-here'" "$tmp/e" || fail "-Z unknown user: $(cat "$tmp/e")"
echo "-Z ok"
