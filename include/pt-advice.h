/*
 * Advice in the terms of the VM's own configuration: QEMU's command line
 * for a VM started by hand or a script, the domain XML for a libvirt
 * domain.  Shared by pttrace check (collector/check.c) and the analyzer's
 * "try" lines, which know a libvirt VM from pttrace's metadata.
 */
#ifndef PT_ADVICE_H
#define PT_ADVICE_H

#include <stddef.h>

enum pt_vm_terms { PT_TERMS_QEMU, PT_TERMS_LIBVIRT };

/* libvirt's namespace for <qemu:commandline> and <qemu:override> */
#define PT_LIBVIRT_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/*
 * How to pass x-no-mmap=on to one passed-through device for a debugging
 * run: its -device, or the libvirt <hostdev> with alias ALIAS (its -device
 * id, "hostdev0"; NULL or "" when not known).  Into BUF.
 */
void pt_advice_nommap(enum pt_vm_terms terms, const char *alias, char *buf, size_t size);

/*
 * How to put host functions HOST_A and HOST_B ("0000:01:00.0", "...1") of
 * one card in one guest slot, numbered as on the host; BUS and SLOT are
 * where function A sits now (libvirt's bus index; -1 when not known), DOM
 * the libvirt domain's name (NULL: none).  Into BUF.
 */
void pt_advice_multifunction(enum pt_vm_terms terms, const char *dom, const char *host_a,
			     const char *host_b, int bus, int slot, char *buf, size_t size);

/* How to give the VM a crash signal (pvpanic, Hyper-V's crash MSRs). */
const char *pt_advice_crash_signal(enum pt_vm_terms terms);

#endif
