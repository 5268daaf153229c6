#!/bin/bash
# probe's command line: usage errors and refused targets exit 2, a target
# that does not answer exits 4 and says so, names resolve, IPv6 works.
. "$ROOT/tests/helpers/proxy_lib.sh"

expect_rc() {  # WANT MESSAGE-REGEX ARGS...
	local want=$1 re=$2 rc; shift 2
	"$RSTSCOPE" probe "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "probe $*: exit $rc, want $want ($(cat "$tmp/err"))"
	[ -z "$re" ] || grep -Eq "$re" "$tmp/err" || fail "probe $*: message '$(cat "$tmp/err")', want /$re/"
}

"$RSTSCOPE" probe --help | grep -q '^EXAMPLES' || fail "--help has no EXAMPLES"
"$RSTSCOPE" --help | grep -q '^  probe ' || fail "probe is not in the command list"
expect_rc 2 'which HOST:PORT'
expect_rc 2 'unknown option' --bogus 127.0.0.1:1
expect_rc 2 'one HOST:PORT only' 127.0.0.1:1 127.0.0.1:2
expect_rc 2 'bad target' 127.0.0.1
expect_rc 2 'bad target' 127.0.0.1:0
expect_rc 2 'bad target' 127.0.0.1:70000
expect_rc 2 'bad target' '[::1:80'
expect_rc 2 'bad --max' --max 0 127.0.0.1:1
expect_rc 2 'bad --max' --max 5000 127.0.0.1:1
expect_rc 2 'bad --parallel' --parallel 65 127.0.0.1:1
expect_rc 2 'bad --parallel' --parallel 0 127.0.0.1:1
expect_rc 2 'bad --wait' --wait x 127.0.0.1:1
for t in 224.0.0.1:80 239.255.255.250:1900 '[ff02::1]:80' '[::ffff:224.0.0.5]:80'; do
	expect_rc 2 'refusing to probe .*multicast' "$t"
done
expect_rc 2 'refusing to probe .*broadcast' 255.255.255.255:80
for t in 0.0.0.0:80 0.1.2.3:80 '[::]:80'; do
	expect_rc 2 'refusing to probe .*unspecified' "$t"
done

# nothing listens: exit 4, said so
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_rc 4 "cannot connect to '127.0.0.1:$port'.*refused" --max 2 127.0.0.1:$port
expect_rc 4 "cannot connect" --max 2 --http localhost:$port

# a name, IPv6, and nothing reaping within --max: death none, exit 0
up_start echo
px_start fin6 ::1 --upstream 127.0.0.1:$UP_PORT --idle-timeout 1 --idle-action fin || true
if [ -n "${PX_PORT:-}" ]; then
	"$RSTSCOPE" probe --json --max 3 --parallel 4 "[::1]:$PX_PORT" >"$tmp/v6.json" || fail "IPv6 probe: exit $?"
	jq -e 'select(.type == "probe") | .death == "fin" and .idle_timeout_s >= 0.9 and .idle_timeout_s <= 1.1 and
		(.target | startswith("[::1]:"))' "$tmp/v6.json" >/dev/null || fail "IPv6 probe: $(tail -n 1 "$tmp/v6.json")"
	px_stop "$PX_PID"
fi
px_start none 127.0.0.1 --upstream 127.0.0.1:$UP_PORT
"$RSTSCOPE" probe --max 1.5 --parallel 3 "localhost:$PX_PORT" >"$tmp/none.txt" || fail "none: exit $?"
grep -q 'no idle timeout up to 1.50 s (death none)' "$tmp/none.txt" || fail "none: $(cat "$tmp/none.txt")"
"$RSTSCOPE" probe --json --max 1.5 --parallel 3 "127.0.0.1:$PX_PORT" | jq -e 'select(.type == "probe") |
	.death == "none" and .idle_timeout_s == null and .died_s == null and .survived_s == 1.5' >/dev/null ||
	fail "none: JSON"
px_finish
echo "probe cli: usage, refused targets, cannot connect, IPv6, none: ok"
