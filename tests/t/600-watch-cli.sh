#!/bin/bash
# watch's command line: help, bad options, refusal without rights (exit 4,
# saying why), and -Z dropping privileges with the instance still removed.
set -u
tmp=$(mktemp -d /tmp/rstscope-600.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$RSTSCOPE" watch --help >"$tmp/h" || fail "--help exit $?"
grep -q EXAMPLES "$tmp/h" || fail "--help has no EXAMPLES"
for bad in "--duration x" "--duration 0" "--no-capture --no-kernel" "--snaplen 5" "extra" "--bogus"; do
	# shellcheck disable=SC2086
	"$RSTSCOPE" watch $bad >/dev/null 2>"$tmp/e"; rc=$?
	[ $rc = 2 ] || fail "'watch $bad' exit $rc, want 2"
	grep -q "^rstscope: \|^usage" "$tmp/e" || fail "'watch $bad' says nothing"
done

# without rights: refuse clearly, per source
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$RSTSCOPE" ||
		{ echo "binary not reachable by an unprivileged user"; exit 77; }
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
as_user "$RSTSCOPE" watch --no-capture --duration 1 >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 4 ] || fail "kernel source without rights: exit $rc, want 4"
grep -q "kernel events: .*needs root" "$tmp/e" || fail "kernel refusal unclear: $(cat "$tmp/e")"
as_user "$RSTSCOPE" watch --no-kernel -i lo --duration 1 >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 4 ] || fail "capture without rights: exit $rc, want 4"
grep -q "capture: .*CAP_NET_RAW" "$tmp/e" || fail "capture refusal unclear: $(cat "$tmp/e")"

[ "$(id -u)" = 0 ] || { echo "-Z needs root"; exit 77; }
T=/sys/kernel/tracing
"$RSTSCOPE" watch --no-capture -Z nobody --duration 1 >"$tmp/o" 2>"$tmp/e" &
p=$!
wait $p; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "-Z nobody: exit $rc: $(cat "$tmp/e")"
grep -q "watching:" "$tmp/e" || fail "-Z nobody: no sources"
for i in $(seq 30); do [ -d "$T/instances/rstscope-$p" ] || break; sleep 0.1; done
[ -d "$T/instances/rstscope-$p" ] && fail "-Z nobody: instance rstscope-$p left behind"
"$RSTSCOPE" watch --no-capture -Z no-such-user-here --duration 1 >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 4 ] || fail "-Z unknown user: exit $rc, want 4"
echo "cli ok"
