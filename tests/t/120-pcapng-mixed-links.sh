#!/bin/bash
# A pcapng file whose interfaces have different link types (Ethernet and raw
# IP), which libpcap alone refuses: every frame is analysed on its own link
# type, with the right frame numbers and times; a truncated one names the frame.
set -u
tmp=$(mktemp -d /tmp/rstscope-ng.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
python3 "$ROOT/tests/lib/mkpcapng.py" "$tmp/mixed.pcapng" || exit 1
"$RSTSCOPE" analyze --json "$tmp/mixed.pcapng" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || { echo "exit $rc, want 1"; cat "$tmp/err"; fail=1; }
got=$(jq -r 'select(.type=="rst") | "\(.frame) \(.kind) \(.sender_role) \(.forged)"' "$tmp/out")
[ "$got" = "4 established server genuine" ] || { echo "got '$got'"; fail=1; }
# the raw-IP interface ticks in nanoseconds (if_tsresol 9): same clock as the Ethernet one
grep -q '"time":1700000000.003000,' "$tmp/out" || { echo "time of the RST wrong"; grep rst "$tmp/out"; fail=1; }
n=$(jq -r 'select(.type=="summary") | .stats.tcp' "$tmp/out")
[ "$n" = 4 ] || { echo "$n TCP frames decoded, want 4"; fail=1; }
# a filter compiles for each link type
"$RSTSCOPE" analyze --json -f 'tcp[tcpflags] & tcp-rst != 0' "$tmp/mixed.pcapng" >"$tmp/out2"
[ "$(jq -r 'select(.type=="rst") | .frame' "$tmp/out2")" = 4 ] || { echo "filtered: wrong RSTs"; fail=1; }
# truncated inside the last block: error names the file and frame 4, exit 3
python3 "$ROOT/tests/lib/mkpcapng.py" "$tmp/cut.pcapng" --truncate 10 || exit 1
"$RSTSCOPE" analyze --json "$tmp/cut.pcapng" >"$tmp/out3" 2>"$tmp/err3"
rc=$?
[ $rc = 3 ] || { echo "truncated: exit $rc, want 3"; fail=1; }
grep -q "cut.pcapng': frame 4: truncated block" "$tmp/err3" || { echo "truncated: message"; cat "$tmp/err3"; fail=1; }
grep -q '"type":"summary"' "$tmp/out3" || { echo "truncated: no summary of the frames before"; fail=1; }
[ $fail = 0 ] && echo "mixed link types read, truncation reported"
exit $fail
