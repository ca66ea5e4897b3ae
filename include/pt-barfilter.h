// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm_page_fault restricted to device BARs: which guest-physical ranges
 * (the memory BARs QMP query-pci shows), and the tracefs filter text that
 * keeps that event's faults on them and drops the guest's RAM faults.  An
 * mmapped BAR of a passed-through device is reached without any exit once
 * KVM has mapped it; the EPT violation / NPF that maps it (again, after
 * vfio-pci or QEMU tore the mapping down) is what the trace can still show
 * of it (docs/mmap-visibility.md).
 */
#ifndef PT_BARFILTER_H
#define PT_BARFILTER_H

#include <stddef.h>
#include <stdint.h>
#include "pt-json.h"
#include "pt-vm.h"
#include "pttrace.h"

/* tracefs refuses filter text of a page or more (event_filter_write) */
#define PT_BAR_FILTER_MAX 4096
#define PT_BAR_RANGES_MAX 256

struct pt_bar_range {
	char bdf[16];		/* guest bus:slot.fn, "01:00.0" */
	char qdev_id[48];	/* -device id=, "" when none */
	int bar;		/* 0-5, 6 the ROM */
	uint64_t start, end;	/* guest physical, [start, end) */
};

enum pt_bar_scope {
	PT_BARS_ASSIGNED,	/* the passed-through devices' BARs */
	PT_BARS_ALL,		/* no passed-through device: every device's */
	PT_BARS_UNMATCHED,	/* passed-through devices query-pci did not show: every device's */
};
const char *pt_bar_scope_name(enum pt_bar_scope scope);

/*
 * The programmed memory BARs of QUERY_PCI (query-pci's "return" array,
 * devices behind bridges included): those of VM's passed-through devices
 * (matched by id=, or by addr= on bus 0), or every device's when VM has
 * none or none of them is in QUERY_PCI; *SCOPE says which.  I/O BARs and
 * BARs still at -1 (not programmed) are left out.  Fills at most MAX into
 * OUT, sorted by start, and returns how many there are (more than MAX when
 * some did not fit); 0 when none is programmed yet or QUERY_PCI is NULL.
 */
size_t pt_bar_ranges(const struct pt_json *query_pci, const struct pt_vm *vm,
		     struct pt_bar_range *out, size_t max, enum pt_bar_scope *scope);

/*
 * Writes into BUF (SIZE bytes, at most PT_BAR_FILTER_MAX are useful) the
 * filter text that matches FIELD in any of the N RANGES:
 *   (fault_address >= 0xfe000000 && fault_address < 0xfe100000) || (...)
 * Overlapping and touching ranges become one term; when the text would not
 * fit, the neighbours with the smallest gap between them are joined, never
 * across 4 GiB (a gap there is the guest's RAM above 4 GiB).  FIELD_SIZE is
 * the field's width in bytes (4: an unsigned long on a 32-bit host), and
 * ranges it cannot reach are left out.  Returns the number of terms, or -1
 * with ERR set (no range, an empty or inverted range, a field name that is
 * not an identifier, nothing within reach, too many ranges to fit).
 */
int pt_bar_filter(const char *field, unsigned field_size, const struct pt_bar_range *ranges,
		  size_t n, char *buf, size_t size, struct pt_err *err);

/*
 * The field of a kvm_page_fault format text (events/kvm/kvm_page_fault/
 * format) that holds the faulting guest-physical address, into NAME, and
 * its width in *FIELD_SIZE.  It is "fault_address" in every kernel that has
 * the event (unsigned long before the u64 change, u64 since); "address" and
 * "gpa" are taken if a kernel ever names it so.  Returns 0, or -1 with ERR.
 */
int pt_fault_field(const char *format, char *name, size_t nsize, unsigned *field_size,
		   struct pt_err *err);

#endif
