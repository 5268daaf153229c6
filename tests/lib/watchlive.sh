# tests/lib/watchlive.sh: sourced by the tests that run watch live. Skips
# (77) unless this is root with the given tools and the tcp_send_reset
# tracepoint (tracefs is mounted when it is not).
# usage: . "$ROOT/tests/lib/watchlive.sh" TOOL...
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace, tracefs)"; exit 77; }
for c in "$@"; do command -v "$c" >/dev/null || { echo "$c missing"; exit 77; }; done
[ -e /sys/kernel/tracing/events/tcp/tcp_send_reset ] || [ -d /sys/kernel/tracing/instances ] ||
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
[ -e /sys/kernel/tracing/events/tcp/tcp_send_reset ] || { echo "no tcp_send_reset tracepoint"; exit 77; }
