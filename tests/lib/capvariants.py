#!/usr/bin/env python3
"""capvariants.py IN.pcap OUTDIR SEED: the frames of a little-endian
microsecond Ethernet pcap in other containers, for tests of readers and
writers that must keep frames as they are:
  be-usec.pcap    big-endian, microseconds
  le-nsec.pcap    little-endian, nanoseconds (ticks drawn below the us)
  be-nsec.pcap    big-endian, nanoseconds
  multi.pcapng    pcapng in a drawn byte order, three interfaces with names
                  and descriptions: Ethernet (us), raw IP (if_tsresol 9,
                  the IPv4/IPv6 frames drawn for it lose their Ethernet
                  header), Ethernet with a 96-byte snap length (ns); one
                  frame drawn to carry a comment of its own
                  ("capvariants: kept"); after the interfaces a name
                  resolution block (10.0.0.1 server.example, 2001:db8::1
                  v6.example), a decryption secrets block (a TLS key log
                  line) and an interface statistics block. Prints that
                  frame's number.
Frames are assigned and times nudged by random.Random(SEED)."""
import random
import struct
import sys


def read_pcap(path):
    d = open(path, "rb").read()
    magic, = struct.unpack("<I", d[:4])
    assert magic == 0xA1B2C3D4, "want a little-endian microsecond pcap"
    snap, link = struct.unpack("<II", d[16:24])
    off, out = 24, []
    while off + 16 <= len(d):
        sec, usec, cap, wire = struct.unpack("<IIII", d[off:off + 16])
        out.append((sec, usec, wire, d[off + 16:off + 16 + cap]))
        off += 16 + cap
    return snap, link, out


def write_pcap(path, endian, nsec, snap, link, frames, rnd):
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    b = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snap, link)]
    for sec, usec, wire, data in frames:
        frac = usec * 1000 + rnd.randrange(1000) if nsec else usec
        b.append(struct.pack(endian + "IIII", sec, frac, len(data), wire) + data)
    open(path, "wb").write(b"".join(b))


def opt(e, code, val):
    return struct.pack(e + "HH", code, len(val)) + val + b"\0" * ((-len(val)) % 4)


def blk(e, t, body):
    body += b"\0" * ((-len(body)) % 4)
    return struct.pack(e + "II", t, 12 + len(body)) + body + struct.pack(e + "I", 12 + len(body))


def write_pcapng(path, e, frames, rnd):
    end = opt(e, 0, b"")
    out = [blk(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)
               + opt(e, 4, b"capvariants") + end)]
    ifaces = [(1, 262144, [(2, b"eth0"), (3, b"first Ethernet port")], 6),
              (101, 65535, [(2, b"tun0"), (3, b"raw IP tunnel"), (9, b"\x09")], 9),
              (1, 96, [(2, b"eth1"), (9, b"\x09"), (12, b"Linux")], 9)]
    for link, snap, opts, _ in ifaces:
        out.append(blk(e, 1, struct.pack(e + "HHI", link, 0, snap)
                       + b"".join(opt(e, c, v) for c, v in opts) + end))
    out.append(blk(e, 4, opt(e, 1, bytes([10, 0, 0, 1]) + b"server.example\0")
                   + opt(e, 2, bytes.fromhex("20010db8000000000000000000000001") + b"v6.example\0")
                   + opt(e, 0, b"") + opt(e, 1, b"names") + end))
    keylog = b"CLIENT_RANDOM " + bytes(range(32)).hex().encode() + b" " + b"ab" * 48 + b"\n"
    out.append(blk(e, 10, struct.pack(e + "II", 0x544C534B, len(keylog)) + keylog
                   + b"\0" * ((-len(keylog)) % 4) + opt(e, 1, b"keys") + end))
    out.append(blk(e, 5, struct.pack(e + "III", 0, 0, 0) + opt(e, 4, struct.pack(e + "Q", 7)) + end))
    own = rnd.randrange(len(frames)) + 1
    for n, (sec, usec, wire, data) in enumerate(frames, 1):
        i = rnd.randrange(3)
        ethertype = data[12:14] if len(data) >= 14 else b""
        if i == 1 and ethertype not in (b"\x08\x00", b"\x86\xdd"):
            i = 0
        if i == 1:
            data, wire = data[14:], wire - 14
        if i == 2:
            data = data[:96]
        ticks = (sec * 10**6 + usec) * (1000 if ifaces[i][3] == 9 else 1)
        if ifaces[i][3] == 9:
            ticks += rnd.randrange(1000)
        opts = opt(e, 1, b"capvariants: kept") + end if n == own else b""
        out.append(blk(e, 6, struct.pack(e + "IIIII", i, ticks >> 32, ticks & 0xFFFFFFFF,
                                         len(data), wire)
                       + data + b"\0" * ((-len(data)) % 4) + opts))
    open(path, "wb").write(b"".join(out))
    return own


def main():
    src, outdir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rnd = random.Random(seed)
    snap, link, frames = read_pcap(src)
    write_pcap(outdir + "/be-usec.pcap", ">", False, snap, link, frames, rnd)
    write_pcap(outdir + "/le-nsec.pcap", "<", True, snap, link, frames, rnd)
    write_pcap(outdir + "/be-nsec.pcap", ">", True, snap, link, frames, rnd)
    print(write_pcapng(outdir + "/multi.pcapng", rnd.choice("<>"), frames, rnd))


main()
