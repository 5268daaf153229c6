#!/usr/bin/env python3
"""html_check.py PAGE DOM JSONL [--pick CAP:FRAME] [--explain FILE]: check an
analyze --html page against the JSON Lines of analyze --json on the same
captures, and the DOM that headless Chromium dumped after loading it.

PAGE    the report as written: self-contained (the only scripts are its own
        two, the script's hash is in its CSP, no URL outside the data, no
        src, no href but #anchors), its data block aggregates the RSTs.
DOM     chromium --dump-dom of it: per capture as many time series and cause
        bars as the JSON summary has causes, a gap bar per filled bin, a
        timeout mark per estimated timeout, table rows up to a page, forged
        hop dots when the data has forged RSTs, the chosen flow's ladder.
--pick  CAP:FRAME was asked for in the URL (#cap=..&frame=..): its ladder
        must be the one drawn, the frame marked.
--explain FILE  analyze --explain FRAME's text for that frame: every frame of
        the ladder must be one explain drew for the flow.
Prints one line per capture; exit 1 on the first list of failures."""
import base64
import hashlib
import json
import re
import sys

PAGE_ROWS = 1000
NS = "http://www.w3.org/2000/svg"


def fail(msgs):
    for m in msgs:
        print("FAIL: " + m)
    sys.exit(1)


def chosen(cap, pick):
    if pick is not None:
        for i, r in enumerate(cap["rows"]):
            if r[0] == pick:
                return i
    for c in cap["causes"]:
        for ri in c["rows"]:
            if cap["rows"][ri][15] >= 0:
                return ri
    for i, r in enumerate(cap["rows"]):
        if r[15] >= 0:
            return i
    return 0 if cap["rows"] else -1


def main(argv):
    args, pick, explain = [], None, None
    i = 1
    while i < len(argv):
        if argv[i] == "--pick":
            pick = tuple(int(x) for x in argv[i + 1].split(":"))
            i += 2
        elif argv[i] == "--explain":
            explain = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    page_path, dom_path, jsonl = args
    page = open(page_path, "rb").read().decode("latin-1")
    dom = open(dom_path, "rb").read().decode("utf-8", "replace")
    errs = []

    # self-contained
    m = re.search(r'<script type="application/json" id="rstscope-data">(.*?)</script>', page, re.S)
    if not m:
        fail(["no data block"])
    data = json.loads(m.group(1))
    rest = page[:m.start()] + page[m.end():]
    if page.count("<script") != 2 or page.count("</script") != 2:
        errs.append("%d <script and %d </script, want the page's own 2" %
                    (page.count("<script"), page.count("</script")))
    sm = re.search(r"<script>(.*)</script>", rest, re.S)
    h = "sha256-" + base64.b64encode(hashlib.sha256(sm.group(1).encode("latin-1")).digest()).decode()
    if ("script-src '%s'" % h) not in page:
        errs.append("the CSP does not carry the script's hash " + h)
    for u in re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}[^\s'\"]*", rest.replace(NS, "")):
        errs.append("a URL outside the data: " + u)
    for a in re.findall(r"\b(src|href|action|srcset)\s*=\s*['\"]?([^'\" >]*)", rest, re.I):
        if not a[1].startswith("#"):
            errs.append("an attribute that would load: %s=%s" % a)
    for bad in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "@import", "url("):
        if bad in rest:
            errs.append("the page uses " + bad)
    mr = re.search(r'data-ready-ms="([0-9.]+)"', dom)
    if not mr:
        errs.append("the page's script did not finish (no data-ready-ms)")

    # the data against analyze --json
    summ, idle = [], {}
    for line in open(jsonl):
        o = json.loads(line)
        if o.get("type") == "summary":
            summ.append(o)
        elif o.get("type") == "rst" and o.get("idle_gap_s") is not None:
            idle[o["file"]] = idle.get(o["file"], 0) + 1
    caps = data["captures"]
    if len(caps) != len(summ):
        fail(errs + ["%d captures in the page, %d summaries" % (len(caps), len(summ))])
    names = data["names"]["cause"]
    secs = re.split(r'<section class="capture" id="cap\d+" data-capture="\d+">', dom)[1:]
    if len(secs) != len(caps):
        errs.append("%d capture sections drawn, want %d" % (len(secs), len(caps)))
        secs += [""] * len(caps)
    for ci, (cap, s, sec) in enumerate(zip(caps, summ, secs)):
        want = [c["id"] for c in s["causes"]]
        got = [names[c["id"]] for c in cap["causes"]]
        tag = "capture %d (%s)" % (ci, cap["file"])
        if cap["file"] != s["file"] or cap["resets"] != s["resets"] or got != want:
            errs.append("%s: page has %s %d resets %s, analyze --json %s %d %s" %
                        (tag, cap["file"], cap["resets"], got, s["file"], s["resets"], want))
        n = len(cap["rows"])
        tsum = sum(sum(x[1]) for x in cap["time"]["series"])
        hsum = sum(x["n"] for x in cap["hops"]["senders"]) + cap["hops"]["other_rsts"]
        gsum = sum(cap["gaps"]["counts"])
        if not (n == tsum == hsum == s["resets"]):
            errs.append("%s: rows %d, time buckets %d, senders %d, resets %d" % (tag, n, tsum, hsum, s["resets"]))
        if gsum != idle.get(cap["file"], 0):
            errs.append("%s: gap bins hold %d, %d RSTs have an idle gap" % (tag, gsum, idle.get(cap["file"], 0)))
        ri = chosen(cap, pick[1] if pick and pick[0] == ci else None)
        # the table shows the page that holds the chosen RST (rows in capture order)
        first = (ri // PAGE_ROWS) * PAGE_ROWS if ri >= 0 else 0
        counts = {
            "time series": (sec.count('<g class="series"'), len(want)),
            "cause bars": (sec.count('class="cause-bar"'), len(want)),
            "gap bars": (sec.count('class="gap-bar"'), sum(1 for x in cap["gaps"]["counts"] if x)),
            "timeout marks": (sec.count('class="timeout-mark"'), len(s["idle_timeouts"]) if gsum else 0),
            "table rows": (sec.count("<tr data-row="), min(n - first, PAGE_ROWS)),
        }
        forged_dots = sum(c[2] for x in cap["hops"]["senders"] for c in x["cells"])
        if forged_dots and 'class="hop-dot forged"' not in sec:
            errs.append("%s: %d forged RSTs among the senders drawn, no forged dot" % (tag, forged_dots))
        lad = cap["rows"][ri][15] if ri >= 0 else -1
        npk = len(cap["ladders"][lad]["pk"]) if lad >= 0 else 0
        counts["ladder packets"] = (sec.count('<g class="ladder-pkt'), npk)
        for k, (g, w) in counts.items():
            if g != w:
                errs.append("%s: %d %s drawn, want %d" % (tag, g, k, w))
        fr = cap["rows"][ri][0] if ri >= 0 else None
        if lad >= 0 and not re.search(r'<g class="ladder-pkt[^"]* sel" data-frame="%d"' % fr, sec):
            errs.append("%s: the ladder does not mark frame %d" % (tag, fr))
        if pick and pick[0] == ci and explain:
            ex = set(int(x) for x in re.findall(r"^\s*[0-9.]+ (\d+) ", open(explain).read(), re.M))
            lf = [p[1] for p in cap["ladders"][lad]["pk"]] if lad >= 0 else []
            if not lf or not set(lf) <= ex or fr not in lf:
                errs.append("%s: ladder frames %s are not the flow's (explain: %d frames)" %
                            (tag, sorted(set(lf) - ex)[:10], len(ex)))
        print("%s: %d resets, %d causes, %d rows drawn, ladder of frame %s with %d packets" %
              (tag, s["resets"], len(want), counts["table rows"][0], fr, npk))
    if errs:
        fail(errs)
    print("ready-ms %s" % (mr.group(1) if mr else "?"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
