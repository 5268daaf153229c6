#!/usr/bin/env python3
"""Compare rstscope's JSON RST lines with tshark's list of RSTs (a TSV from
`tshark -T fields` with frame.number, time, ip/ipv6 src/dst, ports, ttl/hlim).
For tunnelled packets tshark lists outer,inner: the inner (last) value is
the TCP connection's. Exit 0 when the sets are equal, 1 otherwise."""
import json
import sys


def tshark_rsts(path):
    out = {}
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            if not line.strip():
                continue
            row = dict(zip(head, line.rstrip("\n").split("\t")))
            last = lambda k: row.get(k, "").split(",")[-1]
            src = last("ip.src") or last("ipv6.src")
            dst = last("ip.dst") or last("ipv6.dst")
            ttl = last("ip.ttl") or last("ipv6.hlim")
            frame = int(row["frame.number"])
            out[frame] = (src, int(last("tcp.srcport")), dst, int(last("tcp.dstport")), int(ttl))
    return out


def rstscope_rsts(path):
    out = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") != "rst":
                continue
            if o["frame"] in out:
                print("duplicate frame %d in rstscope output" % o["frame"])
                sys.exit(1)
            out[o["frame"]] = (o["src"], o["sport"], o["dst"], o["dport"], o["ttl"])
    return out


def main():
    want, got = tshark_rsts(sys.argv[1]), rstscope_rsts(sys.argv[2])
    ok = True
    for fr in sorted(set(want) | set(got)):
        if want.get(fr) != got.get(fr):
            print("frame %d: tshark %s, rstscope %s" % (fr, want.get(fr), got.get(fr)))
            ok = False
    print("%d RSTs in tshark's list, %d reported%s" % (len(want), len(got), "" if ok else " (MISMATCH)"))
    sys.exit(0 if ok else 1)


main()
