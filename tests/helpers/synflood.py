#!/usr/bin/env python3
"""synflood.py: a capture of a SYN flood against one server, with resets in it.

usage: synflood.py --out F.pcap --truth T.jsonl --flows N [--seed S]
                   [--refused N] [--reset N] [--v6-share P]

N half-open flows from drawn sources (IPv4, a share IPv6): each a SYN and
then either the server's SYN-ACK (never acknowledged) or a retransmitted
SYN one second later, interleaved in time as a flood is. Mixed in:
--refused SYNs to a closed port answered by the server's RST, and --reset
established flows (handshake, a request, a response) the server resets.
The truth file has one line per RST: {"frame": n, "kind": "refused" |
"established"}. Records are packed in bulk, so a million flows take seconds.
"""
import argparse
import json
import random
import struct
import sys

SERVER4 = bytes([10, 9, 0, 1])
SERVER6 = bytes.fromhex("fd00000000000000000000000000abcd")
ETH4 = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
ETH6 = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x86\xdd"
SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10


def tcp(sport, dport, seq, ack, flags, payload=b""):
    # data offset 5 words, a window, no checksum (rstscope does not check it)
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + payload


def frame(src, dst, ttl, seg, ipid):
    if len(src) == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ipid, 0x4000, ttl, 6, 0, src, dst)
        return ETH4 + ip + seg
    ip = struct.pack("!IHBB16s16s", 0x60000000, len(seg), 6, ttl, src, dst)
    return ETH6 + ip + seg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--flows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--refused", type=int, default=50)
    ap.add_argument("--reset", type=int, default=50)
    ap.add_argument("--v6-share", type=float, default=0.1)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    # events: (time_us, order, frame bytes, truth kind or None)
    ev = []
    rate_us = 2.0   # a SYN every 2 us: 500 k SYNs a second
    order = 0
    for i in range(a.flows):
        v6 = rng.random() < a.v6_share
        src = (bytes([0xfd, 1]) + rng.randbytes(14)) if v6 else bytes([100 + rng.randrange(100)]) + rng.randbytes(3)
        dst = SERVER6 if v6 else SERVER4
        sport = rng.randrange(1024, 65536)
        isn = rng.getrandbits(32)
        t = int(i * rate_us)
        ttl = rng.choice((52, 53, 116, 243))
        ev.append((t, order, frame(src, dst, ttl, tcp(sport, 443, isn, 0, SYN), rng.getrandbits(16)), None))
        order += 1
        if rng.random() < 0.5:
            sisn = rng.getrandbits(32)
            ev.append((t + 100, order, frame(dst, src, 64, tcp(443, sport, sisn, (isn + 1) & 0xffffffff, SYN | ACK), 0), None))
        else:
            ev.append((t + 1000000, order, frame(src, dst, ttl, tcp(sport, 443, isn, 0, SYN), rng.getrandbits(16)), None))
        order += 1
    span = max(1, int(a.flows * rate_us))
    for _ in range(a.refused):
        src = bytes([192, 168, rng.randrange(256), 1 + rng.randrange(254)])
        sport = rng.randrange(1024, 65536)
        isn = rng.getrandbits(32)
        t = rng.randrange(span)
        ev.append((t, order, frame(src, SERVER4, 64, tcp(sport, 8081, isn, 0, SYN), 1), None))
        ev.append((t + 50, order + 1, frame(SERVER4, src, 64, tcp(8081, sport, 0, (isn + 1) & 0xffffffff, RST | ACK), 0), "refused"))
        order += 2
    for _ in range(a.reset):
        src = bytes([172, 16, rng.randrange(256), 1 + rng.randrange(254)])
        sport = rng.randrange(1024, 65536)
        c, s = rng.getrandbits(32), rng.getrandbits(32)
        t = rng.randrange(span)
        req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        seq = [
            (0, frame(src, SERVER4, 64, tcp(sport, 80, c, 0, SYN), 1), None),
            (100, frame(SERVER4, src, 64, tcp(80, sport, s, c + 1, SYN | ACK), 0), None),
            (200, frame(src, SERVER4, 64, tcp(sport, 80, c + 1, s + 1, ACK), 2), None),
            (300, frame(src, SERVER4, 64, tcp(sport, 80, c + 1, s + 1, PSH | ACK, req), 3), None),
            (400, frame(SERVER4, src, 64, tcp(80, sport, s + 1, c + 1 + len(req), PSH | ACK, resp), 0), None),
            (500, frame(SERVER4, src, 64, tcp(80, sport, s + 1 + len(resp), c + 1 + len(req), RST | ACK), 0), "established"),
        ]
        for dt, fr, kind in seq:
            ev.append((t + dt, order, fr, kind))
            order += 1
    ev.sort(key=lambda e: (e[0], e[1]))

    out = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    truth = []
    base = 1767225600
    for n, (t, _, fr, kind) in enumerate(ev, 1):
        out += struct.pack("<IIII", base + t // 1000000, t % 1000000, len(fr), len(fr))
        out += fr
        if kind:
            truth.append({"frame": n, "kind": kind})
    with open(a.out, "wb") as f:
        f.write(out)
    with open(a.truth, "w") as f:
        for r in truth:
            f.write(json.dumps(r) + "\n")
    print("synflood: %d flows, %d frames, %d RSTs, seed %d" % (a.flows, len(ev), len(truth), a.seed),
          file=sys.stderr)


if __name__ == "__main__":
    main()
