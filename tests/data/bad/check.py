#!/usr/bin/env python3
"""check.py OUT.jsonl [checks] - assertions on `rstscope analyze --json` output.

  --file NAME       consider only lines whose "file" is NAME (or ends in /NAME)
  --rst F,F,...     the "rst" lines are exactly these frame numbers ("" for none)
  --summary         a "summary" line is present
  --stat KEY=N      the summary's stats counter KEY is N (KEY is found anywhere in
                    "stats": an exact key first, else a key ending in _KEY)
  --stat-sum K1+K2=N  the counters K1 and K2 add up to N
Prints what failed and exits 1; exits 0 when every check holds.
"""
import argparse
import json
import sys


def fail(msg):
    print("check: " + msg)
    sys.exit(1)


def counters(obj, key, path="stats"):
    """(path, value) of integer members of obj named key or ending in _key."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = path + "." + k
            if isinstance(v, int) and not isinstance(v, bool) and (k == key or k.endswith("_" + key)):
                found.append((p, k == key, v))
            found += counters(v, key, p)
    return found


def stat(summary, key):
    st = summary.get("stats")
    if not isinstance(st, dict):
        fail("the summary has no \"stats\" object: %s" % json.dumps(summary)[:300])
    c = counters(st, key)
    exact = [x for x in c if x[1]]
    pick = exact or c
    if not pick:
        fail("the summary's stats have no counter named %r: %s" % (key, json.dumps(st)[:400]))
    vals = set(v for _, _, v in pick)
    if len(vals) > 1:
        fail("ambiguous counter %r in stats: %s" % (key, ", ".join("%s=%d" % (p, v) for p, _, v in pick)))
    return pick[0][2], pick[0][0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--file")
    p.add_argument("--rst")
    p.add_argument("--summary", action="store_true")
    p.add_argument("--stat", action="append", default=[])
    p.add_argument("--stat-sum", action="append", default=[])
    a = p.parse_args()

    rows = []
    with open(a.out, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError:
                fail("line %d of the output is not JSON: %r" % (n, line[:200]))

    def mine(r):
        if a.file is None:
            return True
        name = r.get("file")
        return isinstance(name, str) and (name == a.file or name.endswith("/" + a.file))

    rows = [r for r in rows if mine(r)]
    rsts = [r for r in rows if r.get("type") == "rst"]
    sums = [r for r in rows if r.get("type") == "summary"]
    what = " for file %r" % a.file if a.file else ""
    if a.rst is not None:
        want = sorted(int(x) for x in a.rst.split(",") if x)
        got = sorted(r.get("frame") for r in rsts)
        if got != want:
            fail("rst frames%s: expected %s, got %s" % (what, want, got))
    if (a.summary or a.stat or a.stat_sum) and not sums:
        fail("no summary line%s" % what)
    for s in a.stat:
        k, _, n = s.partition("=")
        v, path = stat(sums[-1], k)
        if v != int(n):
            fail("%s is %d, expected %s" % (path, v, n))
    for s in a.stat_sum:
        ks, _, n = s.partition("=")
        tot = 0
        for k in ks.split("+"):
            tot += stat(sums[-1], k)[0]
        if tot != int(n):
            fail("%s adds up to %d, expected %s" % (ks, tot, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
