// SPDX-License-Identifier: GPL-2.0-or-later
/* pttrace check: a lint of a VM's pass-through set-up. */
#ifndef PT_CHECK_H
#define PT_CHECK_H

#include "pt-vm.h"

enum pt_check_level { PT_CHECK_OK, PT_CHECK_NOTE, PT_CHECK_WARNING, PT_CHECK_ERROR };

struct pt_check_item {
	enum pt_check_level level;
	/*
	 * "multifunction", "driver", "iommu-group", "reset", "mmap", "crash-signal";
	 * for libvirt domains also "domain-xml", "on-crash"
	 */
	const char *rule;
	char what[256];
	char advice[512];	/* in the VM's own terms: domain XML for libvirt, else -device */
};

/* Calls FN for each thing found, and returns the worst level. */
enum pt_check_level pt_check_vm(const char *sysroot, const struct pt_vm *vm,
				void (*fn)(void *ctx, const struct pt_check_item *item), void *ctx);

#endif
