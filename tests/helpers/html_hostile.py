#!/usr/bin/env python3
"""html_hostile.py OUT.pcap: a capture whose strings attack an HTML page:
an HTTP request whose path and Host carry "</script><img src=x
onerror=alert(1)>", answered by an RST carrying the same bytes as data.
Ethernet, IPv4, checksums right; one flow, seven frames."""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
from inet import csum  # noqa: E402

EVIL = b"</script><img src=x onerror=alert(1)>"
CLI, SRV = "10.9.0.1", "10.9.0.2"


def frame(src, dst, sp, dp, flags, seq, ack, ttl, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, ttl, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\2\x02\0\0\0\0\1\x08\0" + ip + tcp


def main(out):
    req = b"GET /" + EVIL + b" HTTP/1.1\r\nHost: " + EVIL + b"\r\n\r\n"
    c, s = 1000, 5000
    pk = [
        (CLI, SRV, 40000, 80, 0x02, c, 0, 64, b""),
        (SRV, CLI, 80, 40000, 0x12, s, c + 1, 60, b""),
        (CLI, SRV, 40000, 80, 0x10, c + 1, s + 1, 64, b""),
        (CLI, SRV, 40000, 80, 0x18, c + 1, s + 1, 64, req),
        (SRV, CLI, 80, 40000, 0x10, s + 1, c + 1 + len(req), 60, b""),
        (SRV, CLI, 80, 40000, 0x14, s + 1, c + 1 + len(req), 60, EVIL),
        (CLI, SRV, 40000, 80, 0x04, c + 1 + len(req), 0, 64, b""),
    ]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pk):
            b = frame(*p)
            f.write(struct.pack("<IIII", 1700000000 + i // 3, (i * 100003) % 1000000, len(b), len(b)) + b)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__ + "\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
