#!/bin/bash
# proxy: bytes pass unchanged both ways (IPv4 and IPv6), half-closes pass,
# an upstream that refuses gives the client a reset, JSON log lines parse,
# and SIGTERM closes open connections and exits 0 with a summary.
. "$ROOT/tests/helpers/proxy_lib.sh"

# echo through the proxy: 300 KB up, the same 300 KB down, then EOF both ways
up_start echo
px_start px 127.0.0.1 --upstream 127.0.0.1:$UP_PORT
out=$(peer echo-check --addr "$PX_ADDR" --bytes 300000) || fail "ipv4 echo: $out"
for _ in $(seq 40); do grep -q ' close conn=1 ' "$tmp/px.log" && break; sleep 0.05; done
grep -q ' close conn=1 how=fin reason=closed up=300000 down=300000 ' "$tmp/px.log" ||
	fail "no orderly close with the byte counts in the log"

# a connection held open when SIGTERM comes: the client sees EOF, exit 0
peer probe --addr "$PX_ADDR" --send 5 --timeout 4 >"$tmp/held.out" &
probe=$!; pids+=($probe)
for _ in $(seq 40); do grep -q ' connect conn=2 ' "$tmp/px.log" && break; sleep 0.05; done
sleep 0.1
px_stop "$PX_PID"
[ "$PX_RC" = 0 ] || fail "proxy exit after SIGTERM: $PX_RC"
wait "$probe"
out=$(cat "$tmp/held.out")
[ "$(field outcome "$out")" = eof ] && [ "$(field received "$out")" = 5 ] ||
	fail "held connection at SIGTERM: $out (want eof after 5 bytes)"
grep -q ' stop reason=SIGTERM active=1' "$tmp/px.log" || fail "no stop event"
grep -q ' summary accepted=2 .*bytes_up=300005 bytes_down=300005' "$tmp/px.log" || fail "summary counts"

# 1 MB from the upstream only, then its FIN
up_start source --mode source --bytes 1000000
px_start px2 127.0.0.1 --upstream 127.0.0.1:$UP_PORT
out=$(peer probe --addr "$PX_ADDR" --send 0 --timeout 5)
[ "$(field outcome "$out")" = eof ] && [ "$(field received "$out")" = 1000000 ] ||
	fail "download of 1000000 bytes: $out"

# IPv6 on both sides
if "$PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	up_start echo6 --host ::1
	px_start px6 ::1 --upstream "[::1]:$UP_PORT"
	out=$(peer echo-check --addr "$PX_ADDR" --bytes 200000) || fail "ipv6 echo: $out"
	grep -q 'client=\[::1\]:' "$tmp/px6.log" || fail "ipv6 client address not logged"
	v6=ok
else
	v6="skipped (no ::1)"
fi

# nothing listening upstream: the client is reset, the log says why
dead=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
px_start pxj 127.0.0.1 --upstream 127.0.0.1:$dead --json-log
out=$(peer probe --addr "$PX_ADDR" --send 5 --timeout 3)
[ "$(field outcome "$out")" = reset ] || fail "refused upstream: client saw $out, want reset"
for _ in $(seq 40); do grep -q '"event":"close"' "$tmp/pxj.log" && break; sleep 0.05; done
px_stop "$PX_PID"
[ "$PX_RC" = 0 ] || fail "json proxy exit: $PX_RC"
"$PY" - "$tmp/pxj.log" <<'PYEOF' || fail "json log"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [e["event"] for e in events]
assert kinds[:1] == ["listen"] and kinds[-1] == "summary", kinds
fail = [e for e in events if e["event"] == "upstream-fail"]
assert len(fail) == 1 and fail[0]["error"] == "Connection refused" and fail[0]["conn"] == 1, fail
close = [e for e in events if e["event"] == "close"][0]
assert close["how"] == "rst" and close["reason"] == "upstream-fail" and close["up"] == 0, close
s = events[-1]
assert s["accepted"] == 1 and s["upstream_fail"] == 1 and isinstance(s["bytes_up"], int), s
PYEOF
px_finish
echo "ipv4 300 KB both ways, 1 MB down, ipv6 $v6, refused upstream reset, json log, SIGTERM: ok"
