#!/usr/bin/env python3
"""man_help.py MANDIR HELPDIR COMPDIR COMMAND...: keep each command's --help
and its man page's source (MANDIR/rstscope-COMMAND.1.scd) from drifting.
HELPDIR/COMMAND holds `rstscope COMMAND --help`; COMPDIR/COMMAND what the
bash completion offers after `rstscope COMMAND -`.
  - every option of --help (the terms of its option lines, before EXAMPLES)
    is a term of the page's OPTIONS section, and every term there is in
    --help (ALLOW below: documented ahead of the code, reported);
  - every option of --help is completed;
  - the page has every section, and every exit code --help names is in its
    EXIT STATUS;
  - rstscope.1 names every command and its page.
Prints the problems; exit 1 when there is one."""
import os
import re
import sys

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT",
            "FILES", "EXAMPLES", "SEE ALSO"]
# options a page documents before the command's --help lists them (none)
ALLOW = set()
OPT = re.compile(r"(?<![\w/-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w-])")


def help_opts(text):
    text = text.split("\nEXAMPLES")[0]
    out = set()
    for line in text.splitlines():
        if re.match(r"^\s+-", line):
            term = re.split(r"\s{2,}", line.strip())[0]
            out |= set(OPT.findall(term))
    return out


def exit_codes(text):
    m = re.search(r"^(?:exit|Exit status|Exit):(.*?)(?:\n\n|\Z)", text, re.S | re.M)
    return set(re.findall(r"(?:^|[:,]) ?([0-5]) [a-z(]", m.group(1))) if m else set()


def sections(page):
    return {m.group(1) for m in re.finditer(r"^# (.+)$", page, re.M)}


def section(page, name):
    m = re.search(r"^# " + name + r"\n(.*?)(?=^# |\Z)", page, re.S | re.M)
    return m.group(1) if m else ""


def man_opts(page):
    out = set()
    for line in section(page, "OPTIONS").splitlines():
        if line.startswith("*-"):
            out |= set(re.findall(r"\*(--[a-z][a-z0-9-]*|-[A-Za-z])\*", line))
    return out


def main():
    mandir, helpdir, compdir, cmds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    bad, notes = [], []
    top = open(os.path.join(mandir, "rstscope.1.scd")).read()
    for c in cmds:
        path = os.path.join(mandir, f"rstscope-{c}.1.scd")
        if not os.path.exists(path):
            bad.append(f"{c}: no page {path}")
            continue
        page = open(path).read()
        if f"*rstscope-{c}*(1)" not in top or f"*{c}*" not in top:
            bad.append(f"rstscope.1 does not name {c} and its page")
        missing = [s for s in SECTIONS if s not in sections(page)]
        if missing:
            bad.append(f"{c}: the page lacks {', '.join(missing)}")
        h = open(os.path.join(helpdir, c)).read()
        ho, mo = help_opts(h), man_opts(page)
        comp = set(open(os.path.join(compdir, c)).read().split())
        for o in sorted(ho - mo):
            bad.append(f"{c}: {o} is in --help, not in the page's OPTIONS")
        for o in sorted(mo - ho):
            if (c, o) in ALLOW:
                notes.append(f"{c}: {o} is documented ahead of --help (allowed)")
            else:
                bad.append(f"{c}: {o} is in the page's OPTIONS, not in --help")
        for (ac, ao) in ALLOW:
            if ac == c and ao in ho:
                notes.append(f"{c}: {ao} is in --help now: drop it from ALLOW")
        for o in sorted(ho - comp):
            bad.append(f"{c}: {o} is not completed")
        codes = set(re.findall(r"^\*([0-9])\*$", section(page, "EXIT STATUS"), re.M))
        for e in sorted(exit_codes(h) - codes):
            bad.append(f"{c}: exit status {e} of --help is not in the page's EXIT STATUS")
        print(f"{c}: {len(ho)} options in --help, {len(mo)} in the page, exit codes "
              f"{','.join(sorted(exit_codes(h))) or '-'}")
    for n in notes:
        print("note: " + n)
    for b in bad:
        print("FAIL: " + b)
    sys.exit(1 if bad else 0)


main()
