#!/usr/bin/env python3
"""bigframes.py SEED OUT.pcap: a capture whose frames are large, as a host
capturing with GRO/TSO records them (segments of up to 64 KiB, or more when
the snap length allows, up to libpcap's 256 KiB): HTTP exchanges on many
flows, each request and response its own turn, some flows reset mid-answer,
after their FIN or refused, interleaved, drawn from SEED (frame sizes, how
many flows, how many exchanges, IPv4 or IPv6, jumbo records past the IP
length). Some tens of megabytes: many windows of a mapped file (a frame of
an old window is read again by the detectors only when its turn comes)."""
import random
import struct
import sys


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    r = random.Random(seed)
    nflows = r.randrange(4, 60)
    big = r.choice([1400, 9000, 32768, 65000, 200000])   # the largest payload drawn
    target = r.randrange(20, 60) << 20                      # bytes of capture, about
    snap = 262144
    t = [1_700_000_000.0 + r.randrange(10000)]
    frames = []
    size = [0]

    def v4(a):
        return bytes(int(x) for x in a.split("."))

    def v6(a):
        import ipaddress
        return ipaddress.IPv6Address(a).packed

    def pkt(f, fwd, flags, payload=b"", ttl=None):
        src, dst = (f["c"], f["s"]) if fwd else (f["s"], f["c"])
        sp, dp = (f["cp"], f["sp"]) if fwd else (f["sp"], f["cp"])
        seq = f["cs"] if fwd else f["ss"]
        ack = f["ss"] if fwd else f["cs"]
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50,
                          flags, 65535, 0, 0) + payload
        ttl = ttl or (64 if fwd else 57)
        if f["v6"]:
            plen = len(tcp) if len(tcp) < 65536 else 0
            ip = struct.pack("!IHBB16s16s", 6 << 28, plen, 6, ttl, v6(src), v6(dst))
            eth = b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd"
        else:
            tot = 20 + len(tcp) if 20 + len(tcp) < 65536 else 0
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, r.randrange(65536), 0x4000,
                             ttl, 6, 0, v4(src), v4(dst))
            eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
        d = eth + ip + tcp
        if fwd:
            f["cs"] += len(payload) + (1 if flags & 0x03 else 0)
        else:
            f["ss"] += len(payload) + (1 if flags & 0x03 else 0)
        t[0] += r.choice([0.00001, 0.0002, 0.003])
        frames.append((t[0], d[:snap], len(d)))
        size[0] += 16 + min(len(d), snap)

    flows = []
    for i in range(nflows):
        six = r.random() < 0.3
        flows.append({
            "v6": six,
            "c": ("2001:db8::%x" % (i + 1)) if six else "10.1.%d.%d" % (i // 250, i % 250 + 1),
            "s": "2001:db8:1::1" if six else "192.0.2.%d" % r.randrange(1, 255),
            "cp": 30000 + i, "sp": r.choice([80, 8080, 3000]),
            "cs": r.randrange(1 << 32), "ss": r.randrange(1 << 32),
            "end": r.choice(["fin", "rst-mid", "rst-after-fin", "keep", "refused"]),
            "open": False, "left": r.randrange(1, 40),
        })
    live = list(flows)
    while live and size[0] < target:
        f = r.choice(live)
        if not f["open"]:
            pkt(f, True, 0x02)
            if f["end"] == "refused":
                pkt(f, False, 0x14)
                live.remove(f)
                continue
            pkt(f, False, 0x12)
            pkt(f, True, 0x10)
            f["open"] = True
            continue
        req = b"GET /obj/%d HTTP/1.1\r\nHost: example\r\n\r\n" % r.randrange(1 << 20)
        pkt(f, True, 0x18, req)
        body = r.randrange(1, big + 1)
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % body
        data = head + bytes((j * 7 + seed) & 0xFF for j in range(min(body, 4096)))
        data += b"x" * (body - min(body, 4096))
        while data:
            n = r.randrange(1, big + 1)
            part, data = data[:n], data[n:]
            if f["end"] == "rst-mid" and f["left"] == 1 and r.random() < 0.3:
                pkt(f, False, 0x14)
                live.remove(f)
                break
            pkt(f, False, 0x18 if not data else 0x10, part)
        else:
            pkt(f, True, 0x10)
            f["left"] -= 1
            if f["left"] <= 0:
                if f["end"] in ("fin", "rst-after-fin"):
                    pkt(f, True, 0x11)
                    pkt(f, False, 0x11)
                    if f["end"] == "rst-after-fin":
                        pkt(f, True, 0x04)
                    else:
                        pkt(f, True, 0x10)
                    live.remove(f)
                elif f["end"] != "keep":
                    pkt(f, False, 0x14)
                    live.remove(f)
                else:
                    f["left"] = r.randrange(1, 40)
    with open(out, "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, 1))
        for ts, d, wire in frames:
            sec = int(ts)
            o.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(d), wire))
            o.write(d)


if __name__ == "__main__":
    main()
