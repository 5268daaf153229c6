#!/usr/bin/python3
"""hostload: the clients of the host-* scenarios, bounded in count and time.

usage:
  hostload.py conns --to ADDR:PORT --count N [--spacing S] [--wait S]
              [--rcvbuf BYTES] [--send BYTES] [--close] [--hold S]
      open N connections (non-blocking, --spacing apart), wait up to --wait
      seconds for their handshakes, optionally send BYTES on each (never
      reading: --rcvbuf keeps the window small), close them (--close: a
      FIN) or hold them open for --hold seconds, then exit. Prints how many
      connected and how many were still pending.
  hostload.py synflood --to ADDR:PORT --src ADDR --count N --sport-base P
      [--spacing S]
      N SYNs from a raw socket, source ports P..P+N-1 (the caller drops the
      SYN-ACKs, so no handshake ever completes and no RST answers them).
"""
import argparse
import errno
import random
import select
import socket
import struct
import sys
import time


def say(*a):
    print(*a, flush=True)


def conns(a):
    host, port = a.to.rsplit(":", 1)
    port = int(port)
    socks = []
    for i in range(a.count):
        s = socket.socket()
        if a.rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        except OSError as e:
            say("connect %d: %s" % (i, errno.errorcode.get(e.errno, e.errno)))
            s.close()
            continue
        socks.append(s)
        if a.spacing:
            time.sleep(a.spacing)
    pending = set(socks)
    done, failed = [], 0
    end = time.monotonic() + a.wait
    while pending and time.monotonic() < end:
        _, w, _ = select.select([], list(pending), [], max(0.0, min(0.2, end - time.monotonic())))
        for s in w:
            pending.discard(s)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                failed += 1
            else:
                done.append(s)
    say("connected %d, pending %d, failed %d" % (len(done), len(pending), failed))
    if a.send:
        queued = 0
        for s in done:
            try:
                queued += s.send(b"y" * a.send)
            except OSError:
                pass
        say("sent %d bytes" % queued)
    if a.close:
        for s in done:
            s.close()
        say("closed %d" % len(done))
    time.sleep(a.hold)
    say("done")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def synflood(a):
    host, port = a.to.rsplit(":", 1)
    port = int(port)
    src = socket.inet_aton(a.src)
    dst = socket.inet_aton(host)
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    sent = 0
    for i in range(a.count):
        sport = a.sport_base + i
        seq = random.getrandbits(32)
        # MSS 1460, no other option
        opts = struct.pack("!BBH", 2, 4, 1460)
        hdr = struct.pack("!HHIIBBHHH", sport, port, seq, 0, (5 + len(opts) // 4) << 4, 0x02, 64240, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr) + len(opts))
        c = csum(pseudo + hdr + opts)
        hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
        r.sendto(hdr + opts, (host, 0))
        sent += 1
        if a.spacing:
            time.sleep(a.spacing)
    say("sent %d SYNs from %s ports %d-%d" % (sent, a.src, a.sport_base, a.sport_base + a.count - 1))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("conns")
    c.add_argument("--to", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--spacing", type=float, default=0.0)
    c.add_argument("--wait", type=float, default=2.0)
    c.add_argument("--rcvbuf", type=int, default=0)
    c.add_argument("--send", type=int, default=0)
    c.add_argument("--close", action="store_true")
    c.add_argument("--hold", type=float, default=0.0)
    f = sub.add_parser("synflood")
    f.add_argument("--to", required=True)
    f.add_argument("--src", required=True)
    f.add_argument("--count", type=int, required=True)
    f.add_argument("--sport-base", type=int, required=True)
    f.add_argument("--spacing", type=float, default=0.0)
    a = ap.parse_args()
    if getattr(a, "count", 0) > 5000 or getattr(a, "hold", 0) > 60:
        sys.exit("hostload: bounded to 5000 connections and 60 s")
    conns(a) if a.mode == "conns" else synflood(a)


if __name__ == "__main__":
    main()
