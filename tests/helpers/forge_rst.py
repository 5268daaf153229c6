#!/usr/bin/env python3
"""Send one TCP RST from SRC:SPORT to DST:DPORT through a raw socket (IPv4),
as a middlebox forging an endpoint's address would: the kernel never sees it
as one of its own resets. usage: forge_rst.py SRC SPORT DST DPORT"""
import socket
import struct
import sys
import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
from inet import csum  # noqa: E402


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__ + "\n")
        return 2
    src, sport, dst, dport = argv[1], int(argv[2]), argv[3], int(argv[4])
    seq, ack = 0x01020304, 0x0A0B0C0D
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x14, 0, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(hdr), 4242, 0, 200, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(ip + hdr, (dst, 0))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
