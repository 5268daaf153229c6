# Sourced by the metrics tests: start_watch runs 'rstscope watch' with its
# metrics endpoint on an ephemeral loopback port and no traffic to see (a
# capture on lo filtered to a port nobody uses, no kernel events), so the
# server is all there is; sets $wpid and $port. Skips (77) when the capture
# cannot be opened (no root or CAP_NET_RAW). stop_watch ends it by its pid.
wpid=
start_watch() {  # duration
	"$RSTSCOPE" watch --no-kernel -i lo -f 'tcp port 1' --summary-every 0 --duration "$1" \
		--metrics 127.0.0.1:0 >"$tmp/watch.out" 2>"$tmp/watch.err" &
	wpid=$!
	for _ in $(seq 100); do
		port=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$tmp/watch.err")
		[ -n "$port" ] && return 0
		kill -0 $wpid 2>/dev/null || break
		sleep 0.05
	done
	if grep -q "needs root" "$tmp/watch.err"; then
		wpid=
		echo "watch cannot capture on lo here (needs root or CAP_NET_RAW)"
		exit 77
	fi
	cat "$tmp/watch.err"
	echo "FAIL: watch did not start its metrics endpoint"
	exit 1
}
stop_watch() {
	[ -n "$wpid" ] || return 0
	kill -INT $wpid 2>/dev/null
	wait $wpid 2>/dev/null
	wpid=
}
