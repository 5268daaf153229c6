#!/usr/bin/env python3
"""pcapng_compare.py IN.tsv OUT.tsv RST.jsonl [--ifaces] [--shb OUT.pcapng TEXT]

Checks an annotated copy written by `rstscope analyze --write-pcapng`
against its input, both listed by tshark -T fields with the columns
  frame.number frame.time_epoch frame.len frame.cap_len frame.protocols
  frame.md5_hash frame.encap_type frame.interface_name
  frame.interface_description tcp.flags.reset frame.comment
(comments joined by the aggregator \\x1e):
  - the same frames: number, time to the tick, lengths, protocols, bytes
    (md5), link type; with --ifaces also the interface's name and
    description (pcapng inputs);
  - every comment of the input kept; one "rstscope: " comment on exactly
    the frames rstscope reported (RST.jsonl, analyze --json), with their
    cause and kind; those frames are the ones tshark sees an RST on;
  - with --shb: the output's section header comment is TEXT's content
    (analyze -q --no-color on the same input);
  - with --blocks IN.pcapng OUT.pcapng: the name resolution and
    decryption secrets blocks of the input are in the output, their
    records, secrets and options the same, in the same order.
Prints the problems (at most 20) and exits 1 when there is one."""
import json
import struct
import sys

AGG = "\x1e"


def rows(path):
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        f += [""] * (11 - len(f))
        out.append(f)
    return out


def shb_comment(path):
    d = open(path, "rb").read()
    t, n = struct.unpack("<II", d[:8])
    assert t == 0x0A0D0D0A and d[8:12] == struct.pack("<I", 0x1A2B3C4D), "SHB"
    off, text = 24, []
    while off + 4 <= n - 4:
        code, ln = struct.unpack("<HH", d[off:off + 4])
        if code == 0:
            break
        if code == 1:
            text.append(d[off + 4:off + 4 + ln].decode())
        off += 4 + ln + (-ln) % 4
    return "".join(text)


def blocks(path):
    """(type, content) of the NRB and DSB blocks, whatever the byte order."""
    d, off, e, out = open(path, "rb").read(), 0, "<", []
    while off + 12 <= len(d):
        t = struct.unpack("<I", d[off:off + 4])[0]
        if t == 0x0A0D0D0A:
            e = "<" if d[off + 8:off + 12] == struct.pack("<I", 0x1A2B3C4D) else ">"
        n = struct.unpack(e + "I", d[off + 4:off + 8])[0]
        b = d[off + 8:off + n - 4]
        t = struct.unpack(e + "I", d[off:off + 4])[0]
        p = 0

        def opts(p):
            r = []
            while p + 4 <= len(b):
                c, ln = struct.unpack(e + "HH", b[p:p + 4])
                if c == 0:
                    break
                r.append((c, b[p + 4:p + 4 + ln]))
                p += 4 + ln + (-ln) % 4
            return r
        if t == 4:
            recs = []
            while True:
                rt, rl = struct.unpack(e + "HH", b[p:p + 4])
                p += 4 + rl + (-rl) % 4
                if rt == 0:
                    break
                recs.append((rt, b[p - rl - (-rl) % 4:p - (-rl) % 4]))
            out.append((4, recs, opts(p)))
        elif t == 10:
            st, sl = struct.unpack(e + "II", b[:8])
            out.append((10, st, b[8:8 + sl], opts(8 + sl + (-sl) % 4)))
        off += n
    return out


def main():
    a = sys.argv[1:]
    ifaces = "--ifaces" in a
    inp, out, rsts = rows(a[0]), rows(a[1]), {}
    for line in open(a[2]):
        o = json.loads(line)
        if o.get("type") == "rst" and o.get("frame"):
            rsts[o["frame"]] = o
    bad = []
    if len(inp) != len(out):
        bad.append(f"{len(inp)} frames in, {len(out)} out")
    ncols = 9 if ifaces else 7
    for i, (x, y) in enumerate(zip(inp, out), 1):
        if x[:ncols] != y[:ncols]:
            bad.append(f"frame {i} differs:\n  in  {x[:ncols]}\n  out {y[:ncols]}")
            continue
        cin = [c for c in x[10].split(AGG) if c]
        cout = [c for c in y[10].split(AGG) if c]
        ours = [c for c in cout if c.startswith("rstscope: ")]
        theirs = [c for c in cout if not c.startswith("rstscope: ")]
        if theirs != cin:
            bad.append(f"frame {i}: input comments {cin} became {theirs}")
        tshark_rst = "1" in x[9].split(",")
        if i in rsts:
            r = rsts[i]
            want = f"rstscope: cause={r['cause']} kind={r['kind']} "
            if len(ours) != 1 or not ours[0].startswith(want):
                bad.append(f"frame {i}: want one comment starting '{want}', got {ours}")
            if not tshark_rst:
                bad.append(f"frame {i}: rstscope reported an RST tshark does not see")
        elif ours:
            bad.append(f"frame {i}: a comment on a frame with no verdict: {ours}")
        elif tshark_rst:
            bad.append(f"frame {i}: tshark sees an RST with no verdict comment")
    if "--shb" in a:
        k = a.index("--shb")
        got, want = shb_comment(a[k + 1]), open(a[k + 2]).read()
        if got != want:
            bad.append(f"section comment differs from the text report:\n{got!r}\n{want!r}")
    if "--blocks" in a:
        k = a.index("--blocks")
        bi, bo = blocks(a[k + 1]), blocks(a[k + 2])
        if not bi or bi != bo:
            bad.append(f"other blocks differ:\n  in  {bi}\n  out {bo}")
    for b in bad[:20]:
        print(b)
    sys.exit(1 if bad else 0)


main()
