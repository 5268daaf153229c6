#!/usr/bin/python3
"""loadgen: keep one keep-alive HTTP connection busy for --duration seconds,
reconnecting after failures (backing off 0.2, 0.4, 0.8 s), and log every outcome.
usage: loadgen.py --to ADDR:PORT --duration S --port FIRST_LOCAL_PORT"""
import argparse
import errno
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)
    t0 = time.monotonic()
    s, local, seen, backoff = None, a.port, {}, 0.2
    while time.monotonic() - t0 < a.duration:
        try:
            if s is None:
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", local))
                local += 1
                s.settimeout(3)
                s.connect((host, int(port)))
            s.sendall(b"GET /load HTTP/1.1\r\nHost: lab\r\n\r\n")
            buf = b""
            while not buf.endswith(b"ok\n"):
                d = s.recv(4096)
                if not d:
                    raise ConnectionError(0, "EOF")
                buf += d
            out = "ok"
            backoff = 0.2
        except OSError as e:
            out = errno.errorcode.get(e.errno, str(e.args[1] if len(e.args) > 1 else e))
            if s:
                s.close()
            s = None
            time.sleep(backoff)
            backoff = min(backoff * 2, 0.8)
        if seen.get("last") != out:
            print("t=%.3f %s" % (time.monotonic() - t0, out), flush=True)
        seen["last"] = out
        seen[out] = seen.get(out, 0) + 1
    print("totals: " + " ".join("%s=%d" % (k, v) for k, v in seen.items() if k != "last"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
