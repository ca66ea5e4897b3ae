// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The names the kernel prints for numbers in kvm events, back to the
 * numbers: kvm_exit's reasons (VMX's basic exit reasons and flags, SVM's
 * exit codes: the kernel's VMX_EXIT_REASONS and SVM_EXIT_REASONS) and
 * kvm_inj_exception's exception vectors.  Aliases the kernel printed
 * in other versions are here too ("PENDING_INTERRUPT", "intr").
 */
#include <ctype.h>
#include <string.h>

#include "text-local.h"

struct name {
	const char *name;
	uint32_t val;
};

static const struct name vmx_exits[] = {
	{ "EXCEPTION_NMI", 0 }, { "EXTERNAL_INTERRUPT", 1 }, { "TRIPLE_FAULT", 2 },
	{ "INIT_SIGNAL", 3 }, { "SIPI_SIGNAL", 4 }, { "IO_SMI", 5 }, { "OTHER_SMI", 6 },
	{ "INTERRUPT_WINDOW", 7 }, { "PENDING_INTERRUPT", 7 }, { "NMI_WINDOW", 8 },
	{ "TASK_SWITCH", 9 }, { "CPUID", 10 }, { "GETSEC", 11 }, { "HLT", 12 }, { "INVD", 13 },
	{ "INVLPG", 14 }, { "RDPMC", 15 }, { "RDTSC", 16 }, { "RSM", 17 }, { "VMCALL", 18 },
	{ "VMCLEAR", 19 }, { "VMLAUNCH", 20 }, { "VMPTRLD", 21 }, { "VMPTRST", 22 },
	{ "VMREAD", 23 }, { "VMRESUME", 24 }, { "VMWRITE", 25 }, { "VMOFF", 26 }, { "VMON", 27 },
	{ "CR_ACCESS", 28 }, { "DR_ACCESS", 29 }, { "IO_INSTRUCTION", 30 }, { "MSR_READ", 31 },
	{ "MSR_WRITE", 32 }, { "INVALID_STATE", 33 }, { "MSR_LOAD_FAIL", 34 },
	{ "MWAIT_INSTRUCTION", 36 }, { "MONITOR_TRAP_FLAG", 37 }, { "MONITOR_INSTRUCTION", 39 },
	{ "PAUSE_INSTRUCTION", 40 }, { "MCE_DURING_VMENTRY", 41 }, { "TPR_BELOW_THRESHOLD", 43 },
	{ "APIC_ACCESS", 44 }, { "EOI_INDUCED", 45 }, { "GDTR_IDTR", 46 }, { "LDTR_TR", 47 },
	{ "EPT_VIOLATION", 48 }, { "EPT_MISCONFIG", 49 }, { "INVEPT", 50 }, { "RDTSCP", 51 },
	{ "PREEMPTION_TIMER", 52 }, { "INVVPID", 53 }, { "WBINVD", 54 }, { "XSETBV", 55 },
	{ "APIC_WRITE", 56 }, { "RDRAND", 57 }, { "INVPCID", 58 }, { "VMFUNC", 59 },
	{ "ENCLS", 60 }, { "RDSEED", 61 }, { "PML_FULL", 62 }, { "XSAVES", 63 },
	{ "XRSTORS", 64 }, { "SPP", 66 }, { "UMWAIT", 67 }, { "TPAUSE", 68 },
	{ "BUS_LOCK", 74 }, { "NOTIFY", 75 }, { "TDCALL", 77 }, { "MSR_READ_IMM", 84 },
	{ "MSR_WRITE_IMM", 85 },
	/* the flags printed after the basic reason */
	{ "FAILED_VMENTRY", 0x80000000u }, { "SGX_ENCLAVE_MODE", 0x08000000u },
	{ NULL, 0 }
};

static const struct name svm_exits[] = {
	{ "read_cr0", 0x000 }, { "read_cr2", 0x002 }, { "read_cr3", 0x003 }, { "read_cr4", 0x004 },
	{ "read_cr8", 0x008 }, { "write_cr0", 0x010 }, { "write_cr2", 0x012 },
	{ "write_cr3", 0x013 }, { "write_cr4", 0x014 }, { "write_cr8", 0x018 },
	{ "read_dr0", 0x020 }, { "read_dr1", 0x021 }, { "read_dr2", 0x022 }, { "read_dr3", 0x023 },
	{ "read_dr4", 0x024 }, { "read_dr5", 0x025 }, { "read_dr6", 0x026 }, { "read_dr7", 0x027 },
	{ "write_dr0", 0x030 }, { "write_dr1", 0x031 }, { "write_dr2", 0x032 },
	{ "write_dr3", 0x033 }, { "write_dr4", 0x034 }, { "write_dr5", 0x035 },
	{ "write_dr6", 0x036 }, { "write_dr7", 0x037 },
	{ "DE excp", 0x040 }, { "DB excp", 0x041 }, { "BP excp", 0x043 }, { "OF excp", 0x044 },
	{ "BR excp", 0x045 }, { "UD excp", 0x046 }, { "NM excp", 0x047 }, { "DF excp", 0x048 },
	{ "TS excp", 0x04a }, { "NP excp", 0x04b }, { "SS excp", 0x04c }, { "GP excp", 0x04d },
	{ "PF excp", 0x04e }, { "MF excp", 0x050 }, { "AC excp", 0x051 }, { "MC excp", 0x052 },
	{ "XF excp", 0x053 },
	{ "interrupt", 0x060 }, { "intr", 0x060 }, { "nmi", 0x061 }, { "smi", 0x062 },
	{ "init", 0x063 }, { "vintr", 0x064 }, { "cr0_sel_write", 0x065 },
	{ "read_idtr", 0x066 }, { "read_gdtr", 0x067 }, { "read_ldtr", 0x068 },
	{ "read_rt", 0x069 }, { "write_idtr", 0x06a }, { "write_gdtr", 0x06b },
	{ "write_ldtr", 0x06c }, { "write_rt", 0x06d }, { "rdtsc", 0x06e }, { "rdpmc", 0x06f },
	{ "pushf", 0x070 }, { "popf", 0x071 }, { "cpuid", 0x072 }, { "rsm", 0x073 },
	{ "iret", 0x074 }, { "swint", 0x075 }, { "invd", 0x076 }, { "pause", 0x077 },
	{ "hlt", 0x078 }, { "invlpg", 0x079 }, { "invlpga", 0x07a }, { "io", 0x07b },
	{ "msr", 0x07c }, { "task_switch", 0x07d }, { "ferr_freeze", 0x07e },
	{ "shutdown", 0x07f }, { "vmrun", 0x080 }, { "hypercall", 0x081 }, { "vmmcall", 0x081 },
	{ "vmload", 0x082 }, { "vmsave", 0x083 }, { "stgi", 0x084 }, { "clgi", 0x085 },
	{ "skinit", 0x086 }, { "rdtscp", 0x087 }, { "icebp", 0x088 }, { "wbinvd", 0x089 },
	{ "monitor", 0x08a }, { "mwait", 0x08b }, { "xsetbv", 0x08d },
	{ "write_efer_trap", 0x08f }, { "write_cr0_trap", 0x090 }, { "write_cr4_trap", 0x094 },
	{ "write_cr8_trap", 0x098 }, { "invpcid", 0x0a2 }, { "buslock", 0x0a5 },
	{ "idle-halt", 0x0a6 }, { "npf", 0x400 }, { "avic_incomplete_ipi", 0x401 },
	{ "avic_unaccelerated_access", 0x402 }, { "vmgexit", 0x403 },
	{ "vmgexit_mmio_read", 0x80000001u }, { "vmgexit_mmio_write", 0x80000002u },
	{ "vmgexit_nmi_complete", 0x80000003u }, { "vmgexit_ap_hlt_loop", 0x80000004u },
	{ "vmgexit_ap_jump_table", 0x80000005u }, { "vmgexit_page_state_change", 0x80000010u },
	{ "vmgexit_guest_request", 0x80000011u }, { "vmgexit_ext_guest_request", 0x80000012u },
	{ "vmgexit_ap_creation", 0x80000013u }, { "vmgexit_hypervisor_feature", 0x8000fffdu },
	{ "invalid_guest_state", 0xffffffffu },
	{ NULL, 0 }
};

static const struct name exceptions[] = {
	{ "#DE", 0 }, { "#DB", 1 }, { "#BP", 3 }, { "#OF", 4 }, { "#BR", 5 }, { "#UD", 6 },
	{ "#NM", 7 }, { "#DF", 8 }, { "#TS", 10 }, { "#NP", 11 }, { "#SS", 12 }, { "#GP", 13 },
	{ "#PF", 14 }, { "#MF", 16 }, { "#AC", 17 }, { "#MC", 18 }, { "#XM", 19 }, { "#VE", 20 },
	{ "#CP", 21 }, { "#HV", 28 }, { "#VC", 29 }, { "#SX", 30 },
	{ NULL, 0 }
};

static int lookup(const struct name *t, const char *s, size_t n, uint32_t *v)
{
	for (; t->name; t++)
		if (strlen(t->name) == n && !strncmp(t->name, s, n)) {
			*v = t->val;
			return 0;
		}
	return -1;
}

int pt_text_exit_reason(const char *p, size_t n, uint64_t *val)
{
	uint32_t v, flag;
	const char *sp;

	if (!lookup(svm_exits, p, n, &v)) {
		*val = v;
		return 0;
	}
	/* VMX: "EPT_VIOLATION" or "EPT_VIOLATION FAILED_VMENTRY|SGX_ENCLAVE_MODE" */
	sp = memchr(p, ' ', n);
	if (!lookup(vmx_exits, p, sp ? (size_t)(sp - p) : n, &v)) {
		*val = v;
		if (sp) {
			const char *f = sp + 1, *e = p + n;

			while (f < e) {
				const char *bar = memchr(f, '|', e - f);
				size_t fl = bar ? (size_t)(bar - f) : (size_t)(e - f);

				if (lookup(vmx_exits, f, fl, &flag) || flag < 0x1000)
					return -1;
				*val |= flag;
				f += fl + 1;
			}
		}
		return 0;
	}
	if (n > 2 && p[0] == '0' && p[1] == 'x') {	/* printed as a number: unnamed */
		char tmp[24];
		const char *t = tmp;

		if (n >= sizeof(tmp))
			return -1;
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		return pt_text_num(&t, 1, val);
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			return -1;
	*val = PT_TEXT_EXIT_UNNAMED;
	return 0;
}

int pt_text_exception(const char *p, size_t n, uint32_t *vec)
{
	return lookup(exceptions, p, n, vec);
}
