#!/usr/bin/env python3
"""accuracy.py - score `rstscope analyze --json` output against gen_pcap.py's truth file.

USAGE
  python3 bench/accuracy.py TRUTH.jsonl RSTSCOPE.jsonl [--min-pct 95] [--file NAME] [--quiet]

  TRUTH.jsonl     the generator's --truth sidecar: one line per RST frame written
  RSTSCOPE.jsonl  rstscope's JSON Lines ("type":"rst" lines are scored, others ignored)
  --file NAME     score only "rst" lines whose "file" is NAME (several captures in one run)
  --min-pct P     the target for kind and forged accuracy (default 95)
  --quiet         print only the final RESULT line
  --no-wrong-forged  also require that no RST is judged forged for genuine or genuine
                  for forged, except the front-end class: a forged truth RST at its
                  peer's hop distance with another initial TTL, which rstscope calls a
                  front end answering for the host unless another tell agrees

Matching is by frame number. The expected verdict of a truth RST:
  kind    followup=true -> after-rst; else refused -> refused, after_fin -> after-fin,
          idle_forged, idle_server, mid_transfer, injected -> established
  forged  true -> forged, false -> genuine ("unknown" counts as wrong; counted apart)
A truth RST that rstscope did not report counts as wrong for both.

Prints totals, the RSTs missed and reported in excess, per-kind confusion tables and a
last line, for scripts:
  RESULT truth=N found=N missing=N extra=N kind_pct=P forged_pct=P forged_inflow_pct=P
         unknown=N forged_wrong=N forged_wrong_front_end=N met=yes|no
Exit status: 0 targets met (every RST found, kind and forged >= min-pct), 1 missed,
2 bad input.
"""
import argparse
import collections
import json
import sys

KIND_MAP = {"refused": "refused", "after_fin": "after-fin", "idle_forged": "established",
            "idle_server": "established", "mid_transfer": "established",
            "injected": "established"}
MISSING = "(missing)"


def expected(t):
    kind = "after-rst" if t.get("followup") else KIND_MAP.get(t["kind"], "?" + t["kind"])
    return kind, "forged" if t.get("forged") else "genuine"


def initial(ttl):
    return 32 if ttl <= 32 else 64 if ttl <= 64 else 128 if ttl <= 128 else 255


def front_end(t):
    """A forged truth RST at its peer's hop distance with another initial TTL and
    nothing else to tell it by: rstscope's rule calls that a front end answering
    for the host (genuine) unless another tell agrees; the generator does not
    model front ends. Counted apart."""
    rt, pt = t.get("rst_ttl"), t.get("peer_ttl")
    if not t.get("forged") or not isinstance(rt, int) or not isinstance(pt, int):
        return False
    return initial(rt) != initial(pt) and initial(rt) - rt == initial(pt) - pt


def senders_seen(path):
    """(src, sport, dst, dport, frame) of every IPv4/IPv6 TCP frame of a
    classic little- or big-endian Ethernet pcap (us or ns): what the capture
    shows each end of a flow send, read without rstscope."""
    import struct
    d = open(path, "rb").read()
    magic = d[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, frame = 24, 0
    while off + 16 <= len(d):
        cap = struct.unpack(e + "I", d[off + 8:off + 12])[0]
        pkt = d[off + 16:off + 16 + cap]
        off += 16 + cap
        frame += 1
        if len(pkt) < 14:
            continue
        et = struct.unpack("!H", pkt[12:14])[0]
        if et == 0x0800 and len(pkt) >= 34 and pkt[23] == 6:
            ihl = (pkt[14] & 15) * 4
            src, dst, tcp = pkt[26:30], pkt[30:34], 14 + ihl
        elif et == 0x86DD and len(pkt) >= 54 and pkt[20] == 6:
            src, dst, tcp = pkt[22:38], pkt[38:54], 54
        else:
            continue
        if len(pkt) < tcp + 4:
            continue
        sp, dp = struct.unpack("!HH", pkt[tcp:tcp + 4])
        yield src, sp, dst, dp, frame


def spoke_before(path, truth):
    """The truth frames whose RST's claimed sender sent another packet of
    that flow earlier in the capture (a flow already open when the capture
    began may show none)."""
    import ipaddress
    want = {}
    for f, t in truth.items():
        if "rst_src" not in t or "server" not in t:
            continue
        srv, cli = t["server"], t["client"]
        sp, cp = (t["sport"], t["cport"]) if t["rst_src"] == srv else (t["cport"], t["sport"])
        src = ipaddress.ip_address(t["rst_src"]).packed
        dst = ipaddress.ip_address(cli if t["rst_src"] == srv else srv).packed
        want.setdefault((src, int(sp), dst, int(cp)), []).append(f)
    first = {}
    for src, sp, dst, dp, frame in senders_seen(path):
        k = (src, sp, dst, dp)
        if k in want and k not in first:
            first[k] = frame
    return {f for k, fs in want.items() for f in fs if k in first and first[k] < f}


def truth_label(t):
    """The truth kind as the generator names it, with follow-ups apart."""
    return t["kind"] + ("+followup" if t.get("followup") else "")


def load_jsonl(path, what):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rows.append(json.loads(line))
                except ValueError as e:
                    sys.exit("accuracy: '%s' line %d: bad JSON in %s: %s" % (path, n, what, e))
    except OSError as e:
        sys.exit("accuracy: cannot read '%s': %s" % (path, e.strerror))
    return rows


def table(title, rows, cols, out):
    """Print a confusion table: rows x cols of counts (dict of dicts)."""
    if not rows:
        return
    w0 = max(len(title), max(len(r) for r in rows))
    ws = [max(len(c), 5) for c in cols]
    print("  %-*s  %s" % (w0, title, "  ".join("%*s" % (w, c) for w, c in zip(ws, cols))), file=out)
    for r in sorted(rows):
        print("  %-*s  %s" % (w0, r, "  ".join("%*d" % (w, rows[r].get(c, 0))
                                               for w, c in zip(ws, cols))), file=out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("truth")
    p.add_argument("result")
    p.add_argument("--file")
    p.add_argument("--min-pct", type=float, default=95.0)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--forged-scope", choices=("all", "in-flow"), default="all",
                   help="judge the forged target on all RSTs, or only on those whose claimed "
                        "sender sent other packets in its flow (all but refused): a refused "
                        "RST's sender has no in-flow baseline")
    p.add_argument("--pcap", help="with --forged-scope in-flow: the capture, so that "
                   "in-flow means the sender sent another packet of the flow earlier in it "
                   "(else: every RST but the refused ones)")
    p.add_argument("--no-wrong-forged", action="store_true",
                   help="a target too: no RST judged forged for genuine or genuine for forged "
                        "(unknown aside), except the front-end class (below)")
    a = p.parse_args()
    out = sys.stdout

    truth = {}
    for t in load_jsonl(a.truth, "truth"):
        if "frame" not in t or "kind" not in t:
            sys.exit("accuracy: '%s': a truth line lacks frame or kind" % a.truth)
        truth[int(t["frame"])] = t
    got = {}
    dup = 0
    for r in load_jsonl(a.result, "rstscope output"):
        if r.get("type") != "rst":
            continue
        if a.file is not None and r.get("file") != a.file:
            continue
        f = r.get("frame")
        if not isinstance(f, int):
            sys.exit("accuracy: '%s': an rst line has no integer frame" % a.result)
        if f in got:
            dup += 1
        got[f] = r

    spoke = spoke_before(a.pcap, truth) if a.pcap else None
    n = len(truth)
    missing = sorted(f for f in truth if f not in got)
    extra = sorted(f for f in got if f not in truth)
    kind_ok = forged_ok = unknown = 0
    wrong, wrong_fe = [], 0
    inflow_n = inflow_ok = 0
    kind_conf = collections.defaultdict(collections.Counter)    # expected kind -> got kind
    forged_conf = collections.defaultdict(collections.Counter)  # expected forged -> got
    by_truth = collections.defaultdict(collections.Counter)     # truth label -> outcome counts
    kinds_seen, forged_seen = set(), set()
    for f, t in truth.items():
        ek, ef = expected(t)
        r = got.get(f)
        gk = r.get("kind", "(none)") if r else MISSING
        gf = r.get("forged", "(none)") if r else MISSING
        kinds_seen.add(gk)
        forged_seen.add(gf)
        kind_conf[ek][gk] += 1
        forged_conf[ef][gf] += 1
        lab = truth_label(t)
        by_truth[lab]["n"] += 1
        if gk == ek:
            kind_ok += 1
            by_truth[lab]["kind ok"] += 1
        if gf == ef:
            forged_ok += 1
            by_truth[lab]["forged ok"] += 1
        if (f in spoke) if spoke is not None else t.get("kind") != "refused":
            inflow_n += 1
            inflow_ok += gf == ef
        if gf in ("forged", "genuine") and gf != ef:
            wrong.append((f, t, r))
            wrong_fe += front_end(t)
        if gf == "unknown":
            unknown += 1
            by_truth[lab]["unknown"] += 1
        if r is None:
            by_truth[lab]["missing"] += 1

    def pct(k):
        return 100.0 * k / n if n else 100.0

    kp, fp = pct(kind_ok), pct(forged_ok)
    ip = 100.0 * inflow_ok / inflow_n if inflow_n else 100.0
    met = n > 0 and not missing and kp >= a.min_pct and \
        (ip if a.forged_scope == "in-flow" else fp) >= a.min_pct and \
        (not a.no_wrong_forged or len(wrong) == wrong_fe)
    if not a.quiet:
        print("truth RSTs %d, reported by rstscope %d (matched %d, missing %d, extra %d%s)"
              % (n, len(got), n - len(missing), len(missing), len(extra),
                 ", %d duplicate frame numbers" % dup if dup else ""), file=out)
        if missing:
            print("  missing frames: %s%s" % (" ".join(map(str, missing[:20])),
                                            " ..." if len(missing) > 20 else ""), file=out)
        if extra:
            print("  extra frames (not RSTs in truth): %s%s"
                  % (" ".join(map(str, extra[:20])), " ..." if len(extra) > 20 else ""), file=out)
        print("kind   right %d/%d = %.2f%%" % (kind_ok, n, kp), file=out)
        print("forged right %d/%d = %.2f%% (unknown: %d)" % (forged_ok, n, fp, unknown), file=out)
        print("forged right where the sender spoke in its flow (%s) %d/%d = %.2f%%"
              % ("a packet of it earlier in the capture" if a.pcap else "all but refused",
                 inflow_ok, inflow_n, ip), file=out)
        kcols = sorted(kinds_seen | set(kind_conf))
        print("forged wrong (forged for genuine or genuine for forged) %d, of them %d in the "
              "front-end class" % (len(wrong), wrong_fe), file=out)
        for f, t, r in wrong[:10]:
            print("  frame %d: truth %s %s, got %s: %s" % (f, t["kind"], "forged" if t.get("forged")
                  else "genuine", r.get("forged"), r.get("forged_evidence", "")[:120]), file=out)
        print("kind confusion (rows: expected, columns: rstscope):", file=out)
        table("expected", kind_conf, kcols, out)
        fcols = sorted(forged_seen | set(forged_conf))
        print("forged confusion (rows: expected, columns: rstscope):", file=out)
        table("expected", forged_conf, fcols, out)
        print("by generator kind:", file=out)
        table("truth kind", by_truth, ["n", "kind ok", "forged ok", "unknown", "missing"], out)
    print("RESULT truth=%d found=%d missing=%d extra=%d kind_pct=%.2f forged_pct=%.2f "
          "forged_inflow_pct=%.2f unknown=%d forged_wrong=%d forged_wrong_front_end=%d met=%s"
          % (n, n - len(missing), len(missing), len(extra), kp, fp, ip, unknown, len(wrong),
             wrong_fe, "yes" if met else "no"), file=out)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
