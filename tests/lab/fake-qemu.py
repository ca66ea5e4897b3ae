# SPDX-License-Identifier: GPL-2.0-or-later
"""A process that looks like QEMU to /proc: started as
`exec -a qemu-system-x86_64 python3 fake-qemu.py MODE -name NAME -qmp unix:PATH,server=on`,
it holds /dev/kvm open (unless MODE is "nokvm") and serves PATH as a QMP
peer that behaves as MODE says:

  good     greets, answers qmp_capabilities and query-pci (no devices)
  silent   never greets
  flood    greets, then sends events as fast as it can
  huge     answers query-pci with a string that never ends
  nested   answers query-pci with 100000 nested arrays
  nokvm    as good, without /dev/kvm
  nolisten holds /dev/kvm and listens on nothing (another process may
           hold the socket its command line names)
  hvpanic  as good, then 1 s after the capabilities GUEST_PANICKED as QEMU
           sends it for a Windows bugcheck with hv-crash (VIDEO_TDR_FAILURE)

It writes "ready" to stdout once it listens, and runs until killed.
"""
import os
import socket
import sys
import threading
import time

HV_PANIC = (b'{"timestamp": {"seconds": 1765080000, "microseconds": 1}, "event": "GUEST_PANICKED", '
            b'"data": {"action": "pause", "info": {"type": "hyper-v", "arg1": 278, '
            b'"arg2": 18446708889642881024, "arg3": 18446735277921949200, '
            b'"arg4": 18446744072635809946, "arg5": 2}}}\r\n')

mode = sys.argv[1]
args = sys.argv[2:]
path = None
for i, a in enumerate(args):
    if a == "-qmp" and args[i + 1].startswith("unix:"):
        path = args[i + 1][5:].split(",")[0]

kvm = None if mode == "nokvm" else os.open("/dev/kvm", os.O_RDWR)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
if path and mode != "nolisten":
    srv.bind(path)
    srv.listen(4)
print("ready", flush=True)
if not path or mode == "nolisten":
    while True:
        time.sleep(60)


def lines(conn):
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line


def serve(conn):
    if mode == "silent":
        while conn.recv(4096):
            pass
        return
    conn.sendall(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
    for line in lines(conn):
        if b"qmp_capabilities" in line:
            conn.sendall(b'{"return": {}}\r\n')
            if mode == "hvpanic":
                threading.Timer(1.0, conn.sendall, (HV_PANIC,)).start()
            if mode == "flood":
                ev = b'{"event": "RTC_CHANGE", "data": {"offset": 1}}\r\n' * 100
                while True:
                    conn.sendall(ev)
        elif b"query-pci" in line:
            if mode == "huge":
                conn.sendall(b'{"return": "')
                chunk = b"x" * 65536
                while True:
                    conn.sendall(chunk)
            elif mode == "nested":
                conn.sendall(b'{"return": ' + b"[" * 100000 + b"\r\n")
            else:
                conn.sendall(b'{"return": [{"bus": 0, "devices": []}]}\r\n')
        else:
            conn.sendall(b'{"return": {}}\r\n')


while True:
    conn, _ = srv.accept()
    try:
        serve(conn)
    except OSError:
        pass
    conn.close()
