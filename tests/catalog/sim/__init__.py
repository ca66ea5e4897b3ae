"""The machinery behind the catalogue's generators (mkcatalog.py,
mkholdout.py): trace.dat writing (tracedat), PCI function models (pci), the
guest as KVM sees it (guest), firmware and OS enumeration (platform), the
guest drivers of each device family (drivers/), the command line (generate)."""



