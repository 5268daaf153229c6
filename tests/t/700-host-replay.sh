#!/bin/bash
# host on recorded snapshots (no root): each scenario's finding with the
# drawn rate and where-fields; a quiet host has none; counters that grew
# before the run are reported once as history, never as a rate.
set -u
tmp=$(mktemp -d /tmp/rstscope-700.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL (seed $seed): $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
seed=${SEED:-$RANDOM}
gen() { python3 "$ROOT/tests/helpers/host_fixture.py" "$1" "$tmp/$1" "$seed" || fail "fixture $1"; }
run() { "$RSTSCOPE" host --replay "$tmp/$1" --json >"$tmp/$1.out" 2>"$tmp/$1.err"; echo $?; }
ex() { jq -r ".$2" "$tmp/$1/expect.json"; }
cur() { jq -c "select(.type==\"finding\" and .state!=\"history\")" "$tmp/$1.out"; }

for s in quiet history listen-overflow conntrack-full oom-kill close-wait; do gen $s; done

rc=$(run quiet)
[ "$rc" = 0 ] || fail "quiet: exit $rc: $(cat "$tmp/quiet.err")"
[ -z "$(jq -c 'select(.type=="finding")' "$tmp/quiet.out")" ] || fail "quiet host has findings: $(cat "$tmp/quiet.out")"
[ "$(jq -c 'select(.type=="source")' "$tmp/quiet.out" | wc -l)" -ge 14 ] || fail "quiet: not every source listed"
[ "$(jq -r 'select(.type=="summary") | .intervals' "$tmp/quiet.out")" = 2 ] || fail "quiet: intervals"
[ "$(jq -c 'select(.type=="counters")' "$tmp/quiet.out" | wc -l)" = 2 ] || fail "quiet: counters lines"

rc=$(run history)
[ "$rc" = 0 ] || fail "history: exit $rc"
[ -z "$(cur history)" ] || fail "history counters reported as current"
h=$(jq -c 'select(.type=="finding" and .id=="listen-overflow")' "$tmp/history.out")
[ "$(wc -l <<<"$h")" = 1 ] || fail "history listen-overflow not once: $h"
[ "$(jq -c '[.state,.count,.rate_per_s]' <<<"$h")" = "[\"history\",$(ex history listen_overflows),null]" ] || fail "history: $h"
[ "$(jq -r 'select(.type=="finding" and .id=="oom-kill") | .count' "$tmp/history.out")" = "$(ex history oom_kill)" ] || fail "history oom-kill"

rc=$(run listen-overflow)
[ "$rc" = 1 ] || fail "listen-overflow: exit $rc"
f=$(cur listen-overflow | jq -c 'select(.id=="listen-overflow")')
[ -n "$f" ] || fail "no listen-overflow: $(cat "$tmp/listen-overflow.out")"
want="[\"new\",$(ex listen-overflow delta),$(ex listen-overflow netns),4242,\"appserver\",\"0.0.0.0:$(ex listen-overflow port)\",\"/app.slice/web\"]"
got=$(jq -c '[.state,.count,.netns,.pid,.comm,.listener,.cgroup]' <<<"$f")
[ "$got" = "$want" ] || fail "listen-overflow: got $got, want $want"
awk -v a="$(jq .rate_per_s <<<"$f")" -v b="$(ex listen-overflow rate)" 'BEGIN { exit !(a - b < 0.001 && b - a < 0.001) }' ||
	fail "listen-overflow rate $(jq .rate_per_s <<<"$f"), want $(ex listen-overflow rate)"

rc=$(run conntrack-full)
[ "$rc" = 1 ] || fail "conntrack-full: exit $rc"
states=$(cur conntrack-full | jq -r 'select(.id=="conntrack-full") | .state' | tr '\n' ' ')
[ "$states" = "new ongoing " ] || fail "conntrack-full states: '$states'"
c=$(cur conntrack-full | jq -c 'select(.id=="conntrack-full")' | head -1)
[ "$(jq -c '[.count,.evidence."conntrack.stat_drop".delta,.evidence."conntrack.entries_limit".value]' <<<"$c")" = \
  "[$(ex conntrack-full delta),$(ex conntrack-full delta),$(ex conntrack-full max)]" ] || fail "conntrack-full: $c"

rc=$(run oom-kill)
[ "$rc" = 1 ] || fail "oom-kill: exit $rc"
o=$(cur oom-kill | jq -c 'select(.id=="oom-kill")')
[ "$(wc -l <<<"$o")" = 1 ] || fail "one kill, several findings: $o"
[ "$(jq -c '[.pid,.comm,.cgroup,.cgroup_version,.evidence."memory.limit_bytes".value,.netns]' <<<"$o")" = \
  "[$(ex oom-kill pid),\"worker\",\"/app.slice/web\",1,$(ex oom-kill limit),null]" ] || fail "oom-kill: $o"

rc=$(run close-wait)
[ "$rc" = 1 ] || fail "close-wait: exit $rc"
w=$(cur close-wait | jq -c 'select(.id=="close-wait")')
[ "$(jq -c '[.pid,.comm,.count,.evidence."process.close_wait".value]' <<<"$w")" = \
  "[4242,\"appserver\",$(ex close-wait growth),$(ex close-wait after)]" ] || fail "close-wait: $w"

# the text report: one block per finding with its fix
"$RSTSCOPE" host --replay "$tmp/listen-overflow" >"$tmp/text" 2>/dev/null
grep -q "^listen-overflow  new" "$tmp/text" && grep -q "^  fix " "$tmp/text" || fail "text report: $(cat "$tmp/text")"
echo "replay ok (seed $seed)"
