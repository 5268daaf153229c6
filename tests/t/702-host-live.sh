#!/bin/bash
# host live, as root: on this host and in a network namespace of its own
# (ip netns exec and --netns agree on the namespace), every source listed,
# nothing current found in the quiet namespace.
set -u
tmp=$(mktemp -d /tmp/rstscope-702.XXXXXX)
ns=rstscope-hosttest-$$
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v jq >/dev/null && command -v ip >/dev/null || { echo "jq or ip missing"; exit 77; }

timeout 20 "$RSTSCOPE" host --count 2 --interval 1 --json >"$tmp/h" 2>"$tmp/he"; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "host: exit $rc: $(cat "$tmp/he")"
[ "$(jq -c 'select(.type=="source")' "$tmp/h" | wc -l)" -ge 14 ] || fail "host: sources not listed"
jq -s -e 'map(select(.type=="source" and .name=="netstat"))[0].state == "ok"' "$tmp/h" >/dev/null || fail "host: netstat not read"
jq -e 'select(.type=="summary") | .intervals == 2' "$tmp/h" >/dev/null || fail "host: no summary"

ip netns add "$ns" || fail "cannot add $ns"
timeout 20 "$RSTSCOPE" host --count 2 --interval 1 --json --netns "$ns" >"$tmp/n" 2>"$tmp/ne"; rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || fail "--netns: exit $rc: $(cat "$tmp/ne")"
timeout 20 ip netns exec "$ns" "$RSTSCOPE" host --count 1 --interval 1 --json >"$tmp/x" 2>"$tmp/xe" ||
	[ $? = 1 ] || fail "ip netns exec: $(cat "$tmp/xe")"
a=$(jq -r 'select(.type=="summary") | .netns' "$tmp/n") b=$(jq -r 'select(.type=="summary") | .netns' "$tmp/x")
c=$(jq -r 'select(.type=="summary") | .netns' "$tmp/h")
[ "$a" = "$b" ] && [ "$a" != "$c" ] && [ "$a" != null ] || fail "namespaces: --netns $a, ip netns exec $b, host $c"
# the new namespace is quiet: no current finding scoped to it
q=$(jq -c "select(.type==\"finding\" and .state!=\"history\" and .netns==$a)" "$tmp/n")
[ -z "$q" ] || fail "quiet namespace has findings: $q"
jq -s -e 'map(select(.type=="source" and .name=="netstat"))[0].state == "ok"' "$tmp/n" >/dev/null || fail "netns: netstat not read"
echo "live ok"
