#!/usr/bin/python3
"""burst: open --first connections one by one (each sends a request), then
--burst connections at once, each sending its request --hold seconds after
connect; report what each connection saw.
usage: burst.py --to ADDR:PORT --first N --burst N [--hold S]"""
import argparse
import errno
import socket
import sys
import threading
import time

RESULTS = {}


def one(host, port, name, hold, barrier):
    s = socket.socket()
    s.settimeout(2.5)
    try:
        if barrier:
            barrier.wait(2)
        s.connect((host, port))
        time.sleep(hold)
        s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
        d = s.recv(100)
        out = "response" if d else "EOF"
    except (OSError, threading.BrokenBarrierError) as e:
        if isinstance(e, socket.timeout):
            out = "TIMEOUT"
        elif getattr(e, "errno", None):
            out = errno.errorcode.get(e.errno, str(e.errno))
        else:
            out = type(e).__name__
    RESULTS[name] = out
    s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--burst", type=int, default=4)
    ap.add_argument("--hold", type=float, default=0.1)
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)
    threads = []
    for i in range(a.first):
        t = threading.Thread(target=one, args=(host, int(port), "first-%d" % i, 0.0, None))
        t.start()
        t.join(0.2)
        threads.append(t)
    barrier = threading.Barrier(a.burst)
    for i in range(a.burst):
        t = threading.Thread(target=one, args=(host, int(port), "burst-%d" % i, a.hold, barrier))
        t.start()
        threads.append(t)
    for t in threads:
        t.join(5)
    seen = {}
    for k in sorted(RESULTS):
        print("%s -> %s" % (k, RESULTS[k]))
        seen[RESULTS[k]] = seen.get(RESULTS[k], 0) + 1
    print("totals: " + " ".join("%s=%d" % kv for kv in sorted(seen.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
