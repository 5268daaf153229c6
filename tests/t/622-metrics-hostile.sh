#!/bin/bash
# Hostile and odd requests to the metrics endpoint: only GET and HEAD of
# /metrics and / are served (405 with Allow, 404, 505, 400 for the rest),
# oversize request lines and heads get 414 and 431 at once, pipelined and
# half-closed requests one answer and a clean close, a head slower than its
# deadline is closed, random garbage never hangs a connection, idle
# connections past the cap are shed oldest first; watch lives on.
set -u
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
tmp=$(mktemp -d /tmp/rstscope-622.XXXXXX)
. "$ROOT/tests/helpers/metrics_watch.sh"
trap 'stop_watch; rm -rf "$tmp"' EXIT
seed=${SEED:-$RANDOM}
echo "seed $seed"
start_watch 120
python3 "$ROOT/tests/helpers/metrics_client.py" hostile $port $seed || exit 1
kill -0 $wpid || { echo "FAIL: watch died"; exit 1; }
stop_watch
grep -q "0 resets" "$tmp/watch.out" || { echo "FAIL: no final summary"; cat "$tmp/watch.out"; exit 1; }
