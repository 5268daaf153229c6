#!/bin/bash
# audit's command line: --help with EXAMPLES, usage errors exit 2, a file
# that cannot be read or parsed exits 3 and names its line, --list-hops
# lists every named hop with a source, files and hops keep their order,
# and the documented default chains give their findings.
set -u
tmp=$(mktemp -d /tmp/rstscope-801.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }

"$RSTSCOPE" audit --help >"$tmp/h" || fail "--help exit $?"
grep -q EXAMPLES "$tmp/h" || fail "--help has no EXAMPLES"
for bad in "" "--bogus" "--hop" "--hop nosuch" "--hop node@x" "--client-idle x" "--client-idle -1" \
	   "--hop node --hop-idle node" "--hop node --hop-idle other=5" "--hop node --hop-idle node=abc"; do
	# shellcheck disable=SC2086
	"$RSTSCOPE" audit $bad >/dev/null 2>"$tmp/e"; rc=$?
	[ $rc = 2 ] || fail "'audit $bad' exit $rc, want 2"
	grep -q "^rstscope: \|^usage" "$tmp/e" || fail "'audit $bad' says nothing"
done

# --list-hops: every name the docs promise, each row with a URL
"$RSTSCOPE" audit --list-hops >"$tmp/l" || fail "--list-hops exit $?"
for h in aws-alb aws-nlb gcp-lb azure-lb node node-agent go-http go-http-client gunicorn uvicorn \
	 apache tomcat pgbouncer envoy nginx haproxy linux conntrack; do
	grep -q "^$h " "$tmp/l" || fail "--list-hops lacks $h"
done
awk 'NR > 1 && $NF !~ /^https:\/\// { print; bad = 1 } END { exit bad }' "$tmp/l" || fail "a row without a source"

# unreadable, unrecognised, unparseable: exit 3, file and line named
"$RSTSCOPE" audit "$tmp/none.conf" >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 3 ] || fail "missing file: exit $rc"
grep -q "none.conf" "$tmp/e" || fail "missing file not named: $(cat "$tmp/e")"
echo "just some words" >"$tmp/words.txt"
"$RSTSCOPE" audit "$tmp/words.txt" >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 3 ] || fail "unrecognised file: exit $rc"
line=$((3 + RANDOM % 10))
{ echo "events {}"; echo "http {"; for _ in $(seq 3 $((line - 1))); do echo "    sendfile on;"; done
  echo "    keepalive_timeout 75q;"; echo "}"; } >"$tmp/bad.conf"
"$RSTSCOPE" audit --hop aws-alb "$tmp/bad.conf" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 3 ] || fail "bad nginx: exit $rc"
grep -q "bad.conf:$line'" "$tmp/e" || fail "bad nginx: line $line not named: $(cat "$tmp/e")"
printf 'defaults\n    timeout client 30s\nfrontend f\n    bind :80\n    timeout http-keep-alive 1x\n' >"$tmp/bad.cfg"
"$RSTSCOPE" audit "$tmp/bad.cfg" >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 3 ] && grep -q "bad.cfg:5'" "$tmp/e" || fail "bad haproxy: exit $rc, $(cat "$tmp/e")"
printf 'net.ipv4.tcp_keepalive_time = soon\n' >"$tmp/bad-sysctl.conf"
"$RSTSCOPE" audit "$tmp/bad-sysctl.conf" >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 3 ] && grep -q "bad-sysctl.conf:1'" "$tmp/e" || fail "bad sysctl: exit $rc, $(cat "$tmp/e")"

# the reference's defaults: ALB 60 s in front of Node 20 (5 s): an inversion;
# Node 26 (65 s) is sound behind a 55 s client
"$RSTSCOPE" audit --json --client-idle 55 --hop aws-alb --hop node@20 >"$tmp/o"; rc=$?
[ $rc = 1 ] || fail "alb + node@20: exit $rc"
jq -e 'select(.type=="finding" and .id=="timeout-inversion") | select(.downstream.name=="aws-alb"
       and .upstream.name=="node@20" and .downstream.seconds==60 and .upstream.seconds==5)
       | .fix | test("65 s")' "$tmp/o" | grep -q true || fail "alb + node@20: $(cat "$tmp/o")"
"$RSTSCOPE" audit --client-idle 55 --hop aws-alb --hop node@26 >"$tmp/o"; rc=$?
[ $rc = 0 ] || fail "alb + node@26: exit $rc: $(cat "$tmp/o")"
grep -q "^sound" "$tmp/o" || fail "a sound path does not say so"
# order: files and hops as given; sources on every hop value
printf 'net.ipv4.tcp_keepalive_time = 7200\n' >"$tmp/s.conf"
"$RSTSCOPE" audit --json --hop go-http-client "$tmp/s.conf" --hop aws-nlb --hop go-http >"$tmp/o"; rc=$?
[ $rc = 1 ] || fail "go chain: exit $rc"
[ "$(jq -r 'select(.type=="hop") | .name' "$tmp/o" | tr '\n' ' ')" = "go-http-client sysctl aws-nlb go-http " ] \
	|| fail "hop order: $(jq -r 'select(.type=="hop") | .name' "$tmp/o")"
for id in keepalive-above-idle unbounded; do
	jq -c "select(.type==\"finding\" and .id==\"$id\")" "$tmp/o" | grep -q . || fail "go chain lacks $id"
done
jq -e 'select(.type=="hop") | [.client_idle, .upstream_idle, .box_idle, .keepalive_time][]
       | select(. != null) | select(.source == "")' "$tmp/o" | grep -q . && fail "a value without a source"
# Azure LB drops silently: a pool idle longer than its 4 min hangs
"$RSTSCOPE" audit --json --client-idle 300 --hop azure-lb --hop tomcat --hop-idle tomcat=600 >"$tmp/o"
jq -r 'select(.id=="silent-drop") | .fix | test("enableTcpReset")' "$tmp/o" | grep -q true || fail "azure: $(cat "$tmp/o")"
echo "cli ok"
