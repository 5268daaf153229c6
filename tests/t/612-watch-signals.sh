#!/bin/bash
# watch ended by SIGTERM, SIGHUP or SIGINT (in a drawn order, a drawn time
# after its start) prints its final summary (JSON and the counters on
# stderr), exits 1 for the resets it saw and removes its tracefs instance;
# a signal while the sources are still opening also leaves no instance;
# each within 10 s of the signal (a lost signal would run to --duration).
# SIGHUP that came ignored (nohup) stays ignored: the run goes on, SIGTERM
# still ends it. The watches start with SIGHUP at its default whatever this
# shell was given (env --default-signal), but for that case.
set -u
. "$ROOT/tests/lib/watchlive.sh" ip nsenter python3 jq shuf
T=/sys/kernel/tracing/instances
ns=rstscope-w612-$$
tmp=$(mktemp -d /tmp/rstscope-612.XXXXXX)
wpid=
cleanup() {
	[ -n "$wpid" ] && { kill -KILL "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; rmdir "$T/rstscope-$wpid" 2>/dev/null; }
	# a watch that failed the test may have left its instance
	[ -n "${w:-}" ] && ! kill -0 "$w" 2>/dev/null && rmdir "$T/rstscope-$w" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; sed 's/^/  err| /' "$tmp/err" | tail -8; exit 1; }
# ended_well WHAT RC TOOK_MS: exit 1 for the reset, a final summary with it,
# the instance of watch $w removed, within 10 s of the signal
ended_well() {
	[ "$2" = 1 ] || fail "$1: exit $2, want 1 (a reset seen)"
	jq -e 'select(.type=="summary") | .resets >= 1' "$tmp/out" >/dev/null ||
		fail "$1: no final summary with the reset on stdout"
	[ -d "$T/rstscope-$w" ] && fail "$1: instance rstscope-$w left behind"
	[ "$3" -le 10000 ] || fail "$1: the run ended $3 ms after the signal"
	return 0
}
ip netns add "$ns" || { echo "cannot create a network namespace"; exit 77; }
ip -n "$ns" link set lo up
seed=${SEED:-$RANDOM}
echo "seed $seed (SEED=$seed repeats it)"
RANDOM=$seed
mapfile -t sigs < <(printf '%s\n' TERM HUP INT | shuf --random-source=<(yes "$seed"))

for sig in "${sigs[@]}"; do
	# emptied here, not only by the redirection in the background job: the
	# wait below must not read the last watch's lines before the job runs
	: >"$tmp/err"
	env --default-signal=HUP nsenter --net=/run/netns/"$ns" "$RSTSCOPE" watch -i lo --json \
		--horizon 1 --summary-every 0 --duration 60 >"$tmp/out" 2>"$tmp/err" &
	wpid=$!
	for i in $(seq 100); do grep -q "watching:" "$tmp/err" && break; sleep 0.1; done
	[ -d "$T/rstscope-$wpid" ] || fail "SIG$sig: no instance rstscope-$wpid"
	ip netns exec "$ns" python3 "$ROOT/tests/helpers/watch_provoke.py" noport >/dev/null || fail "provoking failed"
	sleep "0.$((RANDOM % 9 + 1))"
	t0=$(date +%s%N)
	kill -"$sig" "$wpid"
	wait "$wpid"; rc=$?
	took=$((($(date +%s%N) - t0) / 1000000))
	w=$wpid wpid=
	ended_well "SIG$sig" "$rc" "$took"
	grep -q '^rstscope: kernel events: [0-9]* tcp_send_reset' "$tmp/err" ||
		fail "SIG$sig: no kernel event counters on stderr"
	echo "ok: SIG$sig: summary, exit 1, instance removed, $took ms after the signal"
done

# a signal right after the start, while the sources open
for sig in TERM HUP; do
	: >"$tmp/err"
	env --default-signal=HUP nsenter --net=/run/netns/"$ns" "$RSTSCOPE" watch -i lo --json \
		--duration 60 >"$tmp/out" 2>"$tmp/err" &
	wpid=$!
	sleep "0.0$((RANDOM % 5))"
	t0=$(date +%s%N)
	kill -"$sig" "$wpid"
	wait "$wpid"; rc=$?
	took=$((($(date +%s%N) - t0) / 1000000))
	w=$wpid wpid=
	# exit 128+N when the signal came before main(): no instance then either
	[ -d "$T/rstscope-$w" ] && fail "SIG$sig at the start: instance rstscope-$w left behind"
	[ "$took" -le 10000 ] || fail "SIG$sig at the start: the run ended $took ms after the signal"
	echo "ok: SIG$sig at the start: exit $rc, no instance left, $took ms after the signal"
done

# under nohup (SIGHUP ignored on entry) a hangup leaves the run going
: >"$tmp/err"
env --ignore-signal=HUP nsenter --net=/run/netns/"$ns" "$RSTSCOPE" watch -i lo --json --horizon 1 \
	--summary-every 0 --duration 60 >"$tmp/out" 2>"$tmp/err" &
wpid=$!
for i in $(seq 100); do grep -q "watching:" "$tmp/err" && break; sleep 0.1; done
kill -HUP "$wpid"
sleep "0.$((RANDOM % 5 + 5))"
kill -0 "$wpid" 2>/dev/null || fail "under nohup: SIGHUP ended the run"
ip netns exec "$ns" python3 "$ROOT/tests/helpers/watch_provoke.py" noport >/dev/null || fail "provoking failed"
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$wpid"
wait "$wpid"; rc=$?
took=$((($(date +%s%N) - t0) / 1000000))
w=$wpid wpid=
ended_well "under nohup, SIGTERM" "$rc" "$took"
echo "ok: under nohup: SIGHUP ignored, SIGTERM then: summary, exit 1, $took ms after it"
exit 0
