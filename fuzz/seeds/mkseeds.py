#!/usr/bin/env python3
"""mkseeds.py - write the fuzzers' seed inputs: well-formed Ethernet frames, one per file.

  python3 fuzz/seeds/mkseeds.py    (from the repository root; rewrites fuzz/seeds/fuzz_*/)

Each seed is one raw Ethernet frame carrying a TCP segment, covering the paths
of the frame decoder: IPv4 with and without options, IPv6 with an extension
header, 802.1Q and QinQ, IP-in-IP, IPv6-in-IPv4, GRE (plain, with key and
sequence), a fragment, TCP options, payload. fuzz_engine gets the same
frames, plus short conversations in its record format ([dt: 1 byte, x100 ms]
[len: 2 bytes BE][frame]): a reset after a handshake, a refused SYN, an idle
gap then a forged RST, a reset after FIN, follow-up RSTs, tunnelled flows.
Python 3 standard library only; checksums are right so that nothing but the
fuzzer's mutations is wrong.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/lib"))
from inet import csum  # noqa: E402

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
A4, B4 = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20])
T4A, T4B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
A6 = bytes.fromhex("20010db8000000000000000000000001")
B6 = bytes.fromhex("20010db8000000000000000000000002")
SYN_OPTS = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" + struct.pack("!BBII", 8, 10, 1, 0)
            + b"\x01" + struct.pack("!BBB", 3, 3, 7))
TS_OPTS = b"\x01\x01" + struct.pack("!BBII", 8, 10, 2, 1)


def tcp(src, dst, flags, payload=b"", opts=b"", sport=42000, dport=443, seq=1000, ack=0):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, ((20 + len(opts)) // 4) << 4, flags,
                    64240, 0, 0) + opts
    seg = h + payload
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4(src, dst, proto, body, ttl=64, ipid=7, frag=0x4000, opts=b""):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", (4 << 4) | ihl, 0, ihl * 4 + len(body), ipid, frag, ttl,
                    proto, 0, src, dst) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + body


def ipv6(src, dst, nxt, body, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), nxt, hlim, src, dst) + body


def eth(ethertype, body, tags=()):
    h = bytes.fromhex("020000000002020000000001")
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", ethertype) + body


def t4(flags, payload=b"", opts=b"", **kw):
    return ipv4(A4, B4, 6, tcp(A4, B4, flags, payload, opts, **kw))


def seeds():
    rst = t4(RST | ACK, ack=5000)
    return {
        "ipv4-syn-opts": eth(0x0800, t4(SYN, opts=SYN_OPTS)),
        "ipv4-rst-ack": eth(0x0800, rst),
        "ipv4-data-ts": eth(0x0800, t4(PSH | ACK, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", TS_OPTS,
                                       ack=9001)),
        "ipv4-rst-payload": eth(0x0800, t4(RST, b"Access Denied")),
        "ipv4-ipopts-rst": eth(0x0800, ipv4(A4, B4, 6, tcp(A4, B4, RST | ACK),
                                            opts=b"\x94\x04\x00\x00")),
        "ipv4-fragment": eth(0x0800, ipv4(A4, B4, 6, tcp(A4, B4, ACK, b"x" * 16), frag=0x2000)),
        "ipv4-fin": eth(0x0800, t4(FIN | ACK, opts=TS_OPTS, ack=9001)),
        "ipv6-syn-opts": eth(0x86DD, ipv6(A6, B6, 6, tcp(A6, B6, SYN, opts=SYN_OPTS))),
        "ipv6-hbh-rst": eth(0x86DD, ipv6(A6, B6, 0, bytes([6, 0, 1, 4, 0, 0, 0, 0])
                                         + tcp(A6, B6, RST | ACK))),
        "vlan-ipv4-rst": eth(0x0800, rst, tags=((0x8100, 100),)),
        "qinq-ipv4-rst": eth(0x0800, rst, tags=((0x88A8, 200), (0x8100, 100))),
        "ipip-rst": eth(0x0800, ipv4(T4A, T4B, 4, rst)),
        "6in4-rst": eth(0x0800, ipv4(T4A, T4B, 41, ipv6(A6, B6, 6, tcp(A6, B6, RST | ACK)))),
        "gre-ipv4-rst": eth(0x0800, ipv4(T4A, T4B, 47, struct.pack("!HH", 0, 0x0800) + rst)),
        "gre-key-seq-ipv4-syn": eth(0x0800, ipv4(T4A, T4B, 47, struct.pack("!HHII", 0x3000, 0x0800,
                                                                          42, 7)
                                                 + t4(SYN, opts=SYN_OPTS))),
        "gre-ipv6-rst": eth(0x0800, ipv4(T4A, T4B, 47, struct.pack("!HH", 0, 0x86DD)
                                         + ipv6(A6, B6, 6, tcp(A6, B6, RST)))),
    }


def conv(src, dst, sport, dport, flags, seq, ack, payload=b"", opts=b"", ttl=64, ipid=1):
    return eth(0x0800, ipv4(src, dst, 6, tcp(src, dst, flags, payload, opts, sport, dport, seq,
                                             ack), ttl=ttl, ipid=ipid))


def records(*items):
    return b"".join(bytes([dt]) + struct.pack("!H", len(f)) + f for dt, f in items)


def conversations():
    c = lambda fl, seq, ack, pl=b"", **kw: conv(A4, B4, 42000, 443, fl, seq, ack, pl, **kw)
    s = lambda fl, seq, ack, pl=b"", ttl=52, **kw: conv(B4, A4, 443, 42000, fl, seq, ack, pl,
                                                        ttl=ttl, **kw)
    req, resp = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n" + b"y" * 64
    hs = [(0, c(SYN, 1000, 0, opts=SYN_OPTS, ipid=1)),
          (1, s(SYN | ACK, 9000, 1001, opts=SYN_OPTS, ipid=100)),
          (1, c(ACK, 1001, 9001, ipid=2))]
    q = 1001 + len(req)
    r = 9001 + len(resp)
    talk = [(1, c(PSH | ACK, 1001, 9001, req, ipid=3)),
            (1, s(PSH | ACK, 9001, q, resp, ipid=101)),
            (1, c(ACK, q, r, ipid=4))]
    return {
        "conv-established-rst": records(*hs, *talk, (2, s(RST | ACK, r, q, ipid=102))),
        "conv-refused": records(hs[0], (1, s(RST | ACK, 0, 1001, ipid=0))),
        "conv-idle-forged": records(*hs, *talk, (255, c(PSH | ACK, q, r, req, ipid=5)),
                                    (1, s(RST, r, 0, ttl=40, ipid=0)),
                                    (1, s(ACK, r, q + len(req), ipid=102))),
        "conv-after-fin": records(*hs, *talk, (5, s(FIN | ACK, r, q, ipid=102)),
                                  (1, c(ACK, q, r + 1, ipid=5)),
                                  (1, c(PSH | ACK, q, r + 1, req, ipid=6)),
                                  (1, s(RST, r + 1, 0, ipid=103))),
        "conv-followup-rsts": records(*hs, *talk, (1, c(RST | ACK, q, r, ipid=5)),
                                      (1, s(PSH | ACK, r, q, resp, ipid=102)),
                                      (0, c(RST, q, 0, ipid=6)),
                                      (0, s(PSH | ACK, r + len(resp), q, resp, ipid=103)),
                                      (0, c(RST, q, 0, ipid=7))),
        "conv-tunnels": records(*[(1, f) for k, f in seeds().items()
                                  if k.startswith(("gre", "vlan", "qinq", "ipip", "6in4"))]),
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for fz in ("fuzz_decode", "fuzz_engine"):
        d = os.path.join(here, fz)
        os.makedirs(d, exist_ok=True)
        items = dict(seeds())
        if fz == "fuzz_engine":
            items.update(conversations())
        for name, data in items.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
