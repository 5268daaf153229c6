#!/usr/bin/env python3
"""Clients of the metrics endpoint, good and hostile, for tests/t/62x.

  metrics_client.py slowloris PORT CONNS SECONDS SEED
      hold CONNS connections sending half a request, one more byte now and
      then (0.3-1.5 s apart), reconnecting each one the server closes
      0.05-0.3 s later; prints what happened
  metrics_client.py scrapes PORT N
      N sequential scrapes, each checked as a whole valid exposition;
      prints the slowest
  metrics_client.py hostile PORT SEED
      garbage, oversize request lines and heads, methods, paths, versions,
      pipelined and half-closed requests, a request byte by byte, a slow
      head past its deadline, idle connections past the cap; exit 1 with
      the first wrong answer
Every loop is bounded in count and time."""
import random
import re
import selectors
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
SERIES = re.compile(rb'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*",?)*\})? '
                    rb'[-+]?([0-9.]+([eE][-+]?[0-9]+)?|NaN|Inf)$')
COMMENT = re.compile(rb'^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* '
                     rb'(counter|gauge|histogram|summary|untyped))$')


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def exchange(port, data, timeout=4.0, shut=False, pause=0.0, chunk=0):
    """Send data (whole, or chunk bytes at a time with pause), read to EOF.
    Returns (answer bytes, how it ended: 'eof', 'reset' or 'timeout')."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    end = "eof"
    got = b""
    try:
        if chunk:
            for i in range(0, len(data), chunk):
                s.sendall(data[i:i + chunk])
                time.sleep(pause)
        else:
            s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            b = s.recv(65536)
            if not b:
                break
            got += b
        else:
            end = "timeout"
    except ConnectionResetError:
        end = "reset"
    except BrokenPipeError:
        end = "reset"
    except socket.timeout:
        end = "timeout"
    finally:
        s.close()
    return got, end


def status(ans):
    m = re.match(rb'^HTTP/1\.[01] ([0-9]{3}) ', ans)
    return int(m.group(1)) if m else None


def check_exposition(ans, what):
    head, sep, body = ans.partition(b"\r\n\r\n")
    if not sep or status(ans) != 200:
        fail("%s: not a 200 answer: %r" % (what, ans[:200]))
    m = re.search(rb'\r\nContent-Length: ([0-9]+)\r\n', head + b"\r\n")
    if not m or int(m.group(1)) != len(body):
        fail("%s: Content-Length %r for a body of %d bytes" % (what, m and m.group(1), len(body)))
    if b"version=0.0.4" not in head:
        fail("%s: no exposition content type: %r" % (what, head))
    if not body.endswith(b"\n"):
        fail("%s: body does not end in a newline" % what)
    n = 0
    for line in body.split(b"\n")[:-1]:
        if not (COMMENT.match(line) or SERIES.match(line)):
            fail("%s: not an exposition line: %r" % (what, line))
        n += not line.startswith(b"#")
    if b'\nrstscope_source_up{source="capture"} 1\n' not in body or n < 5:
        fail("%s: the counters are not all there (%d series)" % (what, n))


def slowloris(port, conns, seconds, seed):
    rnd = random.Random(seed)
    sel = selectors.DefaultSelector()
    socks = {}        # socket -> next send time
    stats = {"connects": 0, "closed_by_server": 0, "bytes": 0, "connect_fail": 0}
    part = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "

    def connect():
        try:
            s = socket.create_connection((HOST, port), timeout=1)
            s.setblocking(False)
            s.send(part[:rnd.randint(1, len(part))])
        except OSError:
            stats["connect_fail"] += 1
            reopen.append(time.monotonic() + 0.1)
            return
        stats["connects"] += 1
        socks[s] = time.monotonic() + rnd.uniform(0.3, 1.5)
        sel.register(s, selectors.EVENT_READ)

    reopen = []       # times to reconnect at

    def close(s):
        sel.unregister(s)
        del socks[s]
        s.close()
        reopen.append(time.monotonic() + rnd.uniform(0.05, 0.3))

    end = time.monotonic() + seconds
    opening = time.monotonic() + 5
    while len(socks) < conns and time.monotonic() < opening:
        connect()
    print("slowloris: %d connections open" % len(socks), flush=True)
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.05):
            try:
                if key.fileobj.recv(4096):
                    continue
            except OSError:
                pass
            stats["closed_by_server"] += 1
            close(key.fileobj)
        now = time.monotonic()
        for s, t in list(socks.items()):
            if t <= now:
                try:
                    s.send(b"a")
                    stats["bytes"] += 1
                    socks[s] = now + rnd.uniform(0.3, 1.5)
                except OSError:
                    stats["closed_by_server"] += 1
                    close(s)
        reopen.sort()
        while reopen and reopen[0] <= now and len(socks) < conns:
            reopen.pop(0)
            connect()
    for s in list(socks):
        close(s)
    print("slowloris: %(connects)d connects, %(closed_by_server)d closed by the server, "
          "%(bytes)d bytes dribbled, %(connect_fail)d failed connects" % stats)


def scrapes(port, n):
    worst = 0.0
    t0 = time.monotonic()
    for i in range(n):
        t = time.monotonic()
        ans, end = exchange(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n")
        dt = time.monotonic() - t
        worst = max(worst, dt)
        if end != "eof":
            fail("scrape %d: ended by %s" % (i + 1, end))
        check_exposition(ans, "scrape %d" % (i + 1))
    print("scrapes: %d valid expositions in %.1f s, slowest %.1f ms"
          % (n, time.monotonic() - t0, worst * 1000))


def expect(port, data, want, what, **kw):
    t = time.monotonic()
    ans, end = exchange(port, data, **kw)
    dt = time.monotonic() - t
    got = status(ans)
    if got != want:
        fail("%s: status %s (ended by %s), want %d: %r" % (what, got, end, want, ans[:120]))
    if end != "eof":
        fail("%s: ended by %s, want a clean close" % (what, end))
    return ans, dt


def hostile(port, seed):
    rnd = random.Random(seed)
    get = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    # methods, paths, versions
    for req, want in [
            (get, 200), (b"GET / HTTP/1.0\r\n\r\n", 200), (b"GET /metrics?x=1 HTTP/1.1\r\n\r\n", 200),
            (b"GET http://h:9/metrics HTTP/1.1\r\nHost: h\r\n\r\n", 200),
            (b"\r\nGET /metrics HTTP/1.0\n\n", 200),
            (b"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405),
            (b"DELETE / HTTP/1.1\r\n\r\n", 405), (b"OPTIONS /metrics HTTP/1.1\r\n\r\n", 405),
            (b"get /metrics HTTP/1.1\r\n\r\n", 405),
            (b"GET /nope HTTP/1.1\r\n\r\n", 404), (b"GET /metricsx HTTP/1.1\r\n\r\n", 404),
            (b"GET /metrics HTTP/2.0\r\n\r\n", 505), (b"GET /metrics\r\n\r\n", 400),
            (b"GET /metrics HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
            (b"GET /metrics HTTP/1.1\r\n folded\r\n\r\n", 400),
            (b"GET /me\x00trics HTTP/1.1\r\n\r\n", 400), (b"\x16\x03\x01\x02\x00\x01\x00", 400)]:
        ans, _ = expect(port, req, want, repr(req[:40]))
        if want == 405 and b"\r\nAllow: GET, HEAD\r\n" not in ans:
            fail("405 without Allow: %r" % ans)
    ans, _ = expect(port, b"HEAD /metrics HTTP/1.1\r\n\r\n", 200, "HEAD")
    if not ans.endswith(b"\r\n\r\n") or b"Content-Length: 0\r\n" in ans:
        fail("HEAD: %r" % ans)
    # oversize: a request line past 1 KiB, a head past 4 KiB; with or without an end
    n = rnd.randint(1100, 60000)
    expect(port, b"GET /" + b"a" * n + b" HTTP/1.1\r\n\r\n", 414, "a target of %d bytes" % n)
    expect(port, b"GET /" + b"a" * n, 414, "a target of %d bytes, unended" % n)
    n = rnd.randint(4200, 60000)
    expect(port, b"GET /metrics HTTP/1.1\r\nX-Big: " + b"b" * n + b"\r\n\r\n", 431,
           "a field of %d bytes" % n)
    expect(port, b"GET /metrics HTTP/1.1\r\n" + b"X: y\r\n" * (n // 6), 431,
           "%d fields, unended" % (n // 6))
    # pipelined: one answer, then a clean close; half-closed: still answered
    ans, _ = expect(port, get * 3, 200, "three pipelined requests")
    if ans.count(b"HTTP/1.0 ") != 1:
        fail("pipelined: %d answers, want 1" % ans.count(b"HTTP/1.0 "))
    check_exposition(ans, "pipelined")
    ans, _ = expect(port, get, 200, "half-closed after the request", shut=True)
    check_exposition(ans, "half-closed")
    ans, dt = expect(port, get, 200, "a request byte by byte", chunk=1, pause=0.02)
    check_exposition(ans, "byte by byte")
    # a head that takes longer than its deadline (3 s): closed, unanswered
    t = time.monotonic()
    ans, end = exchange(port, b"GET /metrics HTTP/1.1\r\n" + b"X: y\r\n" * 30, chunk=6, pause=0.2,
                        timeout=8)
    dt = time.monotonic() - t
    if ans or end == "timeout" or not 2.5 <= dt <= 7.0:
        fail("slow head: answered %r, ended by %s after %.1f s (want closed at ~3 s)"
             % (ans[:60], end, dt))
    # garbage: random bytes in parallel; each gets a 4xx/5xx or a close, never a hang
    errs = []

    def garbage(i):
        r = random.Random(seed * 1000 + i)
        data = bytes(r.randrange(256) for _ in range(r.randint(1, 6000)))
        t0 = time.monotonic()
        ans, end = exchange(port, data, timeout=6)
        st = status(ans)
        if (ans and (st is None or st < 400)) or end == "timeout" or time.monotonic() - t0 > 5:
            errs.append("garbage %d (%d bytes): %r, %s" % (i, len(data), ans[:60], end))
    for batch in range(4):
        th = [threading.Thread(target=garbage, args=(batch * 25 + i,)) for i in range(25)]
        for x in th:
            x.start()
        for x in th:
            x.join(10)
    if errs:
        fail(errs[0])
    # past the cap: 100 idle connections; the oldest are shed, a scrape is answered
    idle = [socket.create_connection((HOST, port), timeout=2) for _ in range(100)]
    time.sleep(0.3)
    ans, dt = expect(port, get, 200, "a scrape beside 100 idle connections")
    if dt > 1.0:
        fail("a scrape beside 100 idle connections took %.2f s" % dt)
    shed = 0
    for s in idle:
        s.settimeout(0.01)
        try:
            shed += s.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    if shed < 100 - 64:
        fail("only %d of 100 idle connections shed past a cap of 64" % shed)
    expect(port, get, 200, "a scrape after all that")
    print("hostile: every answer right; %d of 100 idle connections shed" % shed)


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "slowloris":
        slowloris(port, int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "scrapes":
        scrapes(port, int(sys.argv[3]))
    elif cmd == "hostile":
        hostile(port, int(sys.argv[3]))
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
