#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a host-wide trace.dat v6 of several VMs from the raw ring-buffer
pages of separate recordings, the way `trace-cmd record -e kvm` (no -P)
on a host running them all at once would hold them.

usage: hostwide.py HEAD.dat OUT.dat [--names] VM.cpuN:TIDSHIFT:TIMESHIFT_NS ...
HEAD.dat gives the header and event formats (`trace-cmd restore -c`).
Each VM argument is a file of raw pages (one cpu of one recording); its
records' thread ids are moved by TIDSHIFT and its pages' times by
TIMESHIFT_NS.  Each file becomes one cpu of the output.  With --names the
saved command lines name every thread as QEMU does with debug-threads=on
("CPU 0/KVM" for the thread with the most records of each VM, the files
with one TIDSHIFT being one VM, the rest "qemu-system-x86"); without it
they are all "qemu-system-x86".
"""
import struct
import sys

PAGE = 4096


def header_end(head):
    """Offset of the saved command lines in a v6 header: what comes before is kept."""
    pos = 10
    pos = head.index(b"\0", pos) + 1 + 1 + 1 + 4
    for name in (b"header_page\0", b"header_event\0"):
        assert head[pos:pos + len(name)] == name
        pos += len(name)
        size = struct.unpack_from("<Q", head, pos)[0]
        pos += 8 + size
    count = struct.unpack_from("<I", head, pos)[0]
    pos += 4
    for _ in range(count):
        pos += 8 + struct.unpack_from("<Q", head, pos)[0]
    systems = struct.unpack_from("<I", head, pos)[0]
    pos += 4
    for _ in range(systems):
        pos = head.index(b"\0", pos) + 1
        count = struct.unpack_from("<I", head, pos)[0]
        pos += 4
        for _ in range(count):
            pos += 8 + struct.unpack_from("<Q", head, pos)[0]
    for _ in range(2):  # kallsyms, printk
        pos += 4 + struct.unpack_from("<I", head, pos)[0]
    return pos


def records(page):
    """Yields the offset of each data record's payload in a page (little endian, 64-bit)."""
    commit = struct.unpack_from("<Q", page, 8)[0] & ((1 << 27) - 1)
    data = page[16:16 + commit]
    off = 0
    while off + 4 <= len(data):
        word = struct.unpack_from("<I", data, off)[0]
        tlen = word & 31
        if tlen == 29:
            off += 4 + struct.unpack_from("<I", data, off + 4)[0]
        elif tlen in (30, 31):
            off += 8
        elif tlen == 0:
            length = struct.unpack_from("<I", data, off + 4)[0] - 4
            yield 16 + off + 8
            off += 8 + ((length + 3) & ~3)
        else:
            yield 16 + off + 4
            off += 4 + tlen * 4


def main():
    args = sys.argv[1:]
    names = "--names" in args
    args = [a for a in args if a != "--names"]
    head, out, vms = open(args[0], "rb").read(), args[1], args[2:]
    cpus, counts_by_vm = [], {}
    for spec in vms:
        path, tid_shift, ts_shift = spec.split(":")
        raw = open(path, "rb").read()
        pages, counts = [], counts_by_vm.setdefault(tid_shift, {})
        for i in range(0, len(raw) - PAGE + 1, PAGE):
            page = bytearray(raw[i:i + PAGE])
            ts = struct.unpack_from("<Q", page, 0)[0] + int(ts_shift)
            struct.pack_into("<Q", page, 0, ts)
            for rec in records(page):
                pid = struct.unpack_from("<i", page, rec + 4)[0]
                if pid > 0:
                    pid += int(tid_shift)
                    struct.pack_into("<i", page, rec + 4, pid)
                    counts[pid] = counts.get(pid, 0) + 1
            pages.append(bytes(page))
        cpus.append(b"".join(pages))
    comms = {}
    for counts in counts_by_vm.values():
        busiest = max(counts, key=counts.get) if counts else None
        for pid in counts:
            comms[pid] = "CPU 0/KVM" if names and pid == busiest else "qemu-system-x86"
    cmdlines = "".join(f"{pid} {comm}\n" for pid, comm in sorted(comms.items())).encode()
    body = head[:header_end(head)]
    body += struct.pack("<Q", len(cmdlines)) + cmdlines
    body += struct.pack("<I", len(cpus)) + b"options  \0" + struct.pack("<H", 0) + b"flyrecord\0"
    table_at = len(body)
    start = (table_at + 16 * len(cpus) + PAGE - 1) // PAGE * PAGE
    table, offset = b"", start
    for data in cpus:
        table += struct.pack("<QQ", offset, len(data))
        offset += len(data)
    with open(out, "wb") as f:
        f.write(body + table + b"\0" * (start - table_at - len(table)))
        for data in cpus:
            f.write(data)


main()
