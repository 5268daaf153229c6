#!/usr/bin/env python3
"""Test peers for 'rstscope proxy': upstream servers and clients that report
exactly what the socket API showed them. Loopback only; every wait bounded.

  server --port-file F [--host H] [--mode echo|source] [--bytes N] [--log F]
      echo: send back what arrives; on EOF shut down writing, then close.
      source: send N bytes (a fixed 1 MB pattern, repeated), then close;
      input discarded.
      abort: echo the first read, then close with an RST (SO_LINGER 0).
      --log appends one line per connection: "received=X sent=Y end=eof|reset|..."
      Exits after --lifetime seconds (default 60).
  echo-check --addr H:P --bytes N
      send N pseudo-random bytes while reading the echo, half-close, read to
      EOF, compare. Prints "ok bytes=N" or "mismatch ..." (exit 1).
  probe --addr H:P [--send N] [--after S --send-after N] [--abort-after S]
        [--timeout T]
      send N bytes (default 5), read until EOF, reset or T seconds; with
      --after, send more bytes S seconds after the connect; with
      --abort-after, close with an RST (SO_LINGER 0) S seconds after it.
      Prints "outcome=reset|eof|timeout|refused|epipe|aborted received=X
      elapsed=S".
  conns --addr H:P --count K [--close-each]
      open K connections one after another; each sends "hello" and waits up
      to 1 s for its echo. Prints one word per connection (ok, reset, eof,
      timeout, refused), separated by spaces. Without --close-each all stay
      open until every one is tried.
"""
import argparse
import errno
import os
import random
import select
import socket
import struct
import sys
import threading
import time


def split_addr(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    return host, int(port)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def connect(addr, timeout=2.0):
    host, port = split_addr(addr)
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def pattern(n, seed=1):
    return random.Random(seed).randbytes(n)


def err_word(e):
    if isinstance(e, ConnectionResetError) or getattr(e, "errno", None) == errno.ECONNRESET:
        return "reset"
    if isinstance(e, BrokenPipeError) or getattr(e, "errno", None) == errno.EPIPE:
        return "epipe"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "timeout"
    return "error:%s" % e


# ---------------------------------------------------------------- servers

def serve_conn(conn, args, logf, lock):
    received = sent = 0
    end = "eof"
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.settimeout(args.lifetime)
    try:
        if args.mode == "source":
            block = memoryview(pattern(min(args.bytes, 1 << 20), 2))
            conn.setblocking(True)
            while sent < args.bytes:
                off = sent % len(block)
                sent += conn.send(block[off:off + min(len(block) - off, args.bytes - sent)])
            conn.shutdown(socket.SHUT_WR)
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                received += len(b)
        elif args.mode == "abort":
            b = conn.recv(65536)
            received += len(b)
            conn.sendall(b)
            sent += len(b)
            time.sleep(0.1)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            end = "aborted"
        else:
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                received += len(b)
                conn.sendall(b)
                sent += len(b)
            conn.shutdown(socket.SHUT_WR)
    except OSError as e:
        end = err_word(e)
        if e.errno == errno.ENOTCONN:
            # torn down under us (shutdown after an RST): the pending error says how
            pending = conn.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            end = err_word(OSError(pending, os.strerror(pending))) if pending else "notconn"
    finally:
        conn.close()
    if logf:
        with lock, open(logf, "a") as f:
            f.write("received=%d sent=%d end=%s\n" % (received, sent, end))


def cmd_server(args):
    fam = family_of(args.host)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, 0))
    ls.listen(0 if args.backlog_only else 128)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, args.port_file)
    lock = threading.Lock()
    deadline = time.monotonic() + args.lifetime
    if args.backlog_only:
        time.sleep(args.lifetime)
        return 0
    while time.monotonic() < deadline:
        r, _, _ = select.select([ls], [], [], 0.5)
        if not r:
            continue
        conn, _ = ls.accept()
        threading.Thread(target=serve_conn, args=(conn, args, args.log, lock), daemon=True).start()
    return 0


# ---------------------------------------------------------------- clients

def cmd_echo_check(args):
    data = pattern(args.bytes)
    s = connect(args.addr)
    s.settimeout(args.timeout)
    err = []

    def writer():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    got = bytearray()
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except OSError as e:
        print("error after %d bytes: %s" % (len(got), err_word(e)))
        return 1
    t.join(args.timeout)
    s.close()
    if err or bytes(got) != data:
        first = next((i for i in range(min(len(got), len(data))) if got[i] != data[i]), None)
        print("mismatch sent=%d received=%d first_diff=%s err=%s" % (len(data), len(got), first, err))
        return 1
    print("ok bytes=%d" % len(got))
    return 0


def cmd_probe(args):
    t0 = time.monotonic()
    try:
        s = connect(args.addr)
    except OSError as e:
        print("outcome=%s received=0 elapsed=%.3f" % (err_word(e), time.monotonic() - t0))
        return 0
    s.setblocking(False)
    received = 0
    outcome = "timeout"
    pending = pattern(args.send) if args.send else b""
    later = pattern(args.send_after, 3) if args.after is not None else b""
    deadline = t0 + args.timeout
    if args.abort_after is not None:
        deadline = min(deadline, t0 + args.abort_after)
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if args.after is not None and later is not None and now - t0 >= args.after:
                pending += later
                later = None
            wlist = [s] if pending else []
            wake = deadline
            if args.after is not None and later is not None:
                wake = min(wake, t0 + args.after)
            r, w, _ = select.select([s], wlist, [], max(0.0, wake - now))
            if w:
                n = s.send(pending)
                pending = pending[n:]
            if r:
                b = s.recv(65536)
                if not b:
                    outcome = "eof"
                    break
                received += len(b)
    except OSError as e:
        outcome = err_word(e)
    if args.abort_after is not None and outcome == "timeout":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        outcome = "aborted"
    s.close()
    print("outcome=%s received=%d elapsed=%.3f" % (outcome, received, time.monotonic() - t0))
    return 0


def one_conn(addr):
    try:
        s = connect(addr)
    except OSError as e:
        return err_word(e), None
    s.settimeout(1.0)
    try:
        s.sendall(b"hello")
        got = b""
        while len(got) < 5:
            b = s.recv(5 - len(got))
            if not b:
                return "eof", s
            got += b
        return ("ok" if got == b"hello" else "garbled"), s
    except OSError as e:
        return err_word(e), s


def cmd_conns(args):
    words, socks = [], []
    for _ in range(args.count):
        w, s = one_conn(args.addr)
        words.append(w)
        if s is not None:
            if args.close_each:
                s.close()
            else:
                socks.append(s)
    print(" ".join(words))
    for s in socks:
        s.close()
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("server")
    p.add_argument("--port-file", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mode", choices=["echo", "source", "abort"], default="echo")
    p.add_argument("--bytes", type=int, default=4 << 20)
    p.add_argument("--log")
    p.add_argument("--backlog-only", action="store_true",
                   help="listen with backlog 0 and never accept (SYNs beyond it are dropped)")
    p.add_argument("--lifetime", type=float, default=60.0)
    p = sub.add_parser("echo-check")
    p.add_argument("--addr", required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--timeout", type=float, default=10.0)
    p = sub.add_parser("probe")
    p.add_argument("--addr", required=True)
    p.add_argument("--send", type=int, default=5)
    p.add_argument("--after", type=float)
    p.add_argument("--send-after", type=int, default=5)
    p.add_argument("--abort-after", type=float)
    p.add_argument("--timeout", type=float, default=3.0)
    p = sub.add_parser("conns")
    p.add_argument("--addr", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--close-each", action="store_true")
    args = ap.parse_args()
    return {"server": cmd_server, "echo-check": cmd_echo_check, "probe": cmd_probe,
            "conns": cmd_conns}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
