#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check.py EXPECTED.json NAME REPORT.json EXIT: one line per expected item
of trace NAME, "ok<TAB>description" or "not ok<TAB>description<TAB>why",
judging pttrace analyze --json's report (REPORT.json, its exit status EXIT)
against tests/catalog/expected.json.  Exits 0 whatever it finds."""

import json
import sys

SEVERITY = ["info", "low", "medium", "high", "critical"]


def rank(sev):
    return SEVERITY.index(sev) if sev in SEVERITY else len(SEVERITY)


def brief(f):
    return "[%s %s/%s] %s" % (f.get("severity"), f.get("class"), f.get("detector"), (f.get("title") or "")[:110])


def registers(f):
    regs = [f.get("register")] + [e.get("register") for e in f.get("evidence") or []]
    return [r for r in regs if r]


def main():
    expected, name, report, status = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    exp = json.load(open(expected))["traces"][name]
    lines = []

    def item(good, desc, why=""):
        lines.append("%s\t%s: %s%s" % ("ok" if good else "not ok", name, desc, "\t" + why if not good else ""))

    try:
        rep = json.load(open(report))
    except (OSError, ValueError) as e:
        rep = None
        why = "no JSON report (exit %d): %s" % (status, e)
    findings = (rep or {}).get("findings") or []
    crash = (rep or {}).get("crash") or {}
    first = findings[0] if findings else {}
    kind = exp["kind"]

    def need(desc, test, whyfn):
        if rep is None:
            item(False, desc, why)
        else:
            good = test()
            item(good, desc, "" if good else whyfn())

    if kind == "healthy":
        item(status == 0, "pttrace analyze exits 0 (nothing above info)", "exit %d" % status)
        above = [f for f in findings if rank(f.get("severity")) > 0]
        need("no finding with severity above info", lambda: not above,
             lambda: "; ".join(brief(f) for f in above[:3]))
        need("crash.kind is 'no crash signal (end of trace)'",
             lambda: crash.get("kind") == "no crash signal (end of trace)",
             lambda: "crash.kind %r" % crash.get("kind"))
    else:
        if kind == "crash":
            item(status == 1, "pttrace analyze exits 1 (findings)", "exit %d" % status)
        need("crash.kind is %r" % exp["crash_kind"], lambda: crash.get("kind") == exp["crash_kind"],
             lambda: "crash.kind %r" % crash.get("kind"))
        if "bugcheck" in exp:
            bc = crash.get("bugcheck") or {}
            need("the bugcheck is %s" % exp["bugcheck"], lambda: bc.get("name") == exp["bugcheck"],
                 lambda: "bugcheck %r" % bc)
    if "bars_known" in exp:
        need("bars_known is %s" % str(exp["bars_known"]).lower(),
             lambda: rep.get("bars_known") is exp["bars_known"],
             lambda: "bars_known %r" % rep.get("bars_known"))
    if kind == "crash":
        cause = exp.get("cause", "")
        need("findings[0].class is %r (%s)" % (exp["class"], cause),
             lambda: first.get("class") == exp["class"],
             lambda: "findings[0]: %s" % (brief(first) if first else "none"))
        if "device" in exp:
            need("findings[0].device is %s" % exp["device"], lambda: first.get("device") == exp["device"],
                 lambda: "findings[0].device %r: %s" % (first.get("device"), brief(first) if first else "none"))
        if "register" in exp:
            need("findings[0] names %s (its register or an evidence register)" % " or ".join(exp["register"]),
                 lambda: any(r in registers(first) for r in exp["register"]),
                 lambda: "findings[0] registers %s" % (registers(first) or "none"))
    if kind == "humble":
        loud = [f for f in findings if rank(f.get("severity")) > 1 and
                any(r.startswith(("BAR", "config+")) for r in registers(f))]
        need("no finding above low names a BAR or config register (BARs unknown)", lambda: not loud,
             lambda: "; ".join(brief(f) for f in loud[:3]))
    print("\n".join(lines))


main()
