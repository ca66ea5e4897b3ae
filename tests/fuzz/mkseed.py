#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a small trace.dat v6 for fuzzing from a big one: the same header
and kvm event formats, no kallsyms, printk formats or other systems, and
only the first PAGES pages of each cpu (v6, little endian, 64-bit).

usage: mkseed.py IN_V6.dat OUT.dat [PAGES]
"""
import struct
import sys

src, dst = sys.argv[1], sys.argv[2]
pages = int(sys.argv[3]) if len(sys.argv) > 3 else 8
d = open(src, "rb").read()
pos = d.index(b"\0", 10) + 1 + 1 + 1
page = struct.unpack_from("<I", d, pos)[0]
pos += 4
out = bytearray(d[:pos])
for name in (b"header_page\0", b"header_event\0"):
    size = struct.unpack_from("<Q", d, pos + len(name))[0]
    out += d[pos:pos + len(name) + 8 + size]
    pos += len(name) + 8 + size
count = struct.unpack_from("<I", d, pos)[0]
pos += 4
for _ in range(count):
    pos += 8 + struct.unpack_from("<Q", d, pos)[0]
out += struct.pack("<I", 0)
systems = struct.unpack_from("<I", d, pos)[0]
pos += 4
kept = []
for _ in range(systems):
    end = d.index(b"\0", pos)
    name = d[pos:end]
    pos = end + 1
    count = struct.unpack_from("<I", d, pos)[0]
    start = pos
    pos += 4
    for _ in range(count):
        pos += 8 + struct.unpack_from("<Q", d, pos)[0]
    if name == b"kvm":
        kept.append(name + b"\0" + d[start:pos])
out += struct.pack("<I", len(kept)) + b"".join(kept)
for _ in range(2):  # kallsyms, printk: dropped
    pos += 4 + struct.unpack_from("<I", d, pos)[0]
    out += struct.pack("<I", 0)
size = struct.unpack_from("<Q", d, pos)[0]
out += d[pos:pos + 8 + size]
pos += 8 + size
cpus = struct.unpack_from("<I", d, pos)[0]
pos += 4
kind = d[pos:pos + 10]
pos += 10
while kind == b"options  \0":
    while True:
        oid = struct.unpack_from("<H", d, pos)[0]
        pos += 2
        if oid == 0:
            break
        pos += 4 + struct.unpack_from("<I", d, pos)[0]
    kind = d[pos:pos + 10]
    pos += 10
assert kind == b"flyrecord\0", kind
table = [struct.unpack_from("<QQ", d, pos + 16 * c) for c in range(cpus)]
out += struct.pack("<I", cpus) + b"flyrecord\0"
start = (len(out) + 16 * cpus + page - 1) // page * page
data, offset, entries = b"", start, b""
for off, size in table:
    part = d[off:off + min(size, pages * page)]
    entries += struct.pack("<QQ", offset, len(part))
    data += part
    offset += len(part)
out += entries
out += b"\0" * (start - len(out))
open(dst, "wb").write(bytes(out) + data)
