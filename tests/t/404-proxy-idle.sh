#!/bin/bash
# proxy --idle-timeout: after that long without a byte either way the
# connection ends: rst -> the client sees ECONNRESET, fin -> EOF, silent ->
# nothing at all (its data vanishes) until --silent-max, then a reset.
. "$ROOT/tests/helpers/proxy_lib.sh"

up_start echo --log "$tmp/echo.conns"
UP=127.0.0.1:$UP_PORT

# rst
px_start rst 127.0.0.1 --upstream $UP --idle-timeout 0.5 --idle-action rst
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] && [ "$(field received "$out")" = 5 ] || fail "rst: $out, want reset after the echo"
within "$(field elapsed "$out")" 0.45 2.5 || fail "rst: reset at $(field elapsed "$out") s, want after the 0.5 s idle timeout"
grep -q ' fault conn=1 action=rst reason=idle-timeout idle=0\.[5-9]' "$tmp/rst.log" || fail "rst: fault event"
for _ in $(seq 40); do [ -s "$tmp/echo.conns" ] && break; sleep 0.05; done
grep -q 'received=5 sent=5 end=reset' "$tmp/echo.conns" || fail "rst: the upstream was not reset: $(cat "$tmp/echo.conns")"

# traffic restarts the idle clock: bytes at 0 and 0.4 s, reset near 0.9 s
out=$(peer probe --addr "$PX_ADDR" --send 5 --after 0.4 --send-after 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] && [ "$(field received "$out")" = 10 ] || fail "rst rearm: $out"
within "$(field elapsed "$out")" 0.85 3 || fail "rst rearm: reset at $(field elapsed "$out") s, want after 0.9 s"

# fin
rm -f "$tmp/echo.conns"
px_start fin 127.0.0.1 --upstream $UP --idle-timeout 0.4 --idle-action fin
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = eof ] && [ "$(field received "$out")" = 5 ] || fail "fin: $out, want eof after the echo"
within "$(field elapsed "$out")" 0.35 2.5 || fail "fin: eof at $(field elapsed "$out") s, want after 0.4 s"
for _ in $(seq 40); do [ -s "$tmp/echo.conns" ] && break; sleep 0.05; done
grep -q 'received=5 sent=5 end=eof' "$tmp/echo.conns" || fail "fin: the upstream did not see EOF: $(cat "$tmp/echo.conns")"
grep -q ' close conn=1 how=fin reason=idle-timeout up=5 down=5 ' "$tmp/fin.log" || fail "fin: close event"

# silent: bytes sent after the idle timeout reach no one, nobody is told
rm -f "$tmp/echo.conns"
px_start silent 127.0.0.1 --upstream $UP --idle-timeout 0.3 --idle-action silent --silent-max 30
out=$(peer probe --addr "$PX_ADDR" --send 5 --after 0.7 --send-after 7 --timeout 1.5)
[ "$(field outcome "$out")" = timeout ] && [ "$(field received "$out")" = 5 ] ||
	fail "silent: $out, want no data and no close after the echo"
grep -q ' fault conn=1 action=silent reason=idle-timeout' "$tmp/silent.log" || fail "silent: fault event"
grep -q ' close conn=1 ' "$tmp/silent.log" && fail "silent: the connection was closed"
[ -s "$tmp/echo.conns" ] && fail "silent: the upstream connection ended: $(cat "$tmp/echo.conns")"
px_stop "$PX_PID"
[ "$PX_RC" = 0 ] || fail "silent: proxy exit $PX_RC"
for _ in $(seq 40); do [ -s "$tmp/echo.conns" ] && break; sleep 0.05; done
grep -q '^received=5 sent=5 ' "$tmp/echo.conns" || fail "silent: the upstream got bytes sent into the void: $(cat "$tmp/echo.conns")"

# silent, bounded: after --silent-max both sides are reset
px_start smax 127.0.0.1 --upstream $UP --idle-timeout 0.2 --idle-action silent --silent-max 0.5
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] || fail "silent-max: $out, want reset"
within "$(field elapsed "$out")" 0.65 2.8 || fail "silent-max: reset at $(field elapsed "$out") s, want after 0.7 s"
grep -q ' fault conn=1 action=rst reason=silent-max' "$tmp/smax.log" || fail "silent-max: fault event"
px_finish
echo "idle rst, rearm, fin, silent, silent-max: ok"
