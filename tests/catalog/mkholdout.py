#!/usr/bin/env python3
"""mkholdout.py OUTDIR [NAME...]: writes the held-out pass-through failure
set (tests/catalog/HOLDOUT.md) into OUTDIR, one NAME.dat per scenario and
per healthy twin, with mkcatalog.py's machinery (sim/: device models,
guests, kvm events, ring-buffer pages, trace-cmd restore); the scenarios
are in holdout/.  The answers are in holdout.json.  Needs what mkcatalog.py
needs (root, tracefs with the kvm events, trace-cmd).  Deterministic: every
scenario's jitter comes from random.Random("1012:" + its name) (sim's
Guest), twins share it.
  --list   prints the names and stops
"""

import os
import sys

sys.dont_write_bytecode = True          # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sim.generate import main, variants                                 # noqa: E402
from holdout import usb, hda, nic, gpu, storage, capture               # noqa: E402

HOLDOUT = [
    *variants("ho-ip-xhci-vector-low", usb.sc_xhci_vector_low),
    *variants("ho-powered-down-hda-d3hot", hda.sc_hda_d3hot),
    *variants("ho-reset-hang-i40e", nic.sc_i40e_reset_hang),
    *variants("ho-too-soon-flr-t4", gpu.sc_t4_flr),
    *variants("ho-device-gone-sas", storage.sc_sas_gone),
    *variants("ho-stray-mmio-rebar", gpu.sc_rebar_stray),
    *variants("ho-irq-storm-cx23885", capture.sc_cx23885_storm),
    *variants("ho-ip-busmaster-pi", nic.sc_aqc107_busmaster_pi),
    ("ho-healthy-busy-gpu-msi", gpu.sc_busy_gpu, dict(bad=False, boot=True)),
    ("ho-healthy-busy-intx-nic", nic.sc_busy_intx_nic, dict(bad=False, boot=True)),
]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], HOLDOUT, "mkholdout", __doc__, say_crash=True))
