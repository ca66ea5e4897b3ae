#!/usr/bin/env python3
"""mkcatalog.py OUTDIR [NAME...]: writes the pass-through failure catalogue's
traces (tests/catalog/README.md) into OUTDIR, one NAME.dat per scenario and
per healthy twin, the way the kernel would have recorded them: every kvm
event a QEMU/KVM host records for the guest's driver, interrupt and crash
activity, written into per-cpu 4096-byte ring-buffer pages, then turned into
a trace.dat by `trace-cmd restore`.  The machinery (device models, guests,
drivers, trace.dat writing) is in sim/, the scenarios in scenarios/.

Needs root (trace-cmd restore -c reads the event formats), tracefs on
/sys/kernel/tracing ($TRACEFS) and trace-cmd.  Deterministic: every scenario
draws its jitter from random.Random("1012:" + its name).
  --list   prints the names and stops
"""

import os
import sys

sys.dont_write_bytecode = True          # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sim.generate import main, variants                                 # noqa: E402
from scenarios import gpu, nic, nvme, hda, fpga                         # noqa: E402

# Every trace: its name, its scenario function and the variant it plays.
CATALOGUE = [
    *variants("ip-busmaster-off", gpu.sc_ip_busmaster_off),
    *variants("ip-msix-function-mask", nic.sc_ip_msix_function_mask),
    *variants("ip-msix-vector-masked", nvme.sc_ip_msix_vector_masked),
    *variants("ip-msi-bad-dest", nic.sc_ip_msi_bad_dest),
    *variants("ip-intx-disabled", gpu.sc_ip_intx_disabled),
    *variants("ip-ioapic-masked", nic.sc_ip_ioapic_masked),
    *variants("ip-decode-off", hda.sc_ip_decode_off),
    *variants("ip-msi-disabled-suspend", nic.sc_ip_msi_disabled_suspend),
    *variants("too-soon-d3hot", gpu.sc_too_soon_d3hot),
    *variants("too-soon-flr", nic.sc_too_soon_flr),
    *variants("too-soon-sbr", gpu.sc_too_soon_sbr),
    *variants("too-soon-no-restore", nvme.sc_too_soon_no_restore),
    *variants("device-gone-fpga", fpga.sc_device_gone_fpga),
    *variants("device-gone-nvme", nvme.sc_device_gone_nvme),
    *variants("bad-value-hda-position", hda.sc_bad_value_hda, afterboot=True),
    *variants("irq-storm-msi", hda.sc_irq_storm_msi, afterboot=True),
    *variants("reset-hang-nvme", nvme.sc_reset_hang_nvme, afterboot=True),
    ("healthy-busy-nic", nic.sc_busy_nic, dict(bad=False, boot=True)),
    ("healthy-busy-nic-pi", nic.sc_busy_nic, dict(bad=False, boot=True, pi=True)),
    ("healthy-nvme-doorbells", nvme.sc_healthy_nvme_doorbells, dict(bad=False, boot=True)),
    ("healthy-nic-tail-afterboot", nic.sc_healthy_nic_tail_afterboot, dict(bad=False, boot=False)),
]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], CATALOGUE, "mkcatalog", __doc__))
