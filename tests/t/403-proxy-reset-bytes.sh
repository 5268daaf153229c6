#!/bin/bash
# proxy --reset-after-bytes: exactly N bytes are delivered in the counted
# direction(s), then both sides are reset (the client sees ECONNRESET, the
# upstream too).
. "$ROOT/tests/helpers/proxy_lib.sh"

upstream_line() {  # wait for the upstream's per-connection line
	for _ in $(seq 60); do [ -s "$1" ] && break; sleep 0.05; done
	cat "$1" 2>/dev/null
}

# down: 1 MB offered by the upstream, 100000 delivered, then RST
up_start src --mode source --bytes 1000000 --log "$tmp/src.conns"
px_start down 127.0.0.1 --upstream 127.0.0.1:$UP_PORT --reset-after-bytes 100000 --direction down
out=$(peer probe --addr "$PX_ADDR" --send 0 --timeout 4)
[ "$(field outcome "$out")" = reset ] || fail "down: client saw $out, want reset"
[ "$(field received "$out")" = 100000 ] || fail "down: client received $(field received "$out"), want 100000"
line=$(upstream_line "$tmp/src.conns")
case $line in *end=reset*|*end=epipe*) ;; *) fail "down: upstream saw '$line', want a reset" ;; esac
grep -q ' fault conn=1 action=rst reason=reset-after-bytes bytes=100000 direction=down' "$tmp/down.log" ||
	fail "down: no fault event"
grep -q ' close conn=1 how=rst reason=reset-after-bytes up=0 down=100000 ' "$tmp/down.log" ||
	fail "down: close event"

# up: the client uploads 400 KB through an echo; the upstream gets 50000
up_start echo --log "$tmp/echo.conns"
px_start up 127.0.0.1 --upstream 127.0.0.1:$UP_PORT --reset-after-bytes 50000 --direction up
out=$(peer probe --addr "$PX_ADDR" --send 400000 --timeout 4)
case $(field outcome "$out") in reset|epipe) ;; *) fail "up: client saw $out, want a reset" ;; esac
within "$(field received "$out")" 0 50000 || fail "up: client got more echo than was let up: $out"
line=$(upstream_line "$tmp/echo.conns")
case $line in "received=50000 "*end=reset*) ;; *) fail "up: upstream saw '$line', want 50000 bytes then a reset" ;; esac

# both: what went up plus what came down is exactly N (20000 up, the
# echo comes down until the sum is reached)
rm -f "$tmp/echo.conns"
px_start both 127.0.0.1 --upstream 127.0.0.1:$UP_PORT --reset-after-bytes 30001
out=$(peer probe --addr "$PX_ADDR" --send 20000 --after 0.3 --send-after 20000 --timeout 4)
case $(field outcome "$out") in reset|epipe) ;; *) fail "both: client saw $out, want a reset" ;; esac
line=$(upstream_line "$tmp/echo.conns")
upb=$(field received "$line")
[ -n "$upb" ] && [ $((upb + $(field received "$out"))) = 30001 ] ||
	fail "both: up ($line) + down ($out) is not 30001"
grep -q " close conn=1 how=rst reason=reset-after-bytes up=$upb down=$((30001 - upb)) " "$tmp/both.log" ||
	fail "both: close event does not match"

# 0: reset as soon as the upstream connection is up
px_start zero 127.0.0.1 --upstream 127.0.0.1:$UP_PORT --reset-after-bytes 0
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] && [ "$(field received "$out")" = 0 ] || fail "zero: client saw $out"
px_finish
echo "down 100000 exact, up 50000 exact, both 30001 = $upb up + $((30001 - upb)) down, zero: ok"
