#!/bin/bash
# The metrics endpoint under a slowloris: 300 connections held open, each
# dribbling half a request a byte now and then and reconnecting when shed,
# while a real scrape (curl, 1 s at most) is sampled 20 times: every one is
# answered, in time, with the whole exposition. watch's descriptors stay
# bounded by its connection cap meanwhile.
set -u
for c in python3 curl; do command -v $c >/dev/null || { echo "$c missing"; exit 77; }; done
tmp=$(mktemp -d /tmp/rstscope-620.XXXXXX)
. "$ROOT/tests/helpers/metrics_watch.sh"
lpid=
trap '[ -n "$lpid" ] && kill $lpid 2>/dev/null; stop_watch; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
seed=${SEED:-$RANDOM}
echo "seed $seed"

start_watch 60
python3 "$ROOT/tests/helpers/metrics_client.py" slowloris $port 300 13 $seed >"$tmp/loris" 2>&1 &
lpid=$!
for _ in $(seq 100); do grep -qs "connections open" "$tmp/loris" && break; sleep 0.1; done
opened=$(sed -n 's/^slowloris: \([0-9]*\) connections open/\1/p' "$tmp/loris")
sleep 1
worst=0 maxfd=0
for i in $(seq 20); do
	r=$(curl -s -o "$tmp/body" -w '%{http_code} %{time_total}' --max-time 1 http://127.0.0.1:$port/metrics)
	rc=$?
	[ $rc = 0 ] && [ "${r% *}" = 200 ] || fail "scrape $i under the slowloris: curl exit $rc, '$r'"
	grep -q '^rstscope_source_up{source="capture"} 1$' "$tmp/body" || fail "scrape $i: exposition incomplete"
	t=${r#* }
	worst=$(awk -v a=$worst -v b=$t 'BEGIN { print (b > a ? b : a) }')
	fds=$(ls /proc/$wpid/fd | wc -l)
	[ $fds -gt $maxfd ] && maxfd=$fds
	sleep 0.4
done
kill -0 $lpid 2>/dev/null || fail "the slowloris ended before the scrapes: $(cat "$tmp/loris")"
wait $lpid; lpid=
cat "$tmp/loris"
[ "$opened" = 300 ] || fail "the slowloris could open only ${opened:-no} connections"
[ $maxfd -le 90 ] || fail "watch held $maxfd descriptors (cap 64 clients)"
stop_watch
echo "20 scrapes under a 300-connection slowloris, worst $(awk -v t=$worst 'BEGIN { printf "%.3f", t }') s; watch at most $maxfd fds"
