#!/usr/bin/env python3
"""longflow.py SEED OUT.pcap WANT: a capture of one long TCP flow reset by
its server, drawn from SEED: the frames before the RST (a handful to
thousands), the frames after it (the client still sending, the server
answering each with an RST), maybe an earlier connection on the same tuple
first, maybe frames of other flows between, IPv4 or IPv6. WANT gets the
frame numbers a ladder of the RST must draw, in order: the last
connection's first 10, its last 300 up to and including the RST, the first
90 after it; then "rst N", "mid N" and "after N" (the frames left out
before and after the RST); WANT.info one line describing the draw."""
import random
import struct
import sys

HEAD, BEFORE, AFTER = 10, 300, 90


def main():
    seed, out, want = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    r = random.Random(seed)
    v6 = r.random() < 0.4
    cli = ("2001:db8::%x" % r.randrange(1, 0xFFFF)) if v6 else "10.0.%d.%d" % (r.randrange(256), r.randrange(1, 255))
    srv = ("2001:db8:1::%x" % r.randrange(1, 0xFFFF)) if v6 else "192.0.2.%d" % r.randrange(1, 255)
    cport, sport = r.randrange(20000, 60000), r.choice([80, 443, 5432, 8080])
    n_before = r.choice([r.randrange(1, 40), r.randrange(40, 400), r.randrange(400, 6000)])
    n_after = r.choice([0, r.randrange(1, 60), r.randrange(60, 800)])
    earlier = r.random() < 0.5
    noise = r.random() < 0.6
    frames, mine = [], []   # (ts, bytes); indices of the tuple's last connection
    t = [1_700_000_000.0 + r.randrange(1000)]

    def pkt(src, dst, sp, dp, seq, ack, flags, payload=b"", ttl=64):
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                          65535, 0, 0) + payload
        if v6:
            ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, ttl, v6addr(src), v6addr(dst))
            eth = b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd"
        else:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), r.randrange(65536), 0x4000,
                             ttl, 6, 0, v4addr(src), v4addr(dst))
            eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
        t[0] += r.choice([0.0001, 0.001, 0.02])
        if noise and r.random() < 0.3:
            other(t[0])
            t[0] += 0.00001
        frames.append((t[0], eth + ip + tcp))
        return len(frames) - 1

    def other(ts):
        o = struct.pack("!HHIIBBHHH", 40000 + r.randrange(100), 9999, r.randrange(1 << 32),
                        r.randrange(1 << 32), 0x50, 0x10, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([10, 9, 9, 9]),
                         bytes([10, 8, 8, 8]))
        frames.append((ts, b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + o))

    def connect(idx_list):
        cs, ss = r.randrange(1 << 32), r.randrange(1 << 32)
        idx_list.append(pkt(cli, srv, cport, sport, cs, 0, 0x02))
        idx_list.append(pkt(srv, cli, sport, cport, ss, cs + 1, 0x12, ttl=52))
        idx_list.append(pkt(cli, srv, cport, sport, cs + 1, ss + 1, 0x10))
        return cs + 1, ss + 1

    if earlier:
        cs, ss = connect([])
        for _ in range(r.randrange(1, 30)):
            pkt(cli, srv, cport, sport, cs, ss, 0x18, b"x" * 10)
            cs += 10
        pkt(cli, srv, cport, sport, cs, ss, 0x11)
        pkt(srv, cli, sport, cport, ss, cs + 1, 0x11, ttl=52)
        pkt(cli, srv, cport, sport, cs + 1, ss + 1, 0x10)
    cs, ss = connect(mine)
    for k in range(max(0, n_before - 3)):
        if k % 2 == 0:
            mine.append(pkt(cli, srv, cport, sport, cs, ss, 0x18, b"GET / HTTP/1.1\r\n\r\n"))
            cs += 18
        else:
            mine.append(pkt(srv, cli, sport, cport, ss, cs, 0x10, b"y" * 100, ttl=52))
            ss += 100
    t[0] += r.choice([0.01, 5, 70])
    rst = pkt(srv, cli, sport, cport, ss, cs, 0x14, ttl=52)
    mine.append(rst)
    after = []
    for k in range(n_after):
        if k % 2 == 0:
            after.append(pkt(cli, srv, cport, sport, cs, ss, 0x18, b"z" * 20))
            cs += 20
        else:
            after.append(pkt(srv, cli, sport, cport, ss, 0, 0x04, ttl=52))

    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for ts, b in frames:
            f.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(b), len(b)) + b)
    shown = mine[:HEAD] + mine[max(HEAD, len(mine) - BEFORE):] + after[:AFTER]
    with open(want, "w") as f:
        for i in shown:
            f.write("%d\n" % (i + 1))
        f.write("rst %d\nmid %d\nafter %d\n" % (rst + 1, max(0, len(mine) - HEAD - BEFORE),
                                               max(0, len(after) - AFTER)))
    with open(want + ".info", "w") as f:
        f.write("info %s, %d frames of the connection up to its RST, %d after%s%s\n" % (
            "IPv6" if v6 else "IPv4", len(mine), len(after),
            ", an earlier connection on the tuple" if earlier else "",
            ", other flows between" if noise else ""))


def v4addr(s):
    return bytes(int(x) for x in s.split("."))


def v6addr(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


main()
