#!/usr/bin/env python3
"""mkpcapng.py OUT [--truncate N]: a pcapng file whose two interfaces have
different link types (Ethernet, then raw IP, with a nanosecond if_tsresol),
each carrying TCP segments of one flow: SYN, SYN-ACK, ACK, then an RST on the
raw-IP interface. --truncate cuts the file N bytes short."""
import struct
import sys


def blk(t, body):
    body += b"\0" * ((-len(body)) % 4)
    n = 12 + len(body)
    return struct.pack("<II", t, n) + body + struct.pack("<I", n)


def ip_tcp(src, dst, sp, dp, flags, seq, ack, ttl):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0x4000, ttl, 6, 0, bytes(src), bytes(dst))
    return ip + struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 0x50, flags, 1000, 0, 0)


def epb(ifc, ticks, data):
    return blk(6, struct.pack("<IIIII", ifc, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data)) + data)


C, S = (10, 0, 0, 1), (10, 0, 0, 2)
shb = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb_eth = blk(1, struct.pack("<HHI", 1, 0, 65535))
tsresol = struct.pack("<HHB", 9, 1, 9) + b"\0\0\0" + struct.pack("<HH", 0, 0)
idb_raw = blk(1, struct.pack("<HHI", 101, 0, 65535) + tsresol)
eth = lambda p: b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + p
t_us = 1_700_000_000 * 1_000_000
out = shb + idb_eth + idb_raw
out += epb(0, t_us, eth(ip_tcp(C, S, 40000, 80, 0x02, 100, 0, 64)))
out += epb(0, t_us + 1000, eth(ip_tcp(S, C, 80, 40000, 0x12, 500, 101, 60)))
out += epb(0, t_us + 2000, eth(ip_tcp(C, S, 40000, 80, 0x10, 101, 501, 64)))
out += epb(1, (t_us + 3000) * 1000, ip_tcp(S, C, 80, 40000, 0x14, 501, 101, 60))
if len(sys.argv) > 3 and sys.argv[2] == "--truncate":
    out = out[:-int(sys.argv[3])]
open(sys.argv[1], "wb").write(out)
