#!/usr/bin/env python3
"""mkbad.py DIR - write the damaged and odd captures of the robustness tests into DIR.

Python 3 standard library only; the frames are built by hand with struct, with
correct IPv4 and TCP checksums, so that only the damage described is wrong.

Every capture starts with a well-formed RST (frame 1), so a test can check that
the results before the damage are still reported.

  good.pcap          6 frames: RST (1), handshake + data (2-5), RST (6)
  good.pcapng        the same frames as pcapng (SHB, IDB, EPBs)
  empty.pcap         0 bytes
  magic.pcap         24 bytes of a header with a wrong magic
  text.pcap          a text file
  shorthdr.pcap      the first 10 bytes of good.pcap's file header
  trunc-rec.pcap     good.pcap + record 7 whose data is cut short (80 claimed, 20 present)
  trunc-rechdr.pcap  good.pcap + 8 bytes of record 7's header
  corrupt-mid.pcap   frames 1-3, record 4 claims 16 MiB of data, then frames 4-6
  trunc-block.pcapng good.pcapng + EPB 7 cut short (block says 100 bytes, 40 present)
  corrupt-mid.pcapng frames 1-3, a block whose total length is 8 (< 12), then frames 4-6
  snap64.pcap        snaplen 64: RST (1), four frames whose TCP header is cut (2-5),
                     RST (6), IPv6 SYN cut (7)            -> 5 truncated, 0 malformed
  ihl.pcap           RST (1), IPv4 IHL 4 (2), IHL 0 (3), RST (4)  -> 2 malformed
  doff.pcap          RST (1), TCP data offset 4 (2), 0 (3), RST (4) -> 2 malformed
  zero.pcap          RST (1), zero-length frames (2: orig 0, 3: orig 60), RST (4)
  zero-norst.pcap    SYN (1), zero-length frame (2): no RST at all
  mixed.pcap         RST (1), IHL 4 (2), SYN cut at 60 bytes (3), data offset 3 (4),
                     ACK cut at 60 bytes (5), RST (6)   -> 2 malformed, 2 truncated
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../lib"))
from inet import csum  # noqa: E402

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
TS0 = 1_700_000_000
ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def tcp_opts(syn, ts):
    o = b""
    if syn:
        o += struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02"  # MSS, SACK-permitted
    if ts:
        o += b"\x01\x01" + struct.pack("!BBII", 8, 10, ts, 0)  # NOP NOP TS
    if syn:
        o += b"\x01" + struct.pack("!BBB", 3, 3, 7)  # NOP, window scale 7
    while len(o) % 4:
        o += b"\x01"
    return o


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", opts=b"", doff=None,
        pseudo=None):
    off = doff if doff is not None else (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 64240, 0, 0) + opts
    seg = h + payload
    if pseudo is not None:
        c = csum(pseudo + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg


def eth(ethertype, body):
    return ETH_DST + ETH_SRC + struct.pack("!H", ethertype) + body


def v4(src, dst, sport, dport, seq, ack, flags, payload=b"", opts=b"", ttl=64, ipid=1,
       ihl=5, doff=None):
    s, d = ip4(src), ip4(dst)
    seglen = 20 + len(opts) + len(payload)
    pseudo = s + d + struct.pack("!BBH", 0, 6, seglen)
    seg = tcp(src, dst, sport, dport, seq, ack, flags, payload, opts, doff, pseudo)
    ip = struct.pack("!BBHHHBBH4s4s", (4 << 4) | ihl, 0, 20 + len(seg), ipid, 0x4000, ttl, 6,
                     0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return eth(0x0800, ip + seg)


def v6(sport, dport, seq, flags, opts=b""):
    s = bytes.fromhex("20010db8000000000000000000000001")
    d = bytes.fromhex("20010db8000000000000000000000002")
    seglen = 20 + len(opts)
    pseudo = s + d + struct.pack("!IxxxB", seglen, 6)
    seg = tcp(None, None, sport, dport, seq, 0, flags, b"", opts, None, pseudo)
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(seg), 6, 64, s, d)
    return eth(0x86DD, ip + seg)


def good_frames():
    """(frame bytes) of good.pcap: two RSTs around a short connection."""
    c, s = "192.0.2.10", "198.51.100.20"
    return [
        # 1: an RST|ACK on a flow seen only from it
        v4("203.0.113.5", "192.0.2.9", 80, 41000, 5000, 7000, RST | ACK, ttl=57, ipid=0),
        # 2-5: handshake and a request on another flow, with options
        v4(c, s, 42000, 443, 1000, 0, SYN, opts=tcp_opts(True, 100), ipid=11),
        v4(s, c, 443, 42000, 9000, 1001, SYN | ACK, opts=tcp_opts(True, 500), ttl=52, ipid=21),
        v4(c, s, 42000, 443, 1001, 9001, ACK, opts=tcp_opts(False, 101), ipid=12),
        v4(c, s, 42000, 443, 1001, 9001, PSH | ACK, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
           opts=tcp_opts(False, 102), ipid=13),
        # 6: the server resets it
        v4(s, c, 443, 42000, 9001, 1028, RST | ACK, ttl=52, ipid=22),
    ]


def pcap_header(snaplen=65535, magic=0xA1B2C3D4, link=1):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, link)


def pcap_record(i, data, orig=None, incl=None):
    orig = len(data) if orig is None else orig
    incl = len(data) if incl is None else incl
    return struct.pack("<IIII", TS0 + i, 1000 * i, incl, orig) + data


def pcap(frames, snaplen=65535):
    """frames: list of bytes or (bytes, orig_len); records are cut at snaplen."""
    out = bytearray(pcap_header(snaplen))
    for i, f in enumerate(frames):
        data, orig = (f if isinstance(f, tuple) else (f, len(f)))
        out += pcap_record(i, data[:snaplen], orig=orig)
    return bytes(out)


def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def ng_shb():
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def ng_idb(link=1, snaplen=65535):
    return ng_block(1, struct.pack("<HHI", link, 0, snaplen))


def ng_epb(i, data):
    t = (TS0 + i) * 1_000_000 + 1000 * i
    return ng_block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), len(data)) + data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mkbad.py DIR")
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)

    def put(name, b):
        with open(os.path.join(d, name), "wb") as f:
            f.write(b)

    g = good_frames()
    good = pcap(g)
    put("good.pcap", good)
    put("empty.pcap", b"")
    put("magic.pcap", struct.pack("<I", 0x12345678) + good[4:24])
    put("text.pcap", b"this is not a capture file\n" * 4)
    put("shorthdr.pcap", good[:10])
    rec7 = pcap_record(6, g[4][:80], incl=80)
    put("trunc-rec.pcap", good + rec7[:16 + 20])
    put("trunc-rechdr.pcap", good + rec7[:8])
    head = pcap(g[:3])
    bogus = struct.pack("<IIII", TS0 + 3, 0, 0x00FFFFFF, 0x00FFFFFF) + g[3]
    put("corrupt-mid.pcap", head + bogus + b"".join(pcap_record(i, g[i]) for i in range(3, 6)))

    ng_head = ng_shb() + ng_idb()
    ng_good = ng_head + b"".join(ng_epb(i, f) for i, f in enumerate(g))
    put("good.pcapng", ng_good)
    put("trunc-block.pcapng", ng_good + ng_epb(6, g[4] + b"x" * 20)[:40])
    bad_block = struct.pack("<II", 0x00000BAD, 8)
    put("corrupt-mid.pcapng", ng_head + b"".join(ng_epb(i, f) for i, f in enumerate(g[:3]))
        + bad_block + b"".join(ng_epb(i, f) for i, f in enumerate(g[3:], 3)))

    # snaplen 64: the option-carrying frames lose the end of their TCP header
    # (14 + 20 + 32 > 64), the bare RSTs (54 bytes) are whole.
    ipv6_syn = v6(43000, 443, 77, SYN, tcp_opts(True, 9))
    put("snap64.pcap", pcap(g + [ipv6_syn], snaplen=64))

    r2 = v4("203.0.113.7", "192.0.2.8", 443, 41002, 800, 900, RST | ACK, ttl=50, ipid=0)
    c, s = "192.0.2.30", "198.51.100.40"
    put("ihl.pcap", pcap([g[0],
                          v4(c, s, 42100, 80, 1, 0, SYN, ihl=4),
                          v4(c, s, 42101, 80, 1, 0, SYN, ihl=0),
                          r2]))
    put("doff.pcap", pcap([g[0],
                           v4(c, s, 42200, 80, 1, 0, SYN, doff=4),
                           v4(c, s, 42201, 80, 1, 0, ACK, doff=0),
                           r2]))
    put("zero.pcap", pcap([g[0], (b"", 0), (b"", 60), r2]))
    put("zero-norst.pcap", pcap([g[1], (b"", 0)]))
    put("mixed.pcap", pcap([g[0],
                            v4(c, s, 42300, 80, 1, 0, SYN, ihl=4),
                            (g[1][:60], len(g[1])),
                            v4(c, s, 42301, 80, 1, 0, ACK, doff=3),
                            (g[3][:60], len(g[3])),
                            r2]))


if __name__ == "__main__":
    main()
