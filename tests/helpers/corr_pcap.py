#!/usr/bin/env python3
"""Write two captures of the same drawn traffic, taken at two points of the
path (A nearest the client, B nearest the server), for analyze --correlate,
and the ground truth of every RST in them.

usage: corr_pcap.py --seed N --out DIR [--case mixed|disjoint]

Drawn per seed: the flows (ports, ISNs, sizes), the clock offset of B
against A (up to hours either way), the path delay and its jitter between
the points, the TTL decrement between them, and which of the cases appear:
  forged   a middlebox between A and B forges the server's RST (A only)
  genuine  the server's own RST (in both)
  nat      a NAT between A and B rewrites the client's address and port (and,
           in some seeds, its sequence numbers; or only a firewall shifts
           them); the flow ends with an RST
  open     a flow already open when both captures began (no handshake),
           NAT-mapped in some seeds, ended by a server RST
  lonely   a flow only one capture saw, with a refused SYN
and, with --case disjoint, two captures without a flow in common.

Writes DIR/a.pcap, DIR/b.pcap and DIR/truth.jsonl: one line per RST per
capture: {"file","frame","seen_in","absent_in","forged","case"} with file
the basename, seen_in/absent_in basenames, forged "forged", "not-forged"
or null (no expectation)."""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
from inet import csum  # noqa: E402

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def packet(src, dst, sport, dport, seq, ack, flags, payload, ttl, ipid):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 64240, 0, 0) + payload
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid & 0xFFFF, 0x4000, ttl, 6, 0,
                     ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


class Capture:
    def __init__(self, name):
        self.name = name
        self.pkts = []   # (ts_us, order, bytes, tag)

    def add(self, ts, data, tag=None):
        self.pkts.append((int(round(ts * 1e6)), len(self.pkts), data, tag))

    def write(self, path):
        self.pkts.sort(key=lambda p: (p[0], p[1]))
        frames = {}
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for n, (ts, _, data, tag) in enumerate(self.pkts, 1):
                f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(data), len(data)))
                f.write(data)
                if tag is not None:
                    frames[tag] = n
        return frames


class World:
    """The path: client - A - (TTL -hops, NAT, forger) - B - server."""

    def __init__(self, rnd, a, b):
        self.r = rnd
        self.a, self.b = a, b
        self.offset = rnd.uniform(-4 * 3600, 4 * 3600)   # B's clock minus A's
        self.delay = rnd.uniform(0.0002, 0.05)
        self.jitter = rnd.uniform(0, min(0.005, self.delay / 2))
        self.hops = rnd.randint(1, 5)                     # TTL decrement A -> B
        self.ipid = rnd.randint(0, 65535)
        self.rsts = []   # (tag, case, in_a, in_b, forged expectation)
        self.tags = 0

    def tag(self):
        self.tags += 1
        return self.tags

    def lag(self):
        return self.delay + self.r.uniform(0, self.jitter)


class Flow:
    def __init__(self, w, cli, srv, sport, at_a=True, at_b=True, nat=None, shift=0):
        r = w.r
        self.w, self.cli, self.srv, self.sport = w, cli, srv, sport
        self.cport = r.randint(20000, 65000)
        self.cseq, self.sseq = r.randint(0, 2**32 - 1), r.randint(0, 2**32 - 1)
        self.at_a, self.at_b = at_a, at_b
        self.nat = nat            # (address, port) the client has at B
        self.shift = shift        # added to the client's seq at B
        self.cttl = 64 - r.randint(0, 3)                  # at A
        self.sttl = r.choice([64, 128]) - r.randint(0, 3)  # at B
        self.cipid, self.sipid = r.randint(1, 60000), r.randint(1, 60000)

    def _b_client(self):
        return self.nat if self.nat else (self.cli, self.cport)

    def c2s(self, t, flags, data=b"", tag=None):
        """From the client at true time t (at A)."""
        w, ack = self.w, self.sseq if flags & ACK else 0
        self.cipid += 1
        if self.at_a:
            w.a.add(t, packet(self.cli, self.srv, self.cport, self.sport, self.cseq, ack, flags,
                              data, self.cttl, self.cipid), tag)
        if self.at_b:
            ba, bp = self._b_client()
            w.b.add(t + w.lag() + w.offset, packet(ba, self.srv, bp, self.sport,
                                                   self.cseq + self.shift, ack, flags, data,
                                                   self.cttl - w.hops, self.cipid), tag)
        self.cseq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def s2c(self, t, flags, data=b"", tag=None):
        """From the server at true time t (at B)."""
        w, ack = self.w, self.cseq if flags & ACK else 0
        self.sipid += 1
        if self.at_b:
            ba, bp = self._b_client()
            w.b.add(t + w.offset, packet(self.srv, ba, self.sport, bp, self.sseq,
                                         ack + self.shift if ack else 0, flags, data,
                                         self.sttl, self.sipid), tag)
        if self.at_a:
            w.a.add(t + w.lag(), packet(self.srv, self.cli, self.sport, self.cport, self.sseq,
                                        ack, flags, data, self.sttl - w.hops, self.sipid), tag)
        self.sseq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self, t):
        self.c2s(t, SYN)
        self.s2c(t + 0.001, SYN | ACK)
        self.c2s(t + 0.002, ACK)
        return t + 0.003

    def exchange(self, t, n=1):
        for _ in range(n):
            req = b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % self.w.r.randint(0, 9999)
            self.c2s(t, PSH | ACK, req)
            body = b"x" * self.w.r.randint(10, 900)
            self.s2c(t + 0.004, PSH | ACK,
                     b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            self.c2s(t + 0.006, ACK)
            t += self.w.r.uniform(0.05, 0.5)
        return t

    def close(self, t):
        self.c2s(t, FIN | ACK)
        self.s2c(t + 0.001, FIN | ACK)
        self.c2s(t + 0.002, ACK)

    def rst(self, from_server, t, case, forged=None):
        tg = self.w.tag()
        (self.s2c if from_server else self.c2s)(t, RST | ACK, b"", tg)
        self.w.rsts.append((tg, case, self.at_a, self.at_b, forged))


def mixed(w, cases):
    r = w.r
    srv, sport = "10.1.%d.%d" % (r.randint(0, 9), r.randint(2, 250)), r.choice([80, 443, 8080, 5432])
    cli = lambda: "10.2.%d.%d" % (r.randint(0, 9), r.randint(2, 250))  # noqa: E731
    t = 0.0
    for _ in range(r.randint(2, 5)):           # plain flows, for the clocks
        f = Flow(w, cli(), srv, sport)
        f.close(f.exchange(f.handshake(t), r.randint(1, 3)))
        t += r.uniform(0.01, 0.3)
    tail = Flow(w, cli(), srv, sport)             # lasts past every event
    tt = tail.exchange(tail.handshake(t), 2)
    if "forged" in cases:
        f = Flow(w, cli(), srv, sport)
        te = f.exchange(f.handshake(t + 0.05), 1) + r.uniform(1.5, 4)
        # the client's request after a silence dies in the middlebox, which
        # answers it with an RST in the server's name (never reaching B)
        req = b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n"
        f.at_b = False
        f.c2s(te, PSH | ACK, req)
        tg = w.tag()
        ttl = 64 - r.randint(0, w.hops - 1)
        w.a.add(te + r.uniform(0.0001, w.delay / 2 + 0.0002),
                packet(f.srv, f.cli, f.sport, f.cport, f.sseq, f.cseq, RST | ACK, b"", ttl, 0), tg)
        w.rsts.append((tg, "forged", True, False, "forged"))
        f.at_b = True
        t = max(t, te)
    if "genuine" in cases:
        f = Flow(w, cli(), srv, sport)
        te = f.exchange(f.handshake(t + 0.1), r.randint(1, 2))
        f.c2s(te, PSH | ACK, b"POST /upload HTTP/1.1\r\nContent-Length: 99999\r\n\r\n")
        f.rst(True, te + 0.003, "genuine", "not-forged")
        t = max(t, te)
    if "nat" in cases:
        # a NAT rewriting the client's address and port; in some seeds it (or,
        # without the NAT, a firewall alone) also shifts the client's sequence
        # numbers, and then the client's own RST must be found at its shifted seq
        mode = r.choice(["nat", "nat-shift", "shift"])
        shift = r.randint(1, 2**32 - 1) if mode != "nat" else 0
        nat = ("198.51.100.%d" % r.randint(1, 250), r.randint(1024, 65000)) if mode != "shift" else None
        f = Flow(w, cli(), srv, sport, nat=nat, shift=shift)
        te = f.exchange(f.handshake(t + 0.15), r.randint(1, 3))
        f.rst(not shift and r.random() < 0.5, te, mode, None)
        t = max(t, te)
    if "open" in cases:
        nat = ("198.51.100.%d" % r.randint(1, 250), r.randint(1024, 65000)) if r.random() < 0.5 else None
        f = Flow(w, cli(), srv, sport, nat=nat)
        te = f.exchange(t + 0.2, r.randint(3, 5))
        f.rst(True, te, "open-nat" if nat else "open", "not-forged")
        t = max(t, te)
    if "lonely" in cases:
        in_a = r.random() < 0.5
        other = "10.3.%d.%d" % (r.randint(0, 9), r.randint(2, 250))
        f = Flow(w, cli(), other, r.choice([22, 25, 3306]), at_a=in_a, at_b=not in_a)
        f.c2s(t + 0.25, SYN)
        f.sseq = 0
        f.rst(True, t + 0.2505, "lonely", None)
    tail.close(tail.exchange(max(tt, t) + 1.0, 1))


def disjoint(w):
    r = w.r
    for cap_a in (True, False):
        srv = "10.%d.0.%d" % (4 if cap_a else 5, r.randint(2, 250))
        for k in range(r.randint(2, 4)):
            f = Flow(w, "10.6.%d.%d" % (cap_a, r.randint(2, 250)), srv, 80, at_a=cap_a,
                     at_b=not cap_a)
            te = f.exchange(f.handshake(k * 0.3), 1)
            if k == 0:
                f.rst(True, te, "disjoint", None)
            else:
                f.close(te)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--case", choices=["mixed", "disjoint"], default="mixed")
    o = ap.parse_args()
    r = random.Random(o.seed)
    a, b = Capture("a.pcap"), Capture("b.pcap")
    w = World(r, a, b)
    base = 1.7e9 + r.uniform(0, 1e8)
    if o.case == "mixed":
        cases = {"forged", "genuine", "nat", "open", "lonely"}
        cases -= set(r.sample(sorted(cases - {"forged", "genuine"}), r.randint(0, 2)))
        mixed(w, cases)
    else:
        disjoint(w)
    for c in (a, b):   # to the epoch
        c.pkts = [(ts + int(base * 1e6), n, d, tg) for ts, n, d, tg in c.pkts]
    fa = a.write(os.path.join(o.out, "a.pcap"))
    fb = b.write(os.path.join(o.out, "b.pcap"))
    with open(os.path.join(o.out, "truth.jsonl"), "w") as t:
        for tg, case, in_a, in_b, forged in w.rsts:
            seen = [n for n, x in (("a.pcap", in_a), ("b.pcap", in_b)) if x]
            # a capture that lacks it covered its flow only in the forged case
            absent = ["b.pcap"] if case == "forged" else []
            if case == "disjoint":
                seen = []
            for name, frames in (("a.pcap", fa), ("b.pcap", fb)):
                if tg in frames:
                    t.write(json.dumps({"file": name, "frame": frames[tg], "seen_in": seen,
                                        "absent_in": absent, "forged": forged,
                                        "case": case}) + "\n")
    with open(os.path.join(o.out, "meta.json"), "w") as m:
        json.dump({"seed": o.seed, "case": o.case, "offset": w.offset, "delay": w.delay,
                   "jitter": w.jitter, "hops": w.hops,
                   "cases": sorted({c for _, c, _, _, _ in w.rsts})}, m)
        m.write("\n")
    sys.stderr.write("corr_pcap: seed %d: offset %.3f s, delay %.2f ms, jitter %.2f ms, "
                     "%d hops\n" % (o.seed, w.offset, w.delay * 1e3, w.jitter * 1e3, w.hops))
    return 0


if __name__ == "__main__":
    sys.exit(main())
