#!/bin/bash
# Record a tracefs replay fixture on this machine (root): the event format
# files, the trace text of resets provoked on loopback, the wire capture of
# the same resets, and the clock offset that maps trace time to wall time.
# usage: record.sh OUTDIR
# OUTDIR gets: events/<sys>/<event>/format, trace, wire.pcap, clock, expect.jsonl
set -eu
out=${1:?usage: record.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
T=/sys/kernel/tracing
[ -d $T/instances ] || mount -t tracefs nodev $T
inst=$T/instances/rstscope-$$
mkdir -p "$out"
out=$(cd "$out" && pwd)
catpid= dumppid=
cleanup() {
	[ -n "$catpid" ] && kill "$catpid" 2>/dev/null
	[ -n "$dumppid" ] && kill "$dumppid" 2>/dev/null
	wait 2>/dev/null
	[ -d "$inst" ] && rmdir "$inst"
}
trap cleanup EXIT
mkdir "$inst"
echo boot >"$inst/trace_clock"
for e in tcp/tcp_send_reset tcp/tcp_receive_reset sock/inet_sock_set_state; do
	mkdir -p "$out/events/$e"
	cp "$T/events/$e/format" "$out/events/$e/format"
	echo 1 >"$inst/events/$e/enable"
done
cat "$inst/trace_pipe" >"$out/trace" &
catpid=$!
tcpdump -q -i lo -U -s 256 -w "$out/wire.pcap" tcp 2>/dev/null &
dumppid=$!
sleep 1
python3 -c 'import time; print("boot", time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_BOOTTIME))' >"$out/clock"
{
	python3 "$here/../../helpers/watch_provoke.py" noport unread linger0 linger2 twdata
	python3 "$here/../../helpers/watch_provoke.py" --host ::1 noport unread linger0
} >"$out/expect.jsonl"
sleep 1
uname -r >"$out/kernel"
