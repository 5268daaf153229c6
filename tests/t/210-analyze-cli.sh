#!/bin/bash
# analyze's command line: the BPF filter keeps the file's frame numbers,
# --explain draws the RST's flow, stdin works, -q prints the diagnosis only,
# bad options exit 2, colour only when asked for.
set -u
cd "$ROOT" || exit 1
fail=0
t() { echo "FAIL: $*"; fail=1; }

# the filter narrows the analysis; frame numbers stay the file's own
out=$("$RSTSCOPE" analyze --json -f 'tcp port 8207 and tcp src port 8207' samples/refused.pcap)
[ $? = 1 ] || t "filter: exit code"
frames=$(jq -r 'select(.type=="rst") | .frame' <<<"$out" | tr '\n' ' ')
[ "$frames" = "12 14 16 18 " ] || t "filter: frames '$frames'"
"$RSTSCOPE" analyze --json -f 'tcp port 9' samples/refused.pcap >/dev/null
[ $? = 0 ] || t "a filter matching no RST exits 0"
"$RSTSCOPE" analyze -f 'this is not bpf' samples/refused.pcap >/dev/null 2>"$O/err"
[ $? = 3 ] || t "a bad filter exits 3"
grep -q "bad filter" "$O/err" || t "a bad filter is named"

# --explain: the ladder of the RST's flow, the RST marked
out=$("$RSTSCOPE" analyze --no-color --explain 9 samples/conntrack-forget.pcap)
grep -q "ladder of the flow of frame 9" <<<"$out" || t "explain: no ladder heading"
[ "$(grep -c -- '---' <<<"$out")" -ge 9 ] || t "explain: fewer than 9 ladder rows"
grep -q "RST len 0 ttl 64.*<== this RST" <<<"$out" || t "explain: the RST is not marked"
grep -q "SYN len 0 ttl 64" <<<"$out" || t "explain: the SYN is missing"
"$RSTSCOPE" analyze --explain 3 samples/conntrack-forget.pcap >/dev/null 2>"$O/err"
grep -q "frame 3 is not an RST" "$O/err" || t "explain: a frame that is no RST is not reported"

# stdin
n=$("$RSTSCOPE" analyze --json - <samples/server-crash.pcap | jq -s '[.[] | select(.type=="rst")] | length')
[ "$n" = 4 ] || t "stdin: $n RSTs"

# -q: the diagnosis without per-RST blocks
out=$("$RSTSCOPE" analyze -q samples/server-crash.pcap)
grep -q "^frame " <<<"$out" && t "-q printed RST blocks"
grep -q "peer-restart" <<<"$out" || t "-q: no diagnosis"

# several files: one summary each, in order
n=$("$RSTSCOPE" analyze --json samples/refused.pcap samples/unread-close.pcap | jq -r 'select(.type=="summary") | .file' | tr '\n' ' ')
[ "$n" = "samples/refused.pcap samples/unread-close.pcap " ] || t "several files: summaries '$n'"

# a truncated file: an error line before its summary, in JSON too
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\x40\0\0\0' >"$O/cut.pcap"
out=$("$RSTSCOPE" analyze --json "$O/cut.pcap" "$O/no-such.pcap" 2>"$O/err")
[ $? = 3 ] || t "truncated and missing files: exit code"
[ "$(jq -r 'select(.type=="error") | "\(.frame)"' <<<"$out" | tr '\n' ' ')" = "1 null " ] || t "error lines"
[ "$(jq -r '.type' <<<"$out" | tr '\n' ' ')" = "error summary error " ] || t "error line order"
grep -q "'$O/no-such.pcap': No such file" "$O/err" || t "a missing file is not named once"

# usage errors
for args in "" "--bogus x.pcap" "--idle-min -1 x.pcap" "--idle-min abc x.pcap" "--cluster-min 1 x.pcap" "--max-flows 5 x.pcap" "--explain 0 x.pcap"; do
	# shellcheck disable=SC2086
	"$RSTSCOPE" analyze $args >/dev/null 2>&1
	[ $? = 2 ] || t "'analyze $args' did not exit 2"
done
"$RSTSCOPE" analyze --help | grep -q EXAMPLES || t "--help has no EXAMPLES"
"$RSTSCOPE" bogus >/dev/null 2>&1; [ $? = 2 ] || t "unknown command did not exit 2"

# colour: never in a pipe or with NO_COLOR
"$RSTSCOPE" analyze samples/refused.pcap | grep -q $'\033' && t "colour in a pipe"
[ $fail = 0 ] && echo "analyze command line as documented"
exit $fail
