#!/usr/bin/python3
"""appserver: a small HTTP/1.1 application server for the lab scenarios a
stock server cannot produce on demand. It behaves like a slow app server:
a thread per connection, but at most --workers requests processed at once;
a request waits *unread* in the kernel until a worker is free (so a crash
or a restart leaves unread data behind, as real ones do).

options:
  --port N          listen port (80)
  --backlog N       listen backlog (128)
  --workers N       requests processed at once (4)
  --delay S         processing time per request (0)
  --no-accept       listen but never accept (a stuck accept loop)
  --max-body N      answer 413 to a larger Content-Length and close at once,
                    the body unread
  --alloc-mb N      each request keeps N MiB more (a leak), before reading
                    the body
Stops on SIGTERM at once, without draining: the point of restart-no-drain.
"""
import argparse
import select
import socket
import sys
import threading
import time

LEAK = []


def read_head(conn):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = conn.recv(4096)
        if not d:
            return None, b""
        buf += d
        if len(buf) > 65536:
            return None, b""
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def content_length(head):
    for ln in head.split("\r\n")[1:]:
        k, _, v = ln.partition(":")
        if k.strip().lower() == "content-length":
            return int(v.strip())
    return 0


def serve(conn, args, sem):
    conn.settimeout(30)
    try:
        while True:
            r, _, _ = select.select([conn], [], [], 30)
            if not r:
                break
            with sem:
                # the head is read only when a worker is free
                head, rest = read_head(conn)
                if head is None:
                    break
                if args.alloc_mb:
                    LEAK.append(bytearray(args.alloc_mb << 20))
                    for i in range(0, len(LEAK[-1]), 4096):
                        LEAK[-1][i] = 1
                if args.max_body is not None and content_length(head) > args.max_body:
                    # refuse early, as app frameworks do, with the body unread
                    if args.delay:
                        time.sleep(args.delay)
                    msg = b"request body too large\n"
                    conn.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: %d\r\n"
                                 b"Connection: close\r\n\r\n" % len(msg) + msg)
                    break
                need = content_length(head) - len(rest)
                while need > 0:
                    d = conn.recv(min(need, 65536))
                    if not d:
                        return
                    need -= len(d)
                if args.delay:
                    time.sleep(args.delay)
                body = b"ok\n"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                             b"Content-Type: text/plain\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--backlog", type=int, default=128)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--no-accept", action="store_true")
    ap.add_argument("--alloc-mb", type=int, default=0)
    ap.add_argument("--max-body", type=int, default=None)
    args = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", args.port))
    ls.listen(args.backlog)
    print("appserver: listening on %d backlog %d" % (args.port, args.backlog), flush=True)
    if args.no_accept:
        time.sleep(120)
        return 0
    sem = threading.BoundedSemaphore(args.workers)
    deadline = time.monotonic() + 120
    ls.settimeout(1)
    while time.monotonic() < deadline:
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, args, sem), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
