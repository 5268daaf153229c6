#!/bin/bash
# watch on recorded kernel events and the capture of the same run (no root):
# every reset joined with the reason the kernel gave and the closing process;
# an RST this kernel never sent (the recorded one, replayed 5 s later) is
# reported as not sent by this host; a kernel reset the capture missed is a
# verdict of its own (type kernel_reset), counted in the summary; an old
# kernel without reasons still works.
set -u
fx=$ROOT/tests/data/tracefs
tmp=$(mktemp -d /tmp/rstscope-601.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }

"$RSTSCOPE" watch --json -r "$fx/6.18/wire.pcap" --trace-replay "$fx/6.18" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || { cat "$tmp/err"; fail "exit $rc, want 1 (resets seen)"; }
grep -q "kernel events from replay" "$tmp/err" || fail "does not say which sources it has"
n=0
while read -r line; do
	sport=$(jq -r .sport <<<"$line") dport=$(jq -r .dport <<<"$line")
	case=$(jq -r .case <<<"$line") pid=$(jq -r .pid <<<"$line") comm=$(jq -r .comm <<<"$line")
	case $case in
	noport) want=NO_SOCKET ;; unread) want=TCP_ABORT_ON_CLOSE ;;
	linger0) want=TCP_STATE ;; linger2) want=TCP_ABORT_ON_LINGER ;;
	twdata) want=TCP_TIMEWAIT_SOCKET ;; *) fail "case $case" ;;
	esac
	got=$(jq -c "select(.type==\"rst\" and .sport==$sport and .dport==$dport) | [.kernel_reason, .pid, .comm, .forged]" "$tmp/out")
	if [ "$pid" = -1 ]; then exp="[\"$want\",null,null,\"genuine\"]"; else exp="[\"$want\",$pid,\"$comm\",\"genuine\"]"; fi
	[ "$got" = "$exp" ] || fail "$case $sport>$dport: got $got, want $exp"
	n=$((n + 1))
done <"$fx/6.18/expect.jsonl"
[ $n -ge 6 ] || fail "only $n cases"

# the same RST again 5 s later: claims a local sender, no kernel event
python3 - "$fx/6.18/wire.pcap" "$tmp/forged.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
hdr, off, recs = data[:24], 24, []
magic = struct.unpack("<I", hdr[:4])[0]
assert magic in (0xa1b2c3d4, 0xa1b23c4d), hex(magic)
while off + 16 <= len(data):
    sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    recs.append((sec, frac, incl, orig, data[off + 16:off + 16 + incl]))
    off += 16 + incl
def is_rst(frame):
    # Ethernet (lo) + IPv4 without options: TCP flags at 14 + 20 + 13
    return len(frame) > 47 and frame[12:14] == b"\x08\x00" and frame[47] & 4
last = [r for r in recs if is_rst(r[4])][1]
extra = (last[0] + 5, last[1], last[2], last[3], last[4])
with open(sys.argv[2], "wb") as f:
    f.write(hdr)
    for r in recs + [extra]:
        f.write(struct.pack("<IIII", *r[:4]) + r[4])
PY
"$RSTSCOPE" watch --json -r "$tmp/forged.pcap" --trace-replay "$fx/6.18" >"$tmp/out2" 2>"$tmp/err2"
forged=$(jq -c 'select(.type=="rst" and .forged=="forged")' "$tmp/out2")
[ "$(grep -c . <<<"$forged")" = 1 ] || { cat "$tmp/out2"; fail "want exactly one forged RST, got: $forged"; }
jq -e '.kernel_reason==null and (.forged_evidence|test("not sent by this host")) and .cause=="middlebox"' \
	<<<"$forged" >/dev/null || fail "forged RST not reported as not sent by this host: $forged"
grep -q "1 not sent by this host" "$tmp/err2" || fail "the join counts do not say it: $(cat "$tmp/err2")"

# an old kernel: no reason field, the closer still named
"$RSTSCOPE" watch --json --no-capture --trace-replay "$fx/old" >"$tmp/out3" 2>"$tmp/err3"
grep -q "no reset reasons on this kernel" "$tmp/err3" || fail "old kernel not said: $(cat "$tmp/err3")"
got=$(jq -c 'select(.type=="kernel_reset" and .sport==44333) | [.kernel_reason, .pid, .comm, .by_closer]' "$tmp/out3")
[ "$got" = '["UNKNOWN",6175,"rs-unread",true]' ] || fail "old kernel event: $got"
got=$(jq -c 'select(.type=="kernel_reset" and .sport==8080) | [.pid, .by_closer]' "$tmp/out3")
[ "$got" = '[null,false]' ] || fail "softirq event on old kernel must not name the cpu's task: $got"
[ "$(jq -c 'select(.type=="kernel_reset")' "$tmp/out3" | grep -c .)" = 3 ] || fail "want 3 kernel resets"
jq -e 'select(.type=="summary") | .resets == 3' "$tmp/out3" >/dev/null ||
	fail "old kernel: the summary does not count the 3 kernel resets"

# the capture without its first RST (noport): the kernel's reset is still one
python3 - "$fx/6.18/wire.pcap" "$tmp/missing.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out, off, dropped = [data[:24]], 24, False
while off + 16 <= len(data):
    incl = struct.unpack("<IIII", data[off:off + 16])[2]
    frame = data[off + 16:off + 16 + incl]
    rst = len(frame) > 47 and frame[12:14] == b"\x08\x00" and frame[47] & 4
    if rst and not dropped:
        dropped = True
    else:
        out.append(data[off:off + 16 + incl])
    off += 16 + incl
open(sys.argv[2], "wb").write(b"".join(out))
PY
"$RSTSCOPE" watch --json -r "$tmp/missing.pcap" --trace-replay "$fx/6.18" >"$tmp/out4" 2>"$tmp/err4"
ko=$(jq -c 'select(.type=="kernel_reset")' "$tmp/out4")
[ "$(grep -c . <<<"$ko")" = 1 ] || fail "want one kernel-only reset, got: $ko"
jq -e '.kernel_reason=="NO_SOCKET" and .frame==null and .forged=="genuine" and .cause=="refused"
	and .kernel_match=="sent"' <<<"$ko" >/dev/null || fail "kernel-only reset: $ko"
nrst=$(jq -c 'select(.type=="rst")' "$tmp/out4" | grep -c .)
jq -e --argjson n $((nrst + 1)) 'select(.type=="summary") | .resets == $n and
	([.causes[] | select(.id=="refused") | .count] | add) >= 1' "$tmp/out4" >/dev/null ||
	fail "the summary does not count the kernel-only reset: $(jq -c 'select(.type=="summary")' "$tmp/out4")"
grep -q "1 kernel resets never seen on the wire" "$tmp/err4" || fail "not counted: $(cat "$tmp/err4")"
# text output says so too
"$RSTSCOPE" watch -r "$tmp/missing.pcap" --trace-replay "$fx/6.18" 2>/dev/null | grep -q "^kernel reset .*no capture showed it" ||
	fail "text output has no kernel-only reset"
echo "replay: $n joined, 1 not sent by this host, 1 kernel-only, old kernel ok"
