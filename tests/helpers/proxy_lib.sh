# Sourced by tests/t/4NN-proxy-*.sh: start upstream peers and the proxy on
# loopback, stop them by PID, and report failures with the proxy's log.
set -u
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
if [ -z "$PY" ]; then echo "python3 is not installed"; exit 77; fi
PEER="$ROOT/tests/helpers/proxy_peer.py"
tmp=$(mktemp -d /tmp/rstscope-proxy.XXXXXX)
pids=()
px_pids=()
declare -A px_done=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	local f
	echo "FAIL: $*"
	for f in "$tmp"/*.log; do
		[ -f "$f" ] && sed "s#^#  $(basename "$f"): #" "$f" | tail -n 30
	done
	exit 1
}

# up_start NAME [server options]: an upstream peer; sets UP_PORT.
up_start() {
	local name=$1; shift
	"$PY" "$PEER" server --port-file "$tmp/$name.port" --lifetime 60 "$@" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
	[ -s "$tmp/$name.port" ] || fail "upstream '$name' did not start"
	UP_PORT=$(cat "$tmp/$name.port")
}

# px_start NAME LISTEN_HOST [proxy options]: the proxy on port 0 of
# LISTEN_HOST; sets PX_PID, PX_PORT and PX_ADDR; its stderr is $tmp/NAME.log.
px_start() {
	local name=$1 host=$2 line; shift 2
	local lh=$host
	case $host in *:*) lh="[$host]" ;; esac
	"$RSTSCOPE" proxy --listen "$lh:0" "$@" 2>"$tmp/$name.log" &
	PX_PID=$!
	pids+=($PX_PID)
	px_pids+=($PX_PID)
	for _ in $(seq 100); do grep -q ' listen \|"event":"listen"' "$tmp/$name.log" 2>/dev/null && break; sleep 0.05; done
	line=$(grep -m1 ' listen \|"event":"listen"' "$tmp/$name.log") || fail "proxy '$name' did not start"
	PX_PORT=$(printf '%s\n' "$line" | sed -n 's/.*addr[":=]*[^ ",]*:\([0-9][0-9]*\)[" ,].*/\1/p')
	[ -n "$PX_PORT" ] || fail "no port in '$line'"
	PX_ADDR="$lh:$PX_PORT"
}

# px_stop PID: SIGTERM and wait (bounded); sets PX_RC to the exit code or
# "timeout".
px_stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null
	px_wait "$pid" 5
}

# px_wait PID SECONDS: wait for it to exit by itself; sets PX_RC.
px_wait() {
	local pid=$1 n=$(($2 * 20))
	for _ in $(seq $n); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$pid" 2>/dev/null; then PX_RC=timeout; return; fi
	wait "$pid"; PX_RC=$?
	px_done[$pid]=$PX_RC
}

# px_finish: stop every proxy still running; each must have exited 0 (a
# sanitizer report makes it exit otherwise).
px_finish() {
	local pid
	for pid in "${px_pids[@]}"; do
		[ -n "${px_done[$pid]:-}" ] && continue
		px_stop "$pid"
		[ "$PX_RC" = 0 ] || fail "proxy $pid exited $PX_RC"
	done
}

# field NAME LINE: the value of NAME=... in a probe's output line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# within VALUE LOW HIGH: is LOW <= VALUE <= HIGH (decimals)?
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

peer() { "$PY" "$PEER" "$@"; }
