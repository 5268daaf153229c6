#!/bin/bash
# probe against rstscope proxy on loopback: with drawn idle timeouts (1-4 s)
# and each idle action, probe finds the timeout within 10 % and the death
# (rst and fin: sent by the peer when it can capture, else unknown; silent:
# with --http, since the silent proxy's kernel still acknowledges bytes).
. "$ROOT/tests/helpers/proxy_lib.sh"
HTTP="$ROOT/tests/helpers/probe_http.py"
seed=${PROBE_SEED:-$RANDOM}
RANDOM=$seed
echo "seed $seed (PROBE_SEED=$seed repeats it)"

"$PY" "$HTTP" --port-file "$tmp/http.port" --lifetime 60 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/http.port" ] && break; sleep 0.05; done
[ -s "$tmp/http.port" ] || fail "the HTTP upstream did not start"
UP=127.0.0.1:$(cat "$tmp/http.port")

# probe_case ACTION MAX [probe options]: a proxy with a drawn timeout, probe
# through it; checks the timeout (10 %), the death and the sender.
probe_case() {
	local action=$1 max=$2 r t out line got death sender rc t0; shift 2
	r=$RANDOM
	t=$(awk -v r=$r 'BEGIN { printf "%.1f", 1 + 3 * r / 32767 }')
	px_start "$action" 127.0.0.1 --upstream "$UP" --idle-timeout "$t" --idle-action "$action" \
		--silent-max 30 --duration 40
	t0=$SECONDS
	"$RSTSCOPE" probe --json --max "$max" "$@" "$PX_ADDR" >"$tmp/$action.json" 2>"$tmp/$action-probe.log"
	rc=$?
	[ $rc = 0 ] || fail "$action: probe exit $rc"
	line=$(jq -c 'select(.type == "probe")' "$tmp/$action.json") || fail "$action: no probe line"
	got=$(jq -r .idle_timeout_s <<<"$line") death=$(jq -r .death <<<"$line") sender=$(jq -r .sender <<<"$line")
	echo "$action: configured ${t}s, found ${got}s, death $death, sender $sender, $((SECONDS - t0))s wall"
	awk -v g="$got" -v t="$t" 'BEGIN { exit !(g != "null" && g >= 0.9 * t && g <= 1.1 * t) }' ||
		fail "$action: timeout $got, configured $t: $line"
	[ "$death" = "$action" ] || fail "$action: death $death: $line"
	case $action in
	rst|fin) if [ "$(id -u)" = 0 ]; then want=peer; else want=unknown; fi
		 [ "$sender" = "$want" ] || fail "$action: sender $sender, want $want: $line" ;;
	silent) [ "$sender" = unknown ] || fail "silent: sender $sender: $line" ;;
	esac
	[ "$(jq -r .converged <<<"$line")" = true ] || fail "$action: not converged: $line"
	jq -s -e 'map(select(.type == "trial")) | length > 0' "$tmp/$action.json" >/dev/null || fail "$action: no trial lines"
	# bounded: it stays within its budget
	[ $((SECONDS - t0)) -le $((${max%.*} + 4)) ] || fail "$action: took $((SECONDS - t0)) s for --max $max"
	px_stop "$PX_PID"
}

probe_case rst 8
probe_case fin 8 --http
probe_case silent 12 --http
px_finish
echo "probe through the proxy: rst, fin, silent ok"
