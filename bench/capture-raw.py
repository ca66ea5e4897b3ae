#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reads every page left in a tracefs instance's per-cpu buffers into files.

usage: capture-raw.py INSTANCE_DIR OUT_PREFIX
Writes OUT_PREFIX.cpuN (raw ring-buffer pages) for each cpu with data.
"""
import errno
import os
import sys

inst, prefix = sys.argv[1], sys.argv[2]
cpus = sorted(int(d[3:]) for d in os.listdir(os.path.join(inst, "per_cpu")) if d.startswith("cpu"))
for cpu in cpus:
    path = os.path.join(inst, "per_cpu", f"cpu{cpu}", "trace_pipe_raw")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    pages = 0
    with open(f"{prefix}.cpu{cpu}", "wb") as out:
        while True:
            try:
                page = os.read(fd, 4096)
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    break
                raise
            if not page:
                break
            out.write(page)
            pages += 1
    os.close(fd)
    print(f"cpu{cpu}: {pages} pages", file=sys.stderr)
