#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Repeats raw ring-buffer pages N times, each repetition later in time.

usage: multiply-raw.py IN.cpuN OUT.cpuN TIMES SHIFT_NS
A ring-buffer page starts with its 64-bit base timestamp; the events in it
carry deltas.  Shifting each copy's base timestamps by SHIFT_NS per
repetition gives a longer, time-ordered trace of the same events.
"""
import struct
import sys

src, dst, times, shift = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = open(src, "rb").read()
pages = [data[i:i + 4096] for i in range(0, len(data), 4096)]
with open(dst, "wb") as out:
    for rep in range(times):
        for page in pages:
            if len(page) < 16:
                continue
            ts = struct.unpack_from("<Q", page, 0)[0] + rep * shift
            out.write(struct.pack("<Q", ts) + page[8:])
