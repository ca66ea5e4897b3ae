// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm_exit reason names for VMX and SVM, and the guess of which a trace is from. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "pt-exit-reasons.h"

static void test_vmx_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 0), "EXCEPTION_NMI");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 1), "EXTERNAL_INTERRUPT");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 12), "HLT");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 30), "IO_INSTRUCTION");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 31), "MSR_READ");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 32), "MSR_WRITE");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 48), "EPT_VIOLATION");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 49), "EPT_MISCONFIG");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 56), "APIC_WRITE");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 77), "TDCALL");
	/* holes in the SDM's numbering, and past the end */
	assert_null(pt_exit_reason_name(PT_ISA_VMX, 5));
	assert_null(pt_exit_reason_name(PT_ISA_VMX, 78));
	assert_null(pt_exit_reason_name(PT_ISA_VMX, 0xffff));
	/* the failed-VM-entry flag names the basic reason, and the string says so */
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 0x80000021), "INVALID_STATE");
	assert_string_equal(pt_exit_reason_str(PT_ISA_VMX, 0x80000021, buf, sizeof(buf)),
			    "FAILED_VMENTRY INVALID_STATE");
	assert_string_equal(pt_exit_reason_str(PT_ISA_VMX, 49, buf, sizeof(buf)), "EPT_MISCONFIG");
	assert_string_equal(pt_exit_reason_str(PT_ISA_VMX, 99, buf, sizeof(buf)), "0x63");
}

static void test_svm_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x000), "read_cr0");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x04e), "PF excp");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x060), "interrupt");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x064), "vintr");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x072), "cpuid");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x078), "hlt");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x07b), "io");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x07c), "msr");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x081), "hypercall");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x400), "npf");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x402), "avic_unaccelerated_access");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0xffffffff), "invalid_guest_state");
	assert_null(pt_exit_reason_name(PT_ISA_SVM, 0x001));
	assert_null(pt_exit_reason_name(PT_ISA_SVM, 0x404));
	/* 48 is write_dr0 on AMD, not EPT_VIOLATION */
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 48), "write_dr0");
	assert_string_equal(pt_exit_reason_str(PT_ISA_SVM, 0x7b, buf, sizeof(buf)), "io");
}

static void test_unknown_isa_prints_the_number(void **state)
{
	char buf[64];

	(void)state;
	assert_null(pt_exit_reason_name(PT_ISA_UNKNOWN, 49));
	assert_null(pt_exit_reason_name(7, 49));
	assert_string_equal(pt_exit_reason_str(PT_ISA_UNKNOWN, 49, buf, sizeof(buf)), "49");
	assert_string_equal(pt_exit_isa_name(PT_ISA_VMX), "vmx");
	assert_string_equal(pt_exit_isa_name(PT_ISA_SVM), "svm");
	assert_string_equal(pt_exit_isa_name(PT_ISA_UNKNOWN), "unknown");
}

static void test_isa_guess(void **state)
{
	/* an Intel guest: external interrupts, HLT, EPT misconfig, I/O */
	const uint32_t vmx[] = { 49, 1, 12, 30, 32 };
	/* an AMD guest: interrupt, hlt, npf, io, msr */
	const uint32_t svm[] = { 0x60, 0x78, 0x400, 0x7b, 0x7c };
	/* codes both could make (MSR_WRITE or read_dr0, the EPT exits or write_dr0-1) */
	const uint32_t both[] = { 32, 48, 49 };
	/* contradicting each other: better unknown than wrong */
	const uint32_t mixed[] = { 1, 0x400 };
	const uint32_t failed_entry[] = { 0x80000021 };

	(void)state;
	assert_int_equal(pt_exit_isa_guess(vmx, 5), PT_ISA_VMX);
	assert_int_equal(pt_exit_isa_guess(svm, 5), PT_ISA_SVM);
	assert_int_equal(pt_exit_isa_guess(svm + 2, 1), PT_ISA_SVM);
	assert_int_equal(pt_exit_isa_guess(both, 3), PT_ISA_UNKNOWN);
	assert_int_equal(pt_exit_isa_guess(mixed, 2), PT_ISA_UNKNOWN);
	assert_int_equal(pt_exit_isa_guess(failed_entry, 1), PT_ISA_UNKNOWN);
	assert_int_equal(pt_exit_isa_guess(NULL, 0), PT_ISA_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_names),
		cmocka_unit_test(test_svm_names),
		cmocka_unit_test(test_unknown_isa_prints_the_number),
		cmocka_unit_test(test_isa_guess),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
