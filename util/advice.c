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

const char *pt_advice_crash_signal(enum pt_vm_terms terms)
{
	if (terms == PT_TERMS_LIBVIRT)
		return "add <panic model='isa'/> to <devices> (Linux guests; Windows with its pvpanic "
		       "driver) or <panic model='hyperv'/> (Windows: also its bugcheck code) in the "
		       "domain XML (virsh edit)";
	return "add -device pvpanic (Linux guests; Windows with its pvpanic driver) or -cpu "
	       "...,hv-crash (Windows)";
}
