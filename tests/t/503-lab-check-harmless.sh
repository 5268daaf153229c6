#!/bin/bash
# The lab's verdict check (lab/check.sh, no root needed): where a scenario
# expects no cause, resets that analyze judged harmless after a completed
# close (rule "closed") are set aside; any other reset still fails the
# check, and a scenario expecting deliberate-abort still gets it. Against
# an EXPECT_RSTS line's MAX, such resets past its MIN are not counted;
# others are.
# Captures are written here with drawn addresses, ports, sequence numbers
# and flow counts (SEED= repeats a run).
set -u
LAB_DIR=$ROOT/lab
. "$LAB_DIR/lib.sh"
. "$LAB_DIR/check.sh"
seed=${SEED:-$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))}
echo "seed $seed (SEED=$seed repeats it)"
tmp=$(mktemp -d /tmp/rstscope-labcheck.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0

# mkpcap OUT.pcap CLOSED HARMFUL: CLOSED flows that complete a close
# (request, response, both FINs acknowledged) and then get a late server
# RST; HARMFUL flows reset by the server in the middle of a response.
mkpcap() {
	python3 - "$1" "$2" "$3" "$seed" <<'PY'
import random, struct, sys
out, closed, harmful, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed * 7 + closed * 3 + harmful)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
frames, t = [], 1_700_000_000.0 + rnd.randrange(10**6)
def pkt(src, dst, sp, dp, seq, ack, flags, ttl, data=b""):
    global t
    t += rnd.uniform(0.0002, 0.02)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags,
                      0 if flags == 0x04 else 64240, 0, 0) + data
    ph = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rnd.randrange(65536), 0x4000, ttl, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frames.append((t, ip + tcp))
c = bytes([10, rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)])
s = bytes([10, rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)])
sport, cttl, sttl = rnd.choice([80, 8080, 443, 5432]), rnd.choice([64, 128]), rnd.choice([64, 128, 255]) - rnd.randrange(6)
req = b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % rnd.randrange(1000)
resp = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
ports = rnd.sample(range(32768, 61000), closed + harmful)
for i, cp in enumerate(ports):
    a, b = rnd.randrange(2**32), rnd.randrange(2**32)
    pkt(c, s, cp, sport, a, 0, 0x02, cttl)
    pkt(s, c, sport, cp, b, a + 1, 0x12, sttl)
    pkt(c, s, cp, sport, a + 1, b + 1, 0x10, cttl)
    pkt(c, s, cp, sport, a + 1, b + 1, 0x18, cttl, req)
    a += len(req)
    if i < closed:
        pkt(s, c, sport, cp, b + 1, a + 1, 0x18, sttl, resp)
        b += len(resp)
        pkt(c, s, cp, sport, a + 1, b + 1, 0x11, cttl)           # client FIN
        pkt(s, c, sport, cp, b + 1, a + 2, 0x11, sttl)           # server FIN
        pkt(c, s, cp, sport, a + 2, b + 2, 0x10, cttl)           # both acknowledged
        pkt(s, c, sport, cp, b + 1, a + 2, 0x10, sttl)           # a late duplicate ACK
        pkt(c, s, cp, sport, a + 2, b + 2, 0x10, cttl)           # TIME_WAIT answers it
        pkt(s, c, sport, cp, b + 2, 0, 0x04, sttl)               # no socket: RST
    else:
        big = b"x" * 1000
        pkt(s, c, sport, cp, b + 1, a + 1, 0x10, sttl, big)
        pkt(s, c, sport, cp, b + 1 + len(big), a + 1, 0x14, sttl)  # reset mid-response
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # raw IP
    for ts, d in frames:
        f.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(d), len(d)) + d)
PY
}

# check NAME EXPECT_TOP EXPECT_EXIT CLOSED HARMFUL WANT_RC [WANT_LINE [EXPECT_RSTS-LINE]]
check() {
	local name=$1 want_rc=$6 line=${7:-} rsts=${8:-} out=$tmp/$1 rc
	mkdir -p "$out"
	mkpcap "$out/client.pcap" "$4" "$5"
	: >"$out/params.txt"
	(
		EXPECT_TOP=$2 EXPECT_EXIT=$3 EXPECT_RSTS=(${rsts:+"$rsts"}) EXPECT_WATCH=() EXPECT_CORR=() EXPECT_HOST=()
		EXPECT_HOSTWATCH=() EXPECT_HOST_ONLY=
		lab_check "$name" "$out" 0
	) >"$out/check.txt" 2>&1
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "not ok: $name ($4 closed, $5 harmful, expecting $2): check returned $rc, want $want_rc"
		sed 's/^/    /' "$out/check.txt"
		fail=1
	elif [ -n "$line" ] && ! grep -q -- "$line" "$out/verdict.txt"; then
		echo "not ok: $name: the verdict does not say '$line'"
		sed 's/^/    /' "$out/verdict.txt"
		fail=1
	else
		echo "ok: $name ($4 closed, $5 harmful, expecting $2: rc $rc)"
	fi
}

n=$(( seed % 4 + 1 ))
check harmless-only none 0 "$n" 0 0 "set aside: $n harmless reset(s) after a completed close"
check harmful-too none 0 "$n" $(( seed % 2 + 1 )) 5
check harmful-only none 0 0 1 5
check nothing none 0 0 0 0
check closed-expected deliberate-abort 1 "$n" 0 0
# a MAX: harmless resets past MIN do not count against it, others do
m=$(( n + 1 ))
check max-harmless deliberate-abort 1 "$m" 0 0 "$(( m - 1 )) harmless reset(s) after a completed close (rule closed) not counted against its MAX 1" \
	'.kind == "after-fin"|after-fin|server|*|1|1'
check max-none-harmless deliberate-abort 1 "$n" 0 0 "$n harmless reset(s) after a completed close (rule closed) not counted against its MAX 0" \
	'true|*|*|*|0|0'
check max-harmful unread-close 1 0 2 5 "expected at most 1" 'true|*|server|*|1|1'
check max-harmful-and-harmless unread-close 1 "$n" 2 5 "expected at most 1" '.kind != "after-fin"|*|server|*|1|1'
[ $fail = 0 ] && echo "the lab check sets aside only harmless resets after a completed close, also against a MAX"
exit $fail
