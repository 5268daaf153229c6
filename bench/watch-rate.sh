#!/bin/bash
# The live packet rate 'rstscope watch' sustains on loopback with zero
# capture drops, and its CPU cost. Runs in a network namespace of its own
# (root), with both sources on: capture on lo and kernel events.
# usage: bench/watch-rate.sh RSTSCOPE_BINARY
# prints "watch: ..." figure lines.
set -u
bin=${1:?usage: watch-rate.sh RSTSCOPE}
secs=${WATCH_BENCH_SECONDS:-3}
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "watch: skipped (needs root)"; exit 0; }
tmp=$(mktemp -d /tmp/rstscope-wbench.XXXXXX)
ns=rstscope-wbench-$$
wpid=
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/gen" "$here/watch-gen.c" || { echo "watch: skipped (cannot build the generator)"; exit 0; }
ip netns add "$ns" || { echo "watch: skipped (no network namespace)"; exit 0; }
ip -n "$ns" link set lo up

# one step: watch for secs+1 s while the generator writes at $1 per second;
# sets frames, drops, pps, cpu (percent of one core)
step() {
	local rate=$1 gens=${2:-1} g
	nsenter --net=/run/netns/"$ns" /usr/bin/time -f '%U %S' -o "$tmp/time" \
		"$bin" watch -i lo --summary-every 0 --duration $((secs + 1)) >/dev/null 2>"$tmp/err" &
	wpid=$!
	for i in $(seq 50); do grep -q "watching:" "$tmp/err" && break; sleep 0.1; done
	sleep 0.3
	for g in $(seq "$gens"); do
		nsenter --net=/run/netns/"$ns" "$tmp/gen" "$rate" "$secs" >/dev/null &
	done
	wait_gens
	wait $wpid
	wpid=
	frames=$(sed -n "s/.*capture 'lo': \([0-9]*\) frames, \([0-9]*\) dropped by libpcap, \([0-9]*\).*/\1/p" "$tmp/err")
	drops=$(sed -n "s/.*capture 'lo': \([0-9]*\) frames, \([0-9]*\) dropped by libpcap, \([0-9]*\).*/\2/p" "$tmp/err")
	[ -n "$frames" ] || { echo "watch: run failed: $(tail -3 "$tmp/err")"; exit 1; }
	pps=$((frames / secs))
	cpu=$(awk -v d="$((secs + 1))" '{ printf "%.0f", ($1 + $2) * 100 / d }' "$tmp/time")
}

wait_gens() {  # the generators, by the pids of this shell's background jobs
	local j
	for j in $(jobs -p); do [ "$j" = "$wpid" ] || wait "$j"; done
}

best=0 best_cpu=0 dropped_at=
for spec in 10000:1 50000:1 200000:1 400000:2 1000000:2; do
	step "${spec%:*}" "${spec#*:}"
	echo "watch: ${spec#*:} generator(s) at ${spec%:*} writes/s -> $pps packets/s captured, $drops dropped, cpu ${cpu}%"
	if [ "$drops" = 0 ]; then
		[ "$pps" -gt "$best" ] && best=$pps best_cpu=$cpu
	else
		dropped_at=$pps
		break
	fi
done
if [ -n "$dropped_at" ]; then
	echo "watch: sustained $best packets/s on loopback with zero capture drops (cpu ${best_cpu}% of one core, both sources on); drops from $dropped_at packets/s"
else
	echo "watch: sustained $best packets/s on loopback with zero capture drops (cpu ${best_cpu}% of one core, both sources on); no drops at the generators' limit"
fi
