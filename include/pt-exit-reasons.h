// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm_exit reasons by name, as the kernel's own kvm_exit print format
 * (arch/x86/kvm/trace.h) and trace-cmd show them: VMX basic exit reasons
 * ("EPT_MISCONFIG") on Intel hosts, SVM exit codes ("npf") on AMD hosts.
 * The same number means different things on the two, so every lookup
 * says which ISA the trace comes from.  Also kvm_inj_exception's
 * exception vectors ("#PF").  One table each, both ways: reports name
 * numbers with it, the text reader (pt-text.h) reads names back with it.
 */
#ifndef PT_EXIT_REASONS_H
#define PT_EXIT_REASONS_H

#include <stddef.h>
#include <stdint.h>

/* The values of kvm_exit's "isa" field (the kernel's KVM_ISA_VMX/SVM). */
enum pt_exit_isa {
	PT_ISA_UNKNOWN = 0,
	PT_ISA_VMX = 1,
	PT_ISA_SVM = 2,
};

/* The exit reasons the analysis looks for. */
#define PT_VMX_EXIT_EPT_VIOLATION	48
#define PT_VMX_EXIT_EPT_MISCONFIG	49
#define PT_SVM_EXIT_NPF			0x400
/* kvm_page_fault's error code on an NPF: a reserved bit, i.e. an MMIO SPTE */
#define PT_PFERR_RSVD			0x8

/*
 * "EPT_MISCONFIG", "npf"; NULL when ISA is unknown or the reason has no
 * name.  For VMX only the basic reason (bits 0-15) is named: the flag bits
 * above it (FAILED_VMENTRY) are for pt_exit_reason_str.
 */
const char *pt_exit_reason_name(int isa, uint64_t reason);

/*
 * The number NAME (LEN bytes, not terminated) names in ISA's table: the
 * kernel's name ("EPT_MISCONFIG", "npf"), or the name other kernels or
 * trace-cmd's kvm plugin print for it ("PENDING_INTERRUPT", "vmmcall").
 * 0 and *REASON, or -1 (an unknown ISA, a name neither has).
 */
int pt_exit_reason_by_name(int isa, const char *name, size_t len, uint32_t *reason);

/* The VMX flag ("FAILED_VMENTRY", "SGX_ENCLAVE_MODE") NAME is: 0 and *FLAG, or -1. */
int pt_exit_flag_by_name(const char *name, size_t len, uint32_t *flag);

/*
 * Row I of ISA's table, to list it whole: its name, with *REASON and
 * *ALIAS, the other name pt_exit_reason_by_name knows for it (NULL when
 * none); NULL past the last row.
 */
const char *pt_exit_reason_at(int isa, unsigned i, uint32_t *reason, const char **alias);

/*
 * REASON for a report: its name, "FAILED_VMENTRY INVALID_STATE" with the
 * VMX flag, else the number ("49" when the ISA is unknown, "0x1234" when
 * the name is).  Returns BUF.
 */
char *pt_exit_reason_str(int isa, uint64_t reason, char *buf, size_t size);

/*
 * The ISA a set of exit reasons can only have come from, or
 * PT_ISA_UNKNOWN when they fit both (or neither).  Safe, not likely: SVM
 * when a code is one no VMX basic reason has (0x4e and up, below the VMX
 * flag bits); VMX when one is an SVM code for a control register that
 * does not exist (CR1, CR5-7, CR9-15), which SVM never exits with.
 */
int pt_exit_isa_guess(const uint32_t *reasons, unsigned n);

const char *pt_exit_isa_name(int isa);	/* "vmx", "svm", "unknown" */

/* The exception VECTOR as kvm_inj_exception prints it ("#PF"); NULL when it has no name. */
const char *pt_exception_name(unsigned vector);
/* The vector NAME (LEN bytes, not terminated) names: 0 and *VECTOR, or -1. */
int pt_exception_by_name(const char *name, size_t len, uint32_t *vector);

#endif
