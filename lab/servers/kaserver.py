#!/usr/bin/python3
"""kaserver: the lab's Python keep-alive HTTP server, one thread with an
event loop (select) like the event-driven servers it stands for. Answers
every path with 200 and a short body; closes a connection idle for
--keepalive seconds after its last response (a FIN when nothing is
unread, an RST when a request waits unread in the kernel).

Each turn of the loop runs its timers first, then reads what is ready: the
keep-alive timer is checked before the socket is read.

options:
  --port N          listen port (repeatable; 80)
  --keepalive S     keep-alive idle timeout (120)
  --stall-lead S    with --stall: S seconds before a connection's keep-alive
                    timer expires, the loop stalls (busy-waits)...
  --stall S         ...for S seconds (more than --stall-lead), as a loaded
                    server's does; a request arriving meanwhile is ACKed by
                    the kernel but unread when the expired timer closes the
                    connection: TCP_ABORT_ON_CLOSE
  --duration S      exit after S seconds (120)
"""
import argparse
import select
import socket
import sys
import time

T0 = time.monotonic()


def say(msg):
    print("t=%.3f %s" % (time.monotonic() - T0, msg), flush=True)


class Conn:
    def __init__(self, sock, peer):
        self.sock = sock
        self.peer = peer
        self.buf = b""
        self.idle_since = time.monotonic()  # the keep-alive timer runs from here
        self.stall_at = None


def requests(conn):
    """Complete requests (head and Content-Length body) taken from conn.buf."""
    out = []
    while b"\r\n\r\n" in conn.buf:
        head, _, rest = conn.buf.partition(b"\r\n\r\n")
        length = 0
        lines = head.decode("latin-1").split("\r\n")
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip() or 0)
        if len(rest) < length:
            break
        conn.buf = rest[length:]
        parts = lines[0].split(" ")
        out.append(parts[1] if len(parts) > 1 else "/")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, action="append")
    ap.add_argument("--keepalive", type=float, default=120.0)
    ap.add_argument("--stall-lead", type=float, default=0.0)
    ap.add_argument("--stall", type=float, default=0.0)
    ap.add_argument("--duration", type=float, default=120.0)
    args = ap.parse_args()
    listeners = []
    for port in args.port or [80]:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", port))
        ls.listen(128)
        ls.setblocking(False)
        listeners.append(ls)
        say("listening on %d keepalive %.3fs" % (port, args.keepalive))
    conns = {}
    deadline = T0 + args.duration
    while time.monotonic() < deadline:
        # timers first: a due stall, then expired keep-alive timers
        now = time.monotonic()
        for c in list(conns.values()):
            if c.stall_at is not None and now >= c.stall_at:
                c.stall_at = None
                say("stall %.3fs (port %d)" % (args.stall, c.peer))
                end = time.monotonic() + args.stall
                while time.monotonic() < end:
                    pass
                say("stall over")
        now = time.monotonic()
        for fd, c in list(conns.items()):
            if now - c.idle_since >= args.keepalive:
                say("keep-alive timeout, closing port %d" % c.peer)
                c.sock.close()
                del conns[fd]
        # then what is ready, waiting at most until the next timer
        wake = [c.idle_since + args.keepalive for c in conns.values()]
        wake += [c.stall_at for c in conns.values() if c.stall_at is not None]
        timeout = max(0.0, min(wake + [now + 1.0]) - time.monotonic())
        r, _, _ = select.select(listeners + [c.sock for c in conns.values()], [], [], timeout)
        for s in r:
            if s in listeners:
                try:
                    cs, (_, peer) = s.accept()
                except OSError:
                    continue
                cs.setblocking(False)
                conns[cs.fileno()] = Conn(cs, peer)
                continue
            c = conns.get(s.fileno())
            if c is None:
                continue
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if not d:
                say("peer closed port %d" % c.peer)
                del conns[s.fileno()]
                s.close()
                continue
            c.buf += d
            for path in requests(c):
                body = b"ok\n" if path == "/health" else b"hello from python\n"
                try:
                    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(body) + body)
                except OSError:
                    break
                say("response %s to port %d" % (path, c.peer))
                c.idle_since = time.monotonic()
                if args.stall > 0:
                    c.stall_at = c.idle_since + args.keepalive - args.stall_lead
    return 0


if __name__ == "__main__":
    sys.exit(main())
