#!/usr/bin/env python3
"""sendpcap.py: put a classic pcap's Ethernet frames on an interface, paced.

usage: sendpcap.py --pcap F.pcap --dev IF [--rate FRAMES_PER_S] [--max-s S]

Each record is written, as captured, with an AF_PACKET socket on IF (root;
meant for the loopback of a namespace the caller made). Paced to --rate,
bounded by --max-s. Prints "sent N" and exits 0 when every record went out.
"""
import argparse
import socket
import struct
import sys
import time


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap file (too short)")
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file")
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack_from(end + "I", data, off + 8)[0]
        off += 16
        if off + incl > len(data):
            raise SystemExit(f"{path}: record {n + 1} cut short")
        yield data[off:off + incl]
        off += incl
        n += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--rate", type=float, default=100000.0)
    ap.add_argument("--max-s", type=float, default=60.0)
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    t0 = time.monotonic()
    n = 0
    for fr in records(a.pcap):
        s.send(fr)
        n += 1
        if n % 500 == 0:
            ahead = t0 + n / a.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            if time.monotonic() - t0 > a.max_s:
                print(f"sent {n}: stopped after {a.max_s} s", file=sys.stderr)
                return 1
    print(f"sent {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
