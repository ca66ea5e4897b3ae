// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>

#include "pt-event.h"

#include "kvm-events.h"

static const char *const kind_names[] = {
#define PT_EV_NAME(k, name) name,
	PT_EVENT_KINDS(PT_EV_NAME)
#undef PT_EV_NAME
};

const char *pt_event_kind_name(enum pt_event_kind kind)
{
	return (unsigned)kind < PT_EV_KINDS ? kind_names[kind] : "?";
}

const char *pt_event_kind_source(enum pt_event_kind kind)
{
	const struct pt_kvm_event *e = pt_kvm_event_of(kind);

	return e ? e->name : "?";
}

const char *pt_kvm_exit_name(uint64_t reason)
{
	static const char *const names[] = {
		[0] = "KVM_EXIT_UNKNOWN", [1] = "KVM_EXIT_EXCEPTION", [2] = "KVM_EXIT_IO",
		[3] = "KVM_EXIT_HYPERCALL", [4] = "KVM_EXIT_DEBUG", [5] = "KVM_EXIT_HLT",
		[6] = "KVM_EXIT_MMIO", [7] = "KVM_EXIT_IRQ_WINDOW_OPEN",
		[8] = "KVM_EXIT_SHUTDOWN", [9] = "KVM_EXIT_FAIL_ENTRY", [10] = "KVM_EXIT_INTR",
		[11] = "KVM_EXIT_SET_TPR", [12] = "KVM_EXIT_TPR_ACCESS", [13] = "KVM_EXIT_S390_SIEIC",
		[14] = "KVM_EXIT_S390_RESET", [15] = "KVM_EXIT_DCR", [16] = "KVM_EXIT_NMI",
		[17] = "KVM_EXIT_INTERNAL_ERROR", [18] = "KVM_EXIT_OSI", [19] = "KVM_EXIT_PAPR_HCALL",
		[20] = "KVM_EXIT_S390_UCONTROL", [21] = "KVM_EXIT_WATCHDOG", [22] = "KVM_EXIT_S390_TSCH",
		[23] = "KVM_EXIT_EPR", [24] = "KVM_EXIT_SYSTEM_EVENT", [25] = "KVM_EXIT_S390_STSI",
		[26] = "KVM_EXIT_IOAPIC_EOI", [27] = "KVM_EXIT_HYPERV", [28] = "KVM_EXIT_ARM_NISV",
		[29] = "KVM_EXIT_X86_RDMSR", [30] = "KVM_EXIT_X86_WRMSR", [31] = "KVM_EXIT_DIRTY_RING_FULL",
		[32] = "KVM_EXIT_AP_RESET_HOLD", [33] = "KVM_EXIT_X86_BUS_LOCK", [34] = "KVM_EXIT_XEN",
		[35] = "KVM_EXIT_RISCV_SBI", [36] = "KVM_EXIT_RISCV_CSR", [37] = "KVM_EXIT_NOTIFY",
		[38] = "KVM_EXIT_LOONGARCH_IOCSR", [39] = "KVM_EXIT_MEMORY_FAULT",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : NULL;
}
