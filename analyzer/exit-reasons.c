// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The names the kernel gives numbers in kvm events, both ways: kvm_exit's
 * reasons (VMX_EXIT_REASONS and SVM_EXIT_REASONS in
 * arch/x86/include/uapi/asm/) and kvm_inj_exception's vectors (the
 * *_VECTOR names, printed "#PF").  Reports print these names, and the text
 * reader turns them back into numbers, so one table serves both and the
 * two never disagree.
 */
#include <stdio.h>
#include <string.h>

#include "pt-exit-reasons.h"

struct reason {
	uint32_t code;
	const char *name;	/* what the kernel prints */
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

/*
 * VMX basic exit reasons, sorted.  The kernel's names, and in the same
 * style the SDM's (volume 3, appendix C) for the reasons the kernel's
 * table leaves out: it prints those as numbers, but a report can name them.
 */
static const struct reason vmx_reasons[] = {
	{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" }, { 2, "TRIPLE_FAULT" },
	{ 3, "INIT_SIGNAL" }, { 4, "SIPI_SIGNAL" }, { 5, "IO_SMI" }, { 6, "OTHER_SMI" },
	{ 7, "INTERRUPT_WINDOW" }, { 8, "NMI_WINDOW" },
	{ 9, "TASK_SWITCH" }, { 10, "CPUID" }, { 11, "GETSEC" }, { 12, "HLT" },
	{ 13, "INVD" }, { 14, "INVLPG" }, { 15, "RDPMC" }, { 16, "RDTSC" }, { 17, "RSM" },
	{ 18, "VMCALL" }, { 19, "VMCLEAR" }, { 20, "VMLAUNCH" }, { 21, "VMPTRLD" },
	{ 22, "VMPTRST" }, { 23, "VMREAD" }, { 24, "VMRESUME" }, { 25, "VMWRITE" },
	{ 26, "VMOFF" }, { 27, "VMON" }, { 28, "CR_ACCESS" }, { 29, "DR_ACCESS" },
	{ 30, "IO_INSTRUCTION" }, { 31, "MSR_READ" }, { 32, "MSR_WRITE" },
	{ 33, "INVALID_STATE" }, { 34, "MSR_LOAD_FAIL" }, { 36, "MWAIT_INSTRUCTION" },
	{ 37, "MONITOR_TRAP_FLAG" }, { 39, "MONITOR_INSTRUCTION" },
	{ 40, "PAUSE_INSTRUCTION" }, { 41, "MCE_DURING_VMENTRY" },
	{ 43, "TPR_BELOW_THRESHOLD" }, { 44, "APIC_ACCESS" }, { 45, "EOI_INDUCED" },
	{ 46, "GDTR_IDTR" }, { 47, "LDTR_TR" }, { 48, "EPT_VIOLATION" },
	{ 49, "EPT_MISCONFIG" }, { 50, "INVEPT" }, { 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" }, { 53, "INVVPID" }, { 54, "WBINVD" }, { 55, "XSETBV" },
	{ 56, "APIC_WRITE" }, { 57, "RDRAND" }, { 58, "INVPCID" }, { 59, "VMFUNC" },
	{ 60, "ENCLS" }, { 61, "RDSEED" }, { 62, "PML_FULL" }, { 63, "XSAVES" },
	{ 64, "XRSTORS" }, { 66, "SPP" }, { 67, "UMWAIT" }, { 68, "TPAUSE" },
	{ 74, "BUS_LOCK" }, { 75, "NOTIFY" }, { 77, "TDCALL" }, { 84, "MSR_READ_IMM" },
	{ 85, "MSR_WRITE_IMM" },
};

#define VMX_BASIC_MASK		0xffffull
#define VMX_FAILED_VMENTRY	0x80000000u

/* The flags above the basic reason, printed after it: "INVALID_STATE FAILED_VMENTRY". */
static const struct reason vmx_flags[] = {
	{ 0x08000000u, "SGX_ENCLAVE_MODE" }, { VMX_FAILED_VMENTRY, "FAILED_VMENTRY" },
};

/* no VMX basic reason is this high today; SVM's common codes all are */
#define SVM_ONLY_FROM		0x60

/* SVM exit codes (AMD APM volume 2, appendix C), sorted. */
static const struct reason svm_reasons[] = {
	{ 0x000, "read_cr0" }, { 0x002, "read_cr2" }, { 0x003, "read_cr3" },
	{ 0x004, "read_cr4" }, { 0x008, "read_cr8" },
	{ 0x010, "write_cr0" }, { 0x012, "write_cr2" }, { 0x013, "write_cr3" },
	{ 0x014, "write_cr4" }, { 0x018, "write_cr8" },
	{ 0x020, "read_dr0" }, { 0x021, "read_dr1" }, { 0x022, "read_dr2" },
	{ 0x023, "read_dr3" }, { 0x024, "read_dr4" }, { 0x025, "read_dr5" },
	{ 0x026, "read_dr6" }, { 0x027, "read_dr7" },
	{ 0x030, "write_dr0" }, { 0x031, "write_dr1" }, { 0x032, "write_dr2" },
	{ 0x033, "write_dr3" }, { 0x034, "write_dr4" }, { 0x035, "write_dr5" },
	{ 0x036, "write_dr6" }, { 0x037, "write_dr7" },
	/* 0x40 + exception vector */
	{ 0x040, "DE excp" }, { 0x041, "DB excp" }, { 0x043, "BP excp" },
	{ 0x044, "OF excp" }, { 0x045, "BR excp" }, { 0x046, "UD excp" },
	{ 0x047, "NM excp" }, { 0x048, "DF excp" }, { 0x04a, "TS excp" },
	{ 0x04b, "NP excp" }, { 0x04c, "SS excp" }, { 0x04d, "GP excp" },
	{ 0x04e, "PF excp" }, { 0x050, "MF excp" }, { 0x051, "AC excp" },
	{ 0x052, "MC excp" }, { 0x053, "XF excp" },
	{ 0x060, "interrupt" }, { 0x061, "nmi" }, { 0x062, "smi" }, { 0x063, "init" },
	{ 0x064, "vintr" }, { 0x065, "cr0_sel_write" },
	{ 0x066, "read_idtr" }, { 0x067, "read_gdtr" }, { 0x068, "read_ldtr" },
	{ 0x069, "read_rt" }, { 0x06a, "write_idtr" }, { 0x06b, "write_gdtr" },
	{ 0x06c, "write_ldtr" }, { 0x06d, "write_rt" },
	{ 0x06e, "rdtsc" }, { 0x06f, "rdpmc" }, { 0x070, "pushf" }, { 0x071, "popf" },
	{ 0x072, "cpuid" }, { 0x073, "rsm" }, { 0x074, "iret" }, { 0x075, "swint" },
	{ 0x076, "invd" }, { 0x077, "pause" }, { 0x078, "hlt" }, { 0x079, "invlpg" },
	{ 0x07a, "invlpga" }, { 0x07b, "io" }, { 0x07c, "msr" },
	{ 0x07d, "task_switch" }, { 0x07e, "ferr_freeze" }, { 0x07f, "shutdown" },
	{ 0x080, "vmrun" }, { 0x081, "hypercall" }, { 0x082, "vmload" },
	{ 0x083, "vmsave" }, { 0x084, "stgi" }, { 0x085, "clgi" }, { 0x086, "skinit" },
	{ 0x087, "rdtscp" }, { 0x088, "icebp" }, { 0x089, "wbinvd" },
	{ 0x08a, "monitor" }, { 0x08b, "mwait" }, { 0x08d, "xsetbv" },
	/* the kernel's table has no name for RDPRU: this one is in its style */
	{ 0x08e, "rdpru" }, { 0x08f, "write_efer_trap" }, { 0x090, "write_cr0_trap" },
	{ 0x094, "write_cr4_trap" }, { 0x098, "write_cr8_trap" },
	{ 0x0a2, "invpcid" }, { 0x0a5, "buslock" }, { 0x0a6, "idle-halt" },
	{ 0x400, "npf" }, { 0x401, "avic_incomplete_ipi" },
	{ 0x402, "avic_unaccelerated_access" }, { 0x403, "vmgexit" },
	/* SEV-ES guests' requests through VMGEXIT */
	{ 0x80000001u, "vmgexit_mmio_read" }, { 0x80000002u, "vmgexit_mmio_write" },
	{ 0x80000003u, "vmgexit_nmi_complete" }, { 0x80000004u, "vmgexit_ap_hlt_loop" },
	{ 0x80000005u, "vmgexit_ap_jump_table" }, { 0x80000010u, "vmgexit_page_state_change" },
	{ 0x80000011u, "vmgexit_guest_request" }, { 0x80000012u, "vmgexit_ext_guest_request" },
	{ 0x80000013u, "vmgexit_ap_creation" }, { 0x8000fffdu, "vmgexit_hypervisor_feature" },
	/* SVM_EXIT_ERR, -1 in the 32-bit field */
	{ 0xffffffffu, "invalid_guest_state" },
};

/*
 * Other names for the same numbers, which older kernels or trace-cmd's
 * kvm plugin print ("PENDING_INTERRUPT" is INTERRUPT_WINDOW's old name):
 * read back, never printed.
 */
static const struct reason vmx_aliases[] = {
	{ 7, "PENDING_INTERRUPT" },
};
static const struct reason svm_aliases[] = {
	{ 0x060, "intr" }, { 0x081, "vmmcall" },
};

/*
 * Exception vectors: the kernel's *_VECTOR names (uapi asm/kvm.h), with
 * the '#' kvm_inj_exception prints them with.  NMI is an interrupt, no
 * mnemonic: it is printed as the kernel names the vector.
 */
static const struct reason exceptions[] = {
	{ 0, "#DE" }, { 1, "#DB" }, { 2, "NMI" }, { 3, "#BP" }, { 4, "#OF" }, { 5, "#BR" },
	{ 6, "#UD" }, { 7, "#NM" }, { 8, "#DF" }, { 10, "#TS" }, { 11, "#NP" }, { 12, "#SS" },
	{ 13, "#GP" }, { 14, "#PF" }, { 16, "#MF" }, { 17, "#AC" }, { 18, "#MC" },
	{ 19, "#XM" }, { 20, "#VE" }, { 21, "#CP" }, { 28, "#HV" }, { 29, "#VC" }, { 30, "#SX" },
};

/* The row of CODE in T (N rows, sorted), or NULL. */
static const struct reason *by_code(const struct reason *t, size_t n, uint64_t code)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t[mid].code == code)
			return &t[mid];
		if (t[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The code of the row of T (N rows) named S (LEN bytes): 0, or -1. */
static int by_name(const struct reason *t, size_t n, const char *s, size_t len, uint32_t *code)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, s, len)) {
			*code = t[i].code;
			return 0;
		}
	return -1;
}

struct isa_names {
	const struct reason *reasons, *aliases;
	size_t nreasons, naliases;
};

static const struct isa_names isa_names[] = {
	[PT_ISA_VMX] = { vmx_reasons, vmx_aliases, N(vmx_reasons), N(vmx_aliases) },
	[PT_ISA_SVM] = { svm_reasons, svm_aliases, N(svm_reasons), N(svm_aliases) },
};

/* ISA's names, NULL for an ISA without any. */
static const struct isa_names *names_of(int isa)
{
	if (isa < 0 || (size_t)isa >= N(isa_names) || !isa_names[isa].reasons)
		return NULL;
	return &isa_names[isa];
}

const char *pt_exit_reason_name(int isa, uint64_t reason)
{
	const struct isa_names *t = names_of(isa);
	const struct reason *r;

	if (!t)
		return NULL;
	r = by_code(t->reasons, t->nreasons, isa == PT_ISA_VMX ? reason & VMX_BASIC_MASK : reason);
	return r ? r->name : NULL;
}

int pt_exit_reason_by_name(int isa, const char *name, size_t len, uint32_t *reason)
{
	const struct isa_names *t = names_of(isa);

	if (!t)
		return -1;
	return by_name(t->reasons, t->nreasons, name, len, reason) &&
	       by_name(t->aliases, t->naliases, name, len, reason) ? -1 : 0;
}

int pt_exit_flag_by_name(const char *name, size_t len, uint32_t *flag)
{
	return by_name(vmx_flags, N(vmx_flags), name, len, flag);
}

const char *pt_exit_reason_at(int isa, unsigned i, uint32_t *reason, const char **alias)
{
	const struct isa_names *t = names_of(isa);

	if (!t || i >= t->nreasons)
		return NULL;
	*reason = t->reasons[i].code;
	*alias = NULL;
	for (size_t a = 0; a < t->naliases; a++)
		if (t->aliases[a].code == *reason)
			*alias = t->aliases[a].name;
	return t->reasons[i].name;
}

char *pt_exit_reason_str(int isa, uint64_t reason, char *buf, size_t size)
{
	const char *name = pt_exit_reason_name(isa, reason);

	if (!name)
		snprintf(buf, size, isa == PT_ISA_UNKNOWN ? "%llu" : "0x%llx",
			 (unsigned long long)reason);
	else if (isa == PT_ISA_VMX && (reason & VMX_FAILED_VMENTRY))
		snprintf(buf, size, "%s %s",
			 by_code(vmx_flags, N(vmx_flags), VMX_FAILED_VMENTRY)->name, name);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

const char *pt_exception_name(unsigned vector)
{
	const struct reason *r = by_code(exceptions, N(exceptions), vector);

	return r ? r->name : NULL;
}

int pt_exception_by_name(const char *name, size_t len, uint32_t *vector)
{
	return by_name(exceptions, N(exceptions), name, len, vector);
}

/* SVM exits for reads (0x00-0x0f) and writes (0x10-0x1f) of a CR that does not exist */
static int svm_impossible(uint32_t code)
{
	unsigned cr = code & 0xf;

	return code < 0x20 && cr != 0 && (cr < 2 || cr > 4) && cr != 8;
}

int pt_exit_isa_guess(const uint32_t *reasons, unsigned n)
{
	int vmx = 0, svm = 0;

	for (unsigned i = 0; i < n; i++) {
		if (reasons[i] >= SVM_ONLY_FROM && reasons[i] <= 0x4ff)
			svm = 1;
		else if (svm_impossible(reasons[i]))
			vmx = 1;
	}
	if (vmx == svm)
		return PT_ISA_UNKNOWN;
	return vmx ? PT_ISA_VMX : PT_ISA_SVM;
}

const char *pt_exit_isa_name(int isa)
{
	return isa == PT_ISA_VMX ? "vmx" : isa == PT_ISA_SVM ? "svm" : "unknown";
}
