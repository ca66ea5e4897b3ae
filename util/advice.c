#include <stdio.h>

#include "pt-advice.h"

void pt_advice_nommap(enum pt_vm_terms terms, const char *alias, char *buf, size_t size)
{
	if (terms == PT_TERMS_QEMU) {
		snprintf(buf, size, "for a debugging run add x-no-mmap=on to this -device "
			 "(-device vfio-pci,host=...,x-no-mmap=on; slower, but every access traps "
			 "and is traced)");
		return;
	}
	if (!alias || !*alias)
		alias = "hostdevN";
	snprintf(buf, size, "for a debugging run give this hostdev x-no-mmap=on (slower, but "
		 "every access traps and is traced): in the domain XML (virsh edit) declare "
		 "xmlns:qemu='" PT_LIBVIRT_QEMU_NS "' on <domain> and add <qemu:override><qemu:device "
		 "alias='%s'><qemu:frontend><qemu:property name='x-no-mmap' type='bool' "
		 "value='true'/></qemu:frontend></qemu:device></qemu:override> (libvirt >= 8.2; "
		 "older libvirt: <qemu:commandline> with -set device.%s.x-no-mmap=on)", alias, alias);
}

void pt_advice_multifunction(enum pt_vm_terms terms, const char *dom, const char *host_a,
			     const char *host_b, int bus, int slot, char *buf, size_t size)
{
	char fa = host_a[0] ? host_a[11] : '0', fb = host_b[0] ? host_b[11] : '1';

	if (terms == PT_TERMS_QEMU) {
		snprintf(buf, size, "keep the functions of one card together in one guest slot, "
			 "numbered as on the host: addr=XX.%c,multifunction=on and addr=XX.%c", fa, fb);
		return;
	}
	snprintf(buf, size, "keep the functions of one card together in one guest slot, numbered "
		 "as on the host: in the domain XML (virsh edit%s%s) give <hostdev> %s <address "
		 "type='pci' domain='0x0000' bus='0x%02x' slot='0x%02x' function='0x%c' "
		 "multifunction='on'/> and <hostdev> %s the same bus and slot with function='0x%c'",
		 dom ? " " : "", dom ? dom : "", host_a, bus >= 0 ? bus : 0, slot >= 0 ? slot : 0, fa,
		 host_b, fb);
}

const char *pt_advice_crash_signal(enum pt_vm_terms terms)
{
	if (terms == PT_TERMS_LIBVIRT)
		return "add <panic model='isa'/> to <devices> (Linux guests; Windows with its pvpanic "
		       "driver) or <panic model='hyperv'/> (Windows: also its bugcheck code) in the "
		       "domain XML (virsh edit)";
	return "add -device pvpanic (Linux guests; Windows with its pvpanic driver) or -cpu "
	       "...,hv-crash (Windows)";
}
