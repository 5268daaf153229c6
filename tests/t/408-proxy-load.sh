#!/bin/bash
# rstscope proxy under load, briefly: wrk through the proxy to nginx on
# loopback for 5 s (2 s under the sanitizers) with bodies of drawn sizes;
# no wrk error, every response of the right status and length, every body a
# checker fetched beside the load matches its SHA-256, the proxy's
# descriptors do not grow, and in the plain build (the sanitizers change
# memory and speed) its peak memory stays within two buffers a connection
# and it carries at least 2000 requests/s. The full 30 s run with its
# figures is bench/proxy-load.sh (make bench-proxy).
set -u
for t in wrk nginx python3; do command -v "$t" >/dev/null || { echo "'$t' is not installed (scripts/deps.sh)"; exit 77; }; done
if [ -n "${RSTSCOPE_ASAN:-}" ]; then
	PROXY_LOAD_MIN_RATE=0 PROXY_LOAD_HWM_KB=0 PROXY_LOAD_CONNS=16 exec "$ROOT/bench/proxy-load.sh" "$RSTSCOPE" 2
fi
PROXY_LOAD_MIN_RATE=2000 exec "$ROOT/bench/proxy-load.sh" "$RSTSCOPE" 5
