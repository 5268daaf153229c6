"""inet.py: the Internet checksum (RFC 1071), shared by the scripts that
build packets by hand (tests/data/bad/mkbad.py, tests/helpers/forge_rst.py,
fuzz/seeds/mkseeds.py)."""
import struct


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
