#!/usr/bin/env python3
"""mkseeds_inputs.py - the seeds of fuzz_pcapfile, fuzz_httpreq and fuzz_options.

  python3 fuzz/seeds/mkseeds_inputs.py    (from the repository root; needs ../shared/corpus)

fuzz_pcapfile: corpus captures cut to their first records, written in the
four classic magics (both byte orders, micro- and nanoseconds), one with a
small snap length, one cut inside a record, a header alone (the pcapng
seed is fuzz_pcapng's mixed-links.pcapng). fuzz_httpreq: what Prometheus
and curl send, and requests the server refuses. fuzz_options: the --help
examples, the first byte picking the parser (0 proxy, 1 watch, 2 host,
3 analyze, 4 util), NUL bytes between the arguments. The /proc and cgroup
seeds of fuzz_host are files read on a host, cut small."""
import os
import struct

S = os.path.dirname(os.path.abspath(__file__))
C = os.path.join(S, "../../../shared/corpus/")


def records(path, n):
    d = open(path, "rb").read()
    m = struct.unpack("<I", d[:4])[0]
    e = "<" if m in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    hdr = struct.unpack(e + "IHHiIII", d[:24])
    off, out = 24, []
    while off + 16 <= len(d) and len(out) < n:
        sec, frac, cap, ln = struct.unpack(e + "IIII", d[off:off + 16])
        out.append((sec, frac, cap, ln, d[off + 16:off + 16 + cap]))
        off += 16 + cap
    return hdr, out, m in (0xA1B23C4D, 0x4D3CB2A1)


def write(name, hdr, recs, srcnsec, e, nsec, snap=None):
    b = struct.pack(e + "IHHiIII", 0xA1B23C4D if nsec else 0xA1B2C3D4, 2, 4, 0, 0, snap or hdr[5], hdr[6])
    for sec, frac, cap, ln, data in recs:
        f = frac * 1000 if nsec and not srcnsec else frac // 1000 if srcnsec and not nsec else frac
        b += struct.pack(e + "IIII", sec, f, cap, ln) + data
    open(os.path.join(S, "fuzz_pcapfile", name), "wb").write(b)
    return b


for d in ("fuzz_pcapfile", "fuzz_httpreq", "fuzz_options"):
    os.makedirs(os.path.join(S, d), exist_ok=True)
h, r, ns = records(C + "zeek/tcp-syn-then-rst.pcap", 4)
le = write("syn-rst-le-usec.pcap", h, r, ns, "<", False)
write("syn-rst-be-usec.pcap", h, r, ns, ">", False)
write("syn-rst-le-nsec.pcap", h, r, ns, "<", True)
write("syn-rst-be-nsec.pcap", h, r, ns, ">", True)
h, r, ns = records(C + "suricata-verify/bug-6244-tcp-rst-with-data.pcap", 6)
write("rst-with-data-le.pcap", h, r, ns, "<", False)
h, r, ns = records(C + "zeek/tcp-truncated-header.pcap", 3)
write("truncated-header-be-nsec.pcap", h, r, ns, ">", True, snap=64)
open(os.path.join(S, "fuzz_pcapfile/cut-record.pcap"), "wb").write(le[:24 + 16 + 20])
open(os.path.join(S, "fuzz_pcapfile/header-only.pcap"), "wb").write(le[:24])

reqs = {
    "prometheus": b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9717\r\nUser-Agent: Prometheus/2.45.0\r\n"
                  b"Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                  b"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
                  b"Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n",
    "curl": b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9717\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
    "head-root-1.0": b"HEAD / HTTP/1.0\r\n\r\n",
    "absolute-form": b"GET http://127.0.0.1:9717/metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "post": b"POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    "lf-only": b"\nGET /metrics HTTP/1.0\nHost: x\n\n",
    "version-2": b"GET /metrics HTTP/2.0\r\n\r\n",
}
for k, v in reqs.items():
    open(os.path.join(S, "fuzz_httpreq", k), "wb").write(v)

cmds = [
    (0, ["--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:80", "--reset-after-bytes", "1000000",
         "--direction", "down"]),
    (0, ["--listen", "[::1]:5433", "--upstream", "[::1]:5432", "--idle-timeout", "30"]),
    (0, ["--listen", "127.0.0.1:6380", "--upstream", "127.0.0.1:6379", "--idle-timeout", "60",
         "--idle-action", "silent", "--silent-max", "600"]),
    (1, ["-i", "eth0", "--duration", "60"]),
    (1, ["-f", "port 443", "--metrics", "127.0.0.1:9717", "-Z", "nobody"]),
    (1, ["--no-capture", "--json", "--window", "0.5", "--horizon", "2", "-s", "128"]),
    (2, ["--interval", "5", "--count", "12", "--json"]),
    (2, ["--netns", "blue", "--metrics", "127.0.0.1:9754", "-Z", "nobody", "--max-procs", "500"]),
    (3, ["--json", "-f", "tcp", "--idle-min", "30", "--cluster-window", "2", "--max-flows", "65536", "a.pcap"]),
    (3, ["--correlate", "--write-pcapng", "out/", "a.pcap", "b.pcap"]),
    (4, ["60", "1.5", "[2001:db8::7]:6379", "10.0.0.5:5432", "18446744073709551616"]),
]
names = ["proxy", "watch", "host", "analyze", "util"]
for i, (w, args) in enumerate(cmds):
    open(os.path.join(S, "fuzz_options", "%s-%d" % (names[w], i)), "wb").write(
        bytes([w]) + b"\0".join(a.encode() for a in args))
