#!/usr/bin/env python3
"""mkseeds.py - write the fuzzers' seed inputs: well-formed Ethernet frames, one per file.

  python3 fuzz/seeds/mkseeds.py    (from the repository root; rewrites fuzz/seeds/fuzz_*/)

Each seed is one raw Ethernet frame carrying a TCP segment, covering the paths
of the frame decoder: IPv4 with and without options, IPv6 with an extension
header, 802.1Q and QinQ, IP-in-IP, IPv6-in-IPv4, GRE (plain, with key and
sequence), a fragment, TCP options, payload. The same frames seed both
fuzz_decode and fuzz_engine. Python 3 standard library only; checksums are
right so that nothing but the fuzzer's mutations is wrong.
"""
import os
import struct

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
A4, B4 = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 20])
T4A, T4B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
A6 = bytes.fromhex("20010db8000000000000000000000001")
B6 = bytes.fromhex("20010db8000000000000000000000002")
SYN_OPTS = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" + struct.pack("!BBII", 8, 10, 1, 0)
            + b"\x01" + struct.pack("!BBB", 3, 3, 7))
TS_OPTS = b"\x01\x01" + struct.pack("!BBII", 8, 10, 2, 1)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


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


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for fz in ("fuzz_decode", "fuzz_engine"):
        d = os.path.join(here, fz)
        os.makedirs(d, exist_ok=True)
        for name, frame in seeds().items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(frame)


if __name__ == "__main__":
    main()
