// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm_exit reason names for VMX and SVM, both ways, exception names, and
 * the guess of which ISA a trace is from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
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
	/* the SDM's reasons the kernel's table leaves out are named in its style */
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 5), "IO_SMI");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 11), "GETSEC");
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 84), "MSR_READ_IMM");
	/* holes in the SDM's numbering, and past the end */
	assert_null(pt_exit_reason_name(PT_ISA_VMX, 35));
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
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x08e), "rdpru");
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x80000001), "vmgexit_mmio_read");
	assert_null(pt_exit_reason_name(PT_ISA_SVM, 0x001));
	assert_null(pt_exit_reason_name(PT_ISA_SVM, 0x08c));	/* MWAIT_COND: the kernel names it not */
	assert_null(pt_exit_reason_name(PT_ISA_SVM, 0x404));
	assert_null(pt_exit_reason_name(PT_ISA_SVM, 0x100000400ull));	/* wider than the field */
	/* 48 is write_dr0 on AMD, not EPT_VIOLATION */
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 48), "write_dr0");
	assert_string_equal(pt_exit_reason_str(PT_ISA_SVM, 0x7b, buf, sizeof(buf)), "io");
}

/* Every row of ISA's table: number -> name -> number, its alias too; sorted, each name once. */
static void round_trip(int isa, unsigned min_rows)
{
	const char *name, *alias;
	uint32_t code, back, prev = 0;
	unsigned i;

	for (i = 0; (name = pt_exit_reason_at(isa, i, &code, &alias)); i++) {
		const char *other, *other_alias;
		uint32_t other_code;

		if (i)
			assert_true(code > prev);	/* sorted: one name a number */
		prev = code;
		assert_string_equal(pt_exit_reason_name(isa, code), name);
		assert_int_equal(pt_exit_reason_by_name(isa, name, strlen(name), &back), 0);
		assert_int_equal(back, code);
		if (alias) {
			assert_int_equal(pt_exit_reason_by_name(isa, alias, strlen(alias), &back), 0);
			assert_int_equal(back, code);
		}
		/* no name or alias stands twice, or a name would read back as another number */
		for (unsigned j = i + 1;
		     (other = pt_exit_reason_at(isa, j, &other_code, &other_alias)); j++) {
			assert_string_not_equal(other, name);
			if (alias)
				assert_true(!other_alias || strcmp(other_alias, alias));
			assert_true(!other_alias || strcmp(other_alias, name));
			assert_true(!alias || strcmp(other, alias));
		}
	}
	assert_true(i >= min_rows);
	assert_null(pt_exit_reason_at(isa, i, &code, &alias));
}

static void test_round_trip(void **state)
{
	uint32_t code;
	const char *alias;

	(void)state;
	round_trip(PT_ISA_VMX, 70);
	round_trip(PT_ISA_SVM, 110);
	assert_null(pt_exit_reason_at(PT_ISA_UNKNOWN, 0, &code, &alias));
}

static void test_aliases(void **state)
{
	uint32_t v;

	(void)state;
	/* what other kernels and trace-cmd's kvm plugin print: read, never printed */
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_VMX, "PENDING_INTERRUPT", 17, &v), 0);
	assert_int_equal(v, 7);
	assert_string_equal(pt_exit_reason_name(PT_ISA_VMX, 7), "INTERRUPT_WINDOW");
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_SVM, "intr", 4, &v), 0);
	assert_int_equal(v, 0x060);
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x060), "interrupt");
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_SVM, "vmmcall", 7, &v), 0);
	assert_int_equal(v, 0x081);
	assert_string_equal(pt_exit_reason_name(PT_ISA_SVM, 0x081), "hypercall");
	/* an alias is of its ISA only */
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_SVM, "PENDING_INTERRUPT", 17, &v), -1);
}

static void test_unnamed(void **state)
{
	uint32_t v = 12345;

	(void)state;
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_VMX, "NEW_REASON", 10, &v), -1);
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_SVM, "new_reason", 10, &v), -1);
	/* names are the kernel's, to the letter */
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_VMX, "hlt", 3, &v), -1);
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_SVM, "HLT", 3, &v), -1);
	/* a prefix is not the name; the length says where the name ends */
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_VMX, "EPT_VIOLATION", 3, &v), -1);
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_VMX, "HLTX", 3, &v), 0);
	assert_int_equal(v, 12);
	/* a flag is no reason, a reason no flag */
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_VMX, "FAILED_VMENTRY", 14, &v), -1);
	assert_int_equal(pt_exit_flag_by_name("FAILED_VMENTRY", 14, &v), 0);
	assert_int_equal(v, 0x80000000u);
	assert_int_equal(pt_exit_flag_by_name("SGX_ENCLAVE_MODE", 16, &v), 0);
	assert_int_equal(v, 0x08000000u);
	assert_int_equal(pt_exit_flag_by_name("HLT", 3, &v), -1);
	assert_int_equal(pt_exit_reason_by_name(PT_ISA_UNKNOWN, "HLT", 3, &v), -1);
}

static void test_exceptions(void **state)
{
	unsigned named = 0;
	uint32_t v;

	(void)state;
	for (unsigned vec = 0; vec < 256; vec++) {
		const char *name = pt_exception_name(vec);

		if (!name)
			continue;
		named++;
		assert_int_equal(pt_exception_by_name(name, strlen(name), &v), 0);
		assert_int_equal(v, vec);
	}
	assert_int_equal(named, 23);
	assert_string_equal(pt_exception_name(14), "#PF");
	assert_string_equal(pt_exception_name(13), "#GP");
	assert_string_equal(pt_exception_name(2), "NMI");
	assert_string_equal(pt_exception_name(30), "#SX");
	assert_null(pt_exception_name(9));	/* reserved since the 486 */
	assert_null(pt_exception_name(15));
	assert_null(pt_exception_name(31));
	assert_int_equal(pt_exception_by_name("#ZZ", 3, &v), -1);
	assert_int_equal(pt_exception_by_name("#PF (0x2)", 3, &v), 0);
	assert_int_equal(v, 14);
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
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_unnamed),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_unknown_isa_prints_the_number),
		cmocka_unit_test(test_isa_guess),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
