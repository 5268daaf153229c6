#!/bin/bash
# 10 000 sequential scrapes of the metrics endpoint (2 000 under ASan), each
# answered with a whole valid exposition (status, Content-Length, every line
# a comment or a series) and a clean close.
set -u
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-621.XXXXXX)
. "$ROOT/tests/helpers/metrics_watch.sh"
trap 'stop_watch; rm -rf "$tmp"' EXIT
n=10000
[ -n "${RSTSCOPE_ASAN:-}" ] && n=2000
start_watch 120
python3 "$ROOT/tests/helpers/metrics_client.py" scrapes $port $n || exit 1
kill -0 $wpid || { echo "FAIL: watch died"; exit 1; }
stop_watch
