#!/usr/bin/env python3
"""Provoke kernel-sent TCP resets of known reasons on a local address.

usage: watch_provoke.py [--host ADDR] CASE...
cases:
  noport   connect to a closed port            (NO_SOCKET)
  unread   server closes with unread data      (TCP_ABORT_ON_CLOSE, the server's pid)
  linger0  server closes with SO_LINGER 0      (TCP_STATE)
  linger2  server closes with TCP_LINGER2 -1   (TCP_ABORT_ON_LINGER)
  twdata   data after the server closed        (TCP_TIMEWAIT_SOCKET, sent in softirq:
           the pid on the CPU is the client; the owner is the closed server)
Prints one JSON line per case: the 4-tuple of the reset (sender first), and
the pid and name of the process that closed. Every wait is bounded.
"""
import ctypes
import json
import os
import socket
import struct
import sys
import time

TIMEOUT = 3.0
TCP_LINGER2 = 8
PR_SET_NAME = 15


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def closed_port(host):
    """A port nothing listens on: bind, note it, close (never listened)."""
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def case_noport(host):
    port = closed_port(host)
    c = socket.socket(family(host), socket.SOCK_STREAM)
    c.settimeout(TIMEOUT)
    try:
        c.connect((host, port))
        raise SystemExit("noport: connect to a closed port succeeded")
    except ConnectionRefusedError:
        pass
    cport = c.getsockname()[1]
    c.close()
    return {"case": "noport", "src": host, "sport": port, "dst": host,
            "dport": cport, "pid": -1, "comm": ""}


def server_child(lsock, how, comm, wpipe):
    """In a child: accept one connection, wait for the client's bytes, then
    close it the way `how` says. Reports its pid through wpipe."""
    set_comm(comm)
    # tracefs prints the name it saved at the task's last context switch:
    # switch once so that it knows the new one
    time.sleep(0.01)
    lsock.settimeout(TIMEOUT)
    conn, _ = lsock.accept()
    os.write(wpipe, b"a")
    if how == "twdata":
        conn.close()  # a clean close (FIN): nothing was unread
        os.write(wpipe, b"c")
        time.sleep(0.5)  # a server lives on after closing one connection
        os._exit(0)
    deadline = time.monotonic() + TIMEOUT
    # wait until the client's data is queued (unread) on our socket
    while time.monotonic() < deadline:
        n = struct.unpack("i", __import__("fcntl").ioctl(
            conn.fileno(), 0x541B, b"\0\0\0\0"))[0]  # FIONREAD
        if n > 0:
            break
        time.sleep(0.005)
    if how == "linger0":
        conn.recv(65536)  # read it: the RST must come from the linger option
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif how == "linger2":
        # close() in FIN_WAIT2 with TCP_LINGER2 < 0 aborts at once
        conn.recv(65536)
        conn.setsockopt(socket.IPPROTO_TCP, TCP_LINGER2, -1)
        conn.shutdown(socket.SHUT_WR)
        time.sleep(0.05)  # the client's ACK of our FIN: FIN_WAIT2
    conn.close()
    time.sleep(0.5)  # a server lives on after closing one connection
    os._exit(0)


def case_server(host, how, comm):
    ls = socket.socket(family(host), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, 0))
    ls.listen(4)
    sport = ls.getsockname()[1]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            server_child(ls, how, comm, w)
        finally:
            os._exit(1)
    os.close(w)
    ls.close()
    c = socket.socket(family(host), socket.SOCK_STREAM)
    c.settimeout(TIMEOUT)
    c.connect((host, sport))
    cport = c.getsockname()[1]
    os.read(r, 1)
    if how == "twdata":
        os.read(r, 1)
        time.sleep(0.1)  # the server's FIN is in; its socket is a time-wait one
        try:
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
    else:
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _, status = os.waitpid(pid, 0)
    try:
        c.recv(100)
    except OSError:
        pass
    c.close()
    os.close(r)
    if status != 0:
        raise SystemExit("%s: server child failed (%d)" % (how, status))
    return {"case": how, "src": host, "sport": sport, "dst": host,
            "dport": cport, "pid": pid, "comm": comm}


def main(argv):
    host = "127.0.0.1"
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--host":
        host = args[1]
        args = args[2:]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    for case in args:
        if case == "noport":
            out = case_noport(host)
        elif case in ("unread", "linger0", "linger2", "twdata"):
            out = case_server(host, case, "rs-" + case)
        else:
            sys.stderr.write("watch_provoke: unknown case '%s'\n" % case)
            return 2
        out["wall_ns"] = time.time_ns()
        print(json.dumps(out), flush=True)
        time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
