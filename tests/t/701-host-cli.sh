#!/bin/bash
# host's command line: --help with EXAMPLES, bad options exit 2, a missing
# source is said and the run goes on, metrics served in node_exporter names.
set -u
tmp=$(mktemp -d /tmp/rstscope-701.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }

"$RSTSCOPE" host --help >"$tmp/h" || fail "--help exit $?"
grep -q EXAMPLES "$tmp/h" || fail "--help has no EXAMPLES"
for bad in "--interval x" "--interval 0" "--count 0" "--count -1" "--netns ../x" "extra" "--bogus" \
	   "--replay /nonexistent --netns x" "--max-procs 0"; do
	# shellcheck disable=SC2086
	"$RSTSCOPE" host $bad >/dev/null 2>"$tmp/e"; rc=$?
	[ $rc = 2 ] || fail "'host $bad' exit $rc, want 2"
	grep -q "^rstscope: \|^usage" "$tmp/e" || fail "'host $bad' says nothing"
done
"$RSTSCOPE" host --replay "$tmp/none" >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 4 ] || fail "replay of nothing: exit $rc, want 4"

# a missing source: no conntrack, no kernel log in the snapshots
python3 "$ROOT/tests/helpers/host_fixture.py" quiet "$tmp/q" || fail fixture
for k in 0 1 2; do rm -rf "$tmp/q/$k/proc/net/stat" "$tmp/q/$k/proc/sys/net/netfilter" "$tmp/q/$k/kmsg"; done
"$RSTSCOPE" host --replay "$tmp/q" --json >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 0 ] || fail "missing sources: exit $rc: $(cat "$tmp/e")"
for s in conntrack-stat conntrack-count kmsg; do
	[ "$(jq -r "select(.type==\"source\" and .name==\"$s\") | .state" "$tmp/o")" = missing ] || fail "$s not said missing"
done
jq -e 'select(.type=="summary") | .intervals == 2' "$tmp/o" >/dev/null || fail "the run did not go on"
"$RSTSCOPE" host --replay "$tmp/q" >/dev/null 2>"$tmp/e"
grep -q "source  kmsg  *missing" "$tmp/e" || fail "text mode does not say kmsg is missing: $(cat "$tmp/e")"

# metrics: a live run on loopback, two scrapes
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
port=$((20000 + RANDOM % 20000))
"$RSTSCOPE" host --interval 0.3 --count 8 --metrics 127.0.0.1:$port >/dev/null 2>"$tmp/me" &
pid=$!
for i in $(seq 30); do curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/m" 2>/dev/null && break; sleep 0.1; done
wait $pid
for m in node_netstat_TcpExt_ListenOverflows node_vmstat_oom_kill node_sockstat_TCP_orphan node_filefd_allocated \
	 'rstscope_host_findings{id="listen-overflow"}' 'rstscope_host_source_up{source="netstat"}'; do
	grep -qF "$m " "$tmp/m" || fail "metrics lack $m: $(head -5 "$tmp/m"; cat "$tmp/me")"
done
echo "cli ok"
