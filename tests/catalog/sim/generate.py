"""The generators' command line (mkcatalog.py, mkholdout.py): a list of
traces, each (name, scenario function, its arguments), written into OUTDIR,
all of them or the ones named; --list prints the names."""

import os
import shutil
import sys
import tempfile

from .tracedat import load_formats, make_tracing_dir


def variants(name, fn, twin=True, afterboot=False):
    """A scenario's traces: NAME (the failure), NAME.twin (the same device
    and guest done right), NAME.afterboot (the failure recorded from the
    driver's steady state)."""
    traces = [(name, fn, dict(bad=True, boot=True))]
    if twin:
        traces.append((name + ".twin", fn, dict(bad=False, boot=True)))
    if afterboot:
        traces.append((name + ".afterboot", fn, dict(bad=True, boot=False)))
    return traces


def main(argv, traces, prog, usage, say_crash=False):
    """prog OUTDIR [NAME...] | --list; usage: what a call without arguments
    prints.  say_crash: each trace's line says whether the guest crashed."""
    if "--list" in argv:
        for name, _, _ in traces:
            print(name)
        return 0
    if not argv:
        print(usage.strip(), file=sys.stderr)
        return 2
    out, only = argv[0], set(argv[1:])
    tracefs = os.environ.get("TRACEFS", "/sys/kernel/tracing")
    if not os.path.isdir(os.path.join(tracefs, "events", "kvm")):
        print(f"{prog}: no kvm events in {tracefs}", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    fmts = load_formats(tracefs)
    tdir = tempfile.mkdtemp(prefix=prog + ".", dir=out)
    try:
        make_tracing_dir(tracefs, os.path.join(tdir, "tracing"))
        for name, fn, kw in traces:
            if only and name not in only:
                continue
            g = fn(name, **kw)
            n = g.write(out, fmts, os.path.join(tdir, "tracing"))
            crash = f", {'crash' if g.crashed else 'no crash'}" if say_crash else ""
            print(f"{name}.dat: {n} events, {len(g.vcpus)} vcpus, {g.ncpus} host cpus{crash}")
    finally:
        shutil.rmtree(tdir)
    return 0
