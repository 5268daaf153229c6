#!/usr/bin/env python3
"""pcap2seed.py IN.pcap OUT: an Ethernet pcap as one fuzz_engine input
([dt x100 ms: 1 byte][len: 2 bytes BE][frame]...). Standard library only."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
div = 1e6 if magic in (0xA1B2C3D4, 0xD4C3B2A1) else 1e9
off, out, last = 24, bytearray(), None
while off + 16 <= len(data):
    sec, frac, cap, _ = struct.unpack(end + "IIII", data[off:off + 16])
    t = sec + frac / div
    dt = 0 if last is None else min(255, int((t - last) * 10))
    last = t
    out += struct.pack("!BH", dt, cap) + data[off + 16:off + 16 + cap]
    off += 16 + cap
open(sys.argv[2], "wb").write(out)
