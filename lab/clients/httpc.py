#!/usr/bin/python3
"""httpc: a scripted HTTP/1.1 client for the lab that reports exactly what
the application saw (response, EOF, ECONNRESET, EPIPE, ETIMEDOUT, ...).

usage: httpc.py --to ADDR:PORT [options] STEP...
steps:
  connect            open a (new) connection
  get:PATH           send a GET on the current connection, read the response
  post:PATH:SIZE     POST a SIZE-byte body with Content-Length, then read
  chunked:PATH:SIZE  POST a SIZE-byte body with chunked encoding, then read
  send:PATH          send a GET and do not read the response
  probe              write one more request (shows EPIPE after an RST)
  sleep:SECONDS      stay idle (the connection stays in the pool)
  close              close normally (FIN)
  abort              close with SO_LINGER {1, 0} (RST)
Exit status 0 when every step ran (whatever it saw); 2 on bad usage.
"""
import argparse
import errno
import socket
import struct
import sys
import time

T0 = time.monotonic()


def say(msg):
    print("t=%.3f %s" % (time.monotonic() - T0, msg), flush=True)


def errname(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    if e.errno is not None:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


class Conn:
    def __init__(self, args):
        self.args = args
        self.sock = None

    def open(self):
        host, port = self.args.to.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.args.bind_port:
            s.bind(("0.0.0.0", self.args.bind_port))
        if self.args.user_timeout:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, self.args.user_timeout)
        s.settimeout(self.args.timeout)
        s.connect((host, int(port)))
        self.sock = s
        return s.getsockname()[1]

    def request(self, method, path, size=0, chunked=False):
        host = self.args.to.rsplit(":", 1)[0]
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: rstscope-lab\r\n" % (method, path, host)
        if size and chunked:
            head += "Transfer-Encoding: chunked\r\n"
        elif size or method == "POST":
            head += "Content-Length: %d\r\n" % size
        head += "\r\n"
        self.sock.sendall(head.encode())
        if not size:
            return
        sent = 0
        block = b"x" * 16384
        while sent < size:
            n = min(len(block), size - sent)
            if chunked:
                self.sock.sendall(b"%x\r\n" % n + block[:n] + b"\r\n")
            else:
                self.sock.sendall(block[:n])
            sent += n
            self.sent = sent
        if chunked:
            self.sock.sendall(b"0\r\n\r\n")

    def response(self):
        """Read one response; returns a description."""
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = self.sock.recv(65536)
            if not d:
                return "EOF" if not buf else "EOF in headers"
            buf += d
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)[1] if len(lines[0].split(" ")) > 1 else "?"
        length = 0
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip())
        while len(body) < length:
            d = self.sock.recv(65536)
            if not d:
                return "%s then EOF in body" % status
            body += d
        return "%s (%d bytes)" % (status, length)


def main():
    ap = argparse.ArgumentParser(add_help=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--bind-port", type=int, default=0)
    ap.add_argument("--user-timeout", type=int, default=0, help="TCP_USER_TIMEOUT in ms")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("steps", nargs="+")
    args = ap.parse_args()
    c = Conn(args)
    for step in args.steps:
        parts = step.split(":")
        op = parts[0]
        try:
            if op == "connect":
                say("connect -> ok (local port %d)" % c.open())
            elif op in ("get", "send", "post", "chunked"):
                if c.sock is None:
                    say("connect -> ok (local port %d)" % c.open())
                c.sent = 0
                if op in ("get", "send"):
                    c.request("GET", parts[1])
                else:
                    c.request("POST", parts[1], int(parts[2]), op == "chunked")
                if op == "send":
                    say("send %s -> sent" % parts[1])
                else:
                    say("%s %s -> %s" % (op, parts[1], c.response()))
            elif op == "probe":
                c.sock.sendall(b"GET /probe HTTP/1.1\r\nHost: x\r\n\r\n")
                time.sleep(0.05)
                c.sock.sendall(b"GET /probe HTTP/1.1\r\nHost: x\r\n\r\n")
                say("probe -> written")
            elif op == "sleep":
                time.sleep(float(parts[1]))
                say("idle %ss" % parts[1])
            elif op == "close":
                c.sock.close()
                c.sock = None
                say("close -> ok")
            elif op == "abort":
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.sock.close()
                c.sock = None
                say("abort -> ok")
            else:
                print("httpc: unknown step '%s'" % step, file=sys.stderr)
                return 2
        except (OSError, socket.timeout) as e:
            extra = " after %d body bytes" % c.sent if getattr(c, "sent", 0) else ""
            say("%s -> %s%s" % (step, errname(e), extra))
            if op in ("connect",):
                c.sock = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
