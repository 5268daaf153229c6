#!/bin/bash
# proxy: a reset from either peer is passed on to the other as a reset; an
# upstream that does not answer the SYN within --connect-timeout gives the
# client a reset and an upstream-fail event.
. "$ROOT/tests/helpers/proxy_lib.sh"

# the client aborts: the upstream sees ECONNRESET
up_start echo --log "$tmp/echo.conns"
px_start cli 127.0.0.1 --upstream 127.0.0.1:$UP_PORT
out=$(peer probe --addr "$PX_ADDR" --send 5 --abort-after 0.3)
[ "$(field outcome "$out")" = aborted ] && [ "$(field received "$out")" = 5 ] || fail "client abort: $out"
for _ in $(seq 40); do [ -s "$tmp/echo.conns" ] && break; sleep 0.05; done
grep -q 'received=5 sent=5 end=reset' "$tmp/echo.conns" || fail "client abort: upstream saw '$(cat "$tmp/echo.conns")'"
grep -q ' peer-reset conn=1 side=client error="Connection reset by peer"' "$tmp/cli.log" || fail "client abort: event"
grep -q ' close conn=1 how=rst reason=client-reset ' "$tmp/cli.log" || fail "client abort: close event"

# the upstream aborts after echoing: the client sees ECONNRESET
up_start abort --mode abort
px_start upa 127.0.0.1 --upstream 127.0.0.1:$UP_PORT
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] && [ "$(field received "$out")" = 5 ] || fail "upstream abort: $out"
grep -q ' peer-reset conn=1 side=upstream ' "$tmp/upa.log" || fail "upstream abort: event"

# an upstream whose accept queue is full drops SYNs: connect timeout
up_start full --backlog-only
peer probe --addr 127.0.0.1:$UP_PORT --send 0 --timeout 5 >/dev/null &
pids+=($!)
sleep 0.2
px_start cto 127.0.0.1 --upstream 127.0.0.1:$UP_PORT --connect-timeout 0.4
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] || fail "connect timeout: client saw $out"
within "$(field elapsed "$out")" 0.35 2.5 || fail "connect timeout: reset at $(field elapsed "$out") s, want 0.4 s"
grep -q ' upstream-fail conn=1 upstream=127.0.0.1:[0-9]* error="connect timeout after 0.400s"' "$tmp/cto.log" ||
	fail "connect timeout: event"
px_finish
echo "client abort -> upstream reset, upstream abort -> client reset, connect timeout: ok"
