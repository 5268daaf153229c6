#!/bin/bash
# proxy limits: --max-conns resets connections beyond the limit and frees
# slots when connections end; --duration and SIGINT stop it cleanly with
# open connections closed and a summary printed.
. "$ROOT/tests/helpers/proxy_lib.sh"

up_start echo
UP=127.0.0.1:$UP_PORT

px_start max 127.0.0.1 --upstream $UP --max-conns 2
w=$(peer conns --addr "$PX_ADDR" --count 4)
[ "$w" = "ok ok reset reset" ] || fail "max-conns 2, 4 held connections: '$w'"
[ "$(grep -c ' refuse client=127.0.0.1:[0-9]* reason=max-conns' "$tmp/max.log")" = 2 ] || fail "refuse events"
for _ in $(seq 40); do [ "$(grep -c ' close conn=' "$tmp/max.log")" -ge 2 ] && break; sleep 0.05; done
w=$(peer conns --addr "$PX_ADDR" --count 2)
[ "$w" = "ok ok" ] || fail "max-conns 2 after the first two ended: '$w'"
px_stop "$PX_PID"
[ "$PX_RC" = 0 ] || fail "max: exit $PX_RC"
grep -q ' summary accepted=4 refused=2 ' "$tmp/max.log" || fail "max: summary"

# --duration with a connection open: exits 0 by itself, the client gets EOF
px_start dur 127.0.0.1 --upstream $UP --duration 0.8
peer probe --addr "$PX_ADDR" --send 5 --timeout 4 >"$tmp/dur.out" &
probe=$!; pids+=($probe)
px_wait "$PX_PID" 4
[ "$PX_RC" = 0 ] || fail "duration: proxy exit $PX_RC"
wait "$probe"
out=$(cat "$tmp/dur.out")
[ "$(field outcome "$out")" = eof ] && [ "$(field received "$out")" = 5 ] || fail "duration: client saw $out"
grep -q ' stop reason=duration active=1' "$tmp/dur.log" || fail "duration: stop event"
grep -q ' close conn=1 how=fin reason=proxy-exit up=5 down=5 ' "$tmp/dur.log" || fail "duration: close event"
grep -q ' summary accepted=1 ' "$tmp/dur.log" || fail "duration: summary"

# SIGINT (ignored by default in background jobs; the proxy still takes it)
px_start int 127.0.0.1 --upstream $UP
kill -INT "$PX_PID"
px_wait "$PX_PID" 4
[ "$PX_RC" = 0 ] || fail "SIGINT: proxy exit $PX_RC"
grep -q ' stop reason=SIGINT active=0' "$tmp/int.log" || fail "SIGINT: stop event"

# the listen address in use: a runtime failure (4), not a usage one
px_start busy 127.0.0.1 --upstream $UP
"$RSTSCOPE" proxy --listen "$PX_ADDR" --upstream $UP 2>"$tmp/busy2.log"; rc=$?
[ $rc = 4 ] || fail "listen on a busy address: exit $rc, want 4"
grep -q "cannot listen on '$PX_ADDR': Address already in use" "$tmp/busy2.log" || fail "busy: message"
px_finish
echo "max-conns, duration, SIGINT, busy address: ok"
