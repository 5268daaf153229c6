#!/usr/bin/python3
"""hostserver: the lab's servers for the host-* scenarios, each holding one
host resource under pressure until it is stopped (SIGTERM) or --max-s runs
out.

usage: hostserver.py MODE --port N [--backlog N] [--max-s S] [--send BYTES]
modes:
  hold       accept every connection and keep it open, never reading
  closewait  the same, so the peers' FINs leave them in CLOSE_WAIT (never
             closed: the leak)
  fdhog      listen, then open sockets until socket() fails with EMFILE
             (the process's RLIMIT_NOFILE, set by the caller: ulimit -n);
             accept then fails too and connections wait in the queue
  orphan     accept, write --send bytes the peer never reads (non-blocking:
             what fits), then close: the socket lives on as an orphan with
             unsent data (FIN_WAIT1)
Prints one line per event to stdout.
"""
import argparse
import errno
import signal
import socket
import sys
import time


def say(*a):
    print(*a, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["hold", "closewait", "fdhog", "orphan"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--backlog", type=int, default=128)
    ap.add_argument("--max-s", type=float, default=30.0)
    ap.add_argument("--send", type=int, default=262144)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", a.port))
    ls.listen(a.backlog)
    ls.settimeout(0.2)
    say("listening on %d backlog %d mode %s" % (a.port, a.backlog, a.mode))
    keep = []
    end = time.monotonic() + a.max_s
    if a.mode == "fdhog":
        n = 0
        while time.monotonic() < end and n < 1 << 20:
            try:
                keep.append(socket.socket())
                n += 1
            except OSError as e:
                say("socket() failed after %d sockets: %s" % (n, errno.errorcode.get(e.errno, e.errno)))
                break
    accepted = closed = 0
    last_err = None
    while time.monotonic() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        except OSError as e:
            if e.errno != last_err:
                say("accept failed: %s" % errno.errorcode.get(e.errno, e.errno))
                last_err = e.errno
            time.sleep(0.1)
            continue
        accepted += 1
        if a.mode == "orphan":
            c.setblocking(False)
            sent = 0
            chunk = b"x" * 65536
            while sent < a.send:
                try:
                    sent += c.send(chunk[: a.send - sent])
                except BlockingIOError:
                    break
            c.close()
            closed += 1
            say("conn %d: %d bytes queued, closed" % (accepted, sent))
        else:
            keep.append(c)
            say("conn %d held" % accepted)
    say("done: %d accepted, %d closed" % (accepted, closed))


if __name__ == "__main__":
    main()
