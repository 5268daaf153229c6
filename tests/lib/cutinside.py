#!/usr/bin/env python3
"""cutinside.py FILE OFFSET: an offset at which cutting FILE leaves a frame
torn, for tests that want a truncated capture: the first byte position at
or past OFFSET that is strictly inside a packet record (a classic pcap
record, or a pcapng enhanced, simple or obsolete packet block), counted
from the start of that record; past the last one, the first one. A cut at
a record's boundary leaves a valid, shorter file, which is not what such
a test is about. Prints the offset, or exits 1 when FILE holds no packet."""
import struct
import sys

PACKET_BLOCKS = {6, 3, 2}


def records(d):
    """(start, end) of each packet record of a pcap or pcapng file."""
    magic = d[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        off, endian = 0, "<"
        while off + 12 <= len(d):
            btype = struct.unpack(endian + "I", d[off:off + 4])[0]
            if btype == 0x0A0D0D0A:
                endian = "<" if d[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            blen = struct.unpack(endian + "I", d[off + 4:off + 8])[0]
            if blen < 12:
                return
            if btype in PACKET_BLOCKS:
                yield off, min(off + blen, len(d))
            off += blen
        return
    le = struct.unpack("<I", magic)[0] in (0xA1B2C3D4, 0xA1B23C4D)
    off = 24
    while off + 16 <= len(d):
        cap = struct.unpack(("<" if le else ">") + "I", d[off + 8:off + 12])[0]
        yield off, min(off + 16 + cap, len(d))
        off += 16 + cap


def main():
    d = open(sys.argv[1], "rb").read()
    want = int(sys.argv[2])
    first = None
    for start, end in records(d):
        if end - start < 2:
            continue
        first = start + 1 if first is None else first
        if want < end and end > start + 1:
            print(max(want, start + 1))
            return 0
    if first is None:
        return 1
    print(first)
    return 0


sys.exit(main())
