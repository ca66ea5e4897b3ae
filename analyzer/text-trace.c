/*
 * Text kvm traces: trace-cmd report, ftrace trace / trace_pipe and perf
 * script output, possibly wrapped and quoted by a mail client.  See
 * pt-text.h for what text cannot say.
 *
 * A record is "[instance: ] comm-tid [cpu] [flags] ts: event: payload"
 * (trace-cmd, ftrace) or "comm tid [cpu] ts: kvm:event: payload" (perf).
 * Lines that do not start a record are kept as pieces of the record
 * before them, and the pieces are joined when the next record starts.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pt-text.h"

#define MAX_PIECES 6		/* a 4 KiB record wrapped at 72 columns needs more,
				   but the kvm events pttrace reads are < 400 bytes */
#define JOIN_MAX (PT_TEXT_LINE_MAX * 2)
#define TID_SLOTS 1024		/* as analyzer/reader.c */
#define MAX_CPUS 4096
#define COMM_LEN 32

struct comm {
	uint32_t tid;
	char name[COMM_LEN];
};

struct pt_text_reader {
	FILE *f;
	struct pt_text_info info;
	char line[PT_TEXT_LINE_MAX];
	/* the record being collected: its pieces, one per text line */
	char pieces[MAX_PIECES][PT_TEXT_LINE_MAX];
	int npieces;
	char join[JOIN_MAX];
	/* events one flush made; pieces can hold several wrapped records */
	struct pt_event ready[MAX_PIECES];
	int nready, next_ready;
	/* thread -> vcpu, the same table and order as reader.c's vcpu_of */
	uint32_t tid_keys[TID_SLOTS];
	int16_t tid_vcpu[TID_SLOTS];
	uint32_t last_tid;
	int16_t last_vcpu;
	int next_vcpu;
	/* thread -> comm: open addressing over the index into comms[] */
	int16_t comm_slot[PT_TEXT_COMMS * 2];
	struct comm comms[PT_TEXT_COMMS];
	unsigned ncomms;
	uint8_t cpu_seen[MAX_CPUS];
	uint8_t cpu_lost[MAX_CPUS];	/* a drop was announced: flag the next record */
	int saw_cpus_line, saw_tracer_line;
	char err[256];
};

/* ---- numbers ---- */

static int is_end(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == ')' || c == ',' || c == ':' ||
	       c == ']' || c == '|';
}

/*
 * A number at *P: "0x" hex, or decimal, or hex without prefix when HEX;
 * an optional '-' (the value is then two's complement, 64-bit).  It must
 * end at a space or a delimiter, so "0x1Thanks" is not 0x1.
 */
static int num(const char **p, int hex, uint64_t *out)
{
	const char *s = *p;
	int neg = 0, digits = 0;
	uint64_t v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = 1;
		s += 2;
	}
	for (;; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (hex && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (hex && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * (hex ? 16 : 10) + d;
	}
	if (!digits || !is_end(*s))
		return -1;
	*out = neg ? -v : v;
	*p = s;
	return 0;
}

/* Skips the word W (and the spaces before it) at *P. */
static int word(const char **p, const char *w)
{
	const char *s = *p;
	size_t n = strlen(w);

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, w, n) || !is_end(s[n]))
		return -1;
	*p = s + n;
	return 0;
}

/* "WORD NUMBER" at *P */
static int key(const char **p, const char *w, int hex, uint64_t *out)
{
	const char *s = *p;

	if (word(&s, w) || num(&s, hex, out))
		return -1;
	*p = s;
	return 0;
}

/* ---- raw fields: "type=2 len=4 gpa=0xfebf0000 val=0x1" ---- */

#define MAX_RAW 16

struct raw {
	int n;
	struct {
		const char *name;
		size_t len;
		uint64_t val;
	} f[MAX_RAW];
};

static int parse_raw(const char *s, struct raw *raw)
{
	raw->n = 0;
	while (*s) {
		const char *name, *eq;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		name = s;
		while (isalnum((unsigned char)*s) || *s == '_')
			s++;
		eq = s;
		if (eq == name || *eq != '=')
			return raw->n ? 0 : -1;	/* trailing text after fields is ignored */
		s++;
		if (raw->n < MAX_RAW) {
			raw->f[raw->n].name = name;
			raw->f[raw->n].len = eq - name;
			if (num(&s, 0, &raw->f[raw->n].val))
				raw->f[raw->n].val = 0, raw->f[raw->n].name = NULL;
			raw->n++;
		}
		while (*s && !isspace((unsigned char)*s))	/* ARRAY[...], strings */
			s++;
	}
	return raw->n ? 0 : -1;
}

static int raw_get(const struct raw *raw, const char *name, uint64_t *v)
{
	for (int i = 0; i < raw->n; i++)
		if (raw->f[i].name && raw->f[i].len == strlen(name) &&
		    !strncmp(raw->f[i].name, name, raw->f[i].len)) {
			*v = raw->f[i].val;
			return 0;
		}
	return -1;
}

/* ---- names the kernel prints for numbers ---- */

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

/* ---- one record ---- */

/* The source events, as reader.c's table. */
enum src {
	S_NONE, S_MMIO, S_PIO, S_MSR, S_MSI, S_SET_IRQ, S_APIC_ACCEPT, S_EOI, S_INJ_VIRQ,
	S_INJ_EXCEPTION, S_USER_EXIT, S_EXIT, S_PAGE_FAULT, S_EMULATE,
};

static const struct {
	const char *name;
	enum src src;
	enum pt_event_kind kind;	/* the first kind it produces */
	int pair;			/* it produces kind + 1 too */
} sources[] = {
	{ "kvm_mmio", S_MMIO, PT_EV_MMIO_READ, 1 },
	{ "kvm_pio", S_PIO, PT_EV_PIO_READ, 1 },
	{ "kvm_msr", S_MSR, PT_EV_MSR_READ, 1 },
	{ "kvm_msi_set_irq", S_MSI, PT_EV_MSI, 0 },
	{ "kvm_set_irq", S_SET_IRQ, PT_EV_IRQ_LINE, 0 },
	{ "kvm_apic_accept_irq", S_APIC_ACCEPT, PT_EV_APIC_ACCEPT, 0 },
	{ "kvm_eoi", S_EOI, PT_EV_EOI, 0 },
	{ "kvm_inj_virq", S_INJ_VIRQ, PT_EV_INJ_VIRQ, 0 },
	{ "kvm_inj_exception", S_INJ_EXCEPTION, PT_EV_INJ_EXCEPTION, 0 },
	{ "kvm_userspace_exit", S_USER_EXIT, PT_EV_USER_EXIT, 0 },
	{ "kvm_exit", S_EXIT, PT_EV_EXIT, 0 },
	{ "kvm_page_fault", S_PAGE_FAULT, PT_EV_PAGE_FAULT, 0 },
	{ "kvm_emulate_insn", S_EMULATE, PT_EV_EMULATE, 0 },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

struct header {
	const char *comm;	/* not terminated: comm_len bytes */
	size_t comm_len;
	uint32_t tid;
	int cpu;
	uint64_t ts;
	int usec;
	int flags_column;	/* ftrace's "d..2." */
	int perf;		/* "kvm:kvm_mmio", comm and tid apart */
	const char *event;	/* without "kvm:" */
	size_t event_len;
	const char *payload;
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "1234.567890:" at *P; ns in *TS */
static int timestamp(const char **p, uint64_t *ts, int *usec)
{
	const char *s = *p;
	uint64_t sec = 0, frac = 0;
	int fd = 0;

	if (!is_digit(*s))
		return -1;
	while (is_digit(*s))
		sec = sec * 10 + (*s++ - '0');
	if (*s == '.') {
		s++;
		while (is_digit(*s)) {
			if (fd < 9) {
				frac = frac * 10 + (*s - '0');
				fd++;
			}
			s++;
		}
		if (!fd)
			return -1;
		*usec = fd == 6;
		while (fd++ < 9)
			frac *= 10;
		*ts = sec * 1000000000ull + frac;
	} else {
		*ts = sec;	/* a counter clock: taken as ns */
		*usec = 0;
	}
	if (*s != ':')
		return -1;
	*p = s + 1;
	return 0;
}

static int comm_tid(const char *s, const char *end, struct header *h);

/* The event name after the timestamp at P, and the payload. */
static int event_at(const char *p, struct header *h)
{
	const char *q;

	while (*p == ' ' || *p == '\t')
		p++;
	/* perf may print the sample period before the event */
	q = p;
	while (is_digit(*q))
		q++;
	if (q > p && (*q == ' ' || *q == '\t')) {
		while (*q == ' ' || *q == '\t')
			q++;
		p = q;
	}
	q = p;
	while (*q && !isspace((unsigned char)*q))
		q++;
	if (q - p < 2 || q[-1] != ':')
		return -1;
	h->event = p;
	h->event_len = q - 1 - p;
	h->perf = 0;
	if (h->event_len > 4 && !strncmp(p, "kvm:", 4)) {
		h->event += 4;
		h->event_len -= 4;
		h->perf = 1;
	}
	while (*q == ' ' || *q == '\t')
		q++;
	h->payload = q;

	return 0;
}

/* Parses S's header from the cpu column at BR ('['); 0 when it is one. */
static int header_at(const char *s, const char *br, struct header *h)
{
	const char *p = br + 1, *q;
	uint64_t cpu = 0;
	int ndig = 0;

	while (is_digit(*p) && ndig < 6)
		cpu = cpu * 10 + (*p++ - '0'), ndig++;
	if (!ndig || *p != ']')
		return -1;
	h->cpu = (int)cpu;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	h->flags_column = 0;
	if (timestamp(&p, &h->ts, &h->usec)) {
		/* a latency / flags column, "d..2." or "...." */
		q = p;
		while (*q && !isspace((unsigned char)*q))
			q++;
		if (q == p || q - p > 8)
			return -1;
		while (*q == ' ' || *q == '\t')
			q++;
		p = q;
		if (timestamp(&p, &h->ts, &h->usec))
			return -1;
		h->flags_column = 1;
	}
	if (event_at(p, h))
		return -1;

	return comm_tid(s, br, h);
}

/* Back from END: "comm-tid", "comm tid", "comm pid/tid", "(tgid)"; 0 when found. */
static int comm_tid(const char *s, const char *end, struct header *h)
{
	const char *p, *q;

	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end > s && end[-1] == ')') {
		const char *o = end - 1;

		while (o > s && *o != '(')
			o--;
		if (*o != '(')
			return -1;
		end = o;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	q = end;
	while (q > s && is_digit(q[-1]))
		q--;
	if (q == end)
		return -1;
	h->tid = (uint32_t)strtoul(q, NULL, 10);
	if (q > s && q[-1] == '/') {	/* perf's pid/tid */
		q--;
		while (q > s && is_digit(q[-1]))
			q--;
		h->perf = 1;
	}
	if (q > s && q[-1] == '-') {
		end = q - 1;
	} else if (q == s || q[-1] == ' ' || q[-1] == '\t') {
		end = q;
		h->perf = 1;
	} else {
		return -1;
	}
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* trace-cmd's "instance: " before the comm of an instance's record */
	p = s;
	for (q = s; q + 1 < end; q++)
		if (q[0] == ':' && (q[1] == ' ' || q[1] == '\t'))
			p = q + 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	h->comm = p;
	h->comm_len = end - p;
	return 0;
}

/*
 * trace-cmd report -l: "comm-tid  1d..1.  ts: event:", the cpu and the
 * latency flags in one column, no brackets.
 */
static int header_latency(const char *s, struct header *h)
{
	for (const char *p = s; *p; p++) {
		const char *col, *q = p, *e;
		uint64_t cpu = 0;

		if (!is_digit(*p) || p == s || !isspace((unsigned char)p[-1]) ||
		    timestamp(&q, &h->ts, &h->usec))
			continue;
		/* the column before: cpu digits, then flags */
		e = p;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		col = e;
		while (col > s && !isspace((unsigned char)col[-1]))
			col--;
		if (col == e || !is_digit(*col))
			continue;
		for (q = col; is_digit(*q); q++)
			cpu = cpu * 10 + (*q - '0');
		if (q == e || cpu > 99999)
			continue;
		h->cpu = (int)cpu;
		h->flags_column = 1;
		q = p;
		timestamp(&q, &h->ts, &h->usec);
		if (event_at(q, h) || comm_tid(s, col, h) || h->perf)
			continue;
		return 0;
	}
	return -1;
}

/* The header of the record in S, trying each "[digits]" in turn. */
static int header(const char *s, struct header *h)
{
	for (const char *br = strchr(s, '['); br; br = strchr(br + 1, '['))
		if (!header_at(s, br, h))
			return 0;
	return header_latency(s, h);
}

enum result {
	R_NONE,		/* no record */
	R_OTHER,	/* a record, not of an event pttrace reads */
	R_EVENT,	/* *EV is filled */
	R_SKIP,		/* a kvm record pttrace drops (unsatisfied-read) */
	R_DAMAGED,	/* a kvm record that is wrong: no combination of pieces fixes it */
	R_BAD,		/* a kvm record that does not parse (a wrong join, perhaps) */
};

static int parse_msi(const char *p, struct pt_event *ev)
{
	static const char *modes[] = { "Fixed", "LowPrio", "SMI", "Res3", "NMI", "INIT", "SIPI",
				       "ExtINT" };
	uint64_t dst, vec, mode = 8;
	const char *q;
	size_t n;

	if (key(&p, "dst", 1, &dst) || key(&p, "vec", 0, &vec))
		return -1;
	while (*p == ' ')
		p++;
	if (*p++ != '(')
		return -1;
	q = p;
	while (*q && *q != '|')
		q++;
	n = q - p;
	for (unsigned i = 0; i < 8; i++)
		if (strlen(modes[i]) == n && !strncmp(modes[i], p, n))
			mode = i;
	if (mode == 8) {
		if (num(&p, 1, &mode) || p != q)
			return -1;
	}
	p = q + 1;
	ev->addr = 0xfee00000u | (dst & 0xff) << 12 | (dst & ~0xffull) << 32;
	if (!strncmp(p, "logical", 7))
		ev->addr |= 1 << 2;
	else if (strncmp(p, "physical", 8))
		return -1;
	q = strchr(p, '|');
	if (!q)
		return -1;
	p = q + 1;
	ev->val = (vec & 0xff) | (mode & 7) << 8;
	if (!strncmp(p, "level", 5))
		ev->val |= 1 << 15;
	else if (strncmp(p, "edge", 4))
		return -1;
	if (strstr(p, "|rh"))
		ev->addr |= 1 << 3;
	return 0;
}

static int parse_exit_reason(const char *p, size_t n, uint64_t *val)
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
		return num(&t, 1, val);
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			return -1;
	*val = PT_TEXT_EXIT_UNNAMED;
	return 0;
}

/*
 * The payload P of source event SRC into EV (printed form, or the raw
 * fields trace-cmd shows when it has no print format).  *VCPU gets the
 * record's vcpu_id when it has one.
 */
#define NO_APICID UINT64_MAX	/* the record printed none */

static enum result payload(enum src src, const char *p, struct pt_event *ev, int *vcpu)
{
	struct raw raw;
	uint64_t v, a, b;
	int is_raw;

	if (!strncmp(p, "[FAILED TO PARSE]", 17))
		p += 17;
	while (*p == ' ')
		p++;
	/* "name=value": raw fields, whatever the event prints */
	{
		const char *q = p;

		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		is_raw = q > p && *q == '=';
	}
	if (is_raw && parse_raw(p, &raw))
		return R_BAD;

	switch (src) {
	case S_MMIO:
		if (is_raw) {
			if (raw_get(&raw, "type", &v) || raw_get(&raw, "len", &a) ||
			    raw_get(&raw, "gpa", &ev->addr) || raw_get(&raw, "val", &ev->val))
				return R_BAD;
		} else {
			if (word(&p, "mmio"))
				return R_BAD;
			if (!word(&p, "unsatisfied-read"))
				v = 0;
			else if (!word(&p, "read"))
				v = 1;
			else if (!word(&p, "write"))
				v = 2;
			else if (num(&p, 0, &v))
				return R_BAD;
			if (key(&p, "len", 0, &a) || key(&p, "gpa", 1, &ev->addr) ||
			    key(&p, "val", 1, &ev->val))
				return R_BAD;
		}
		v = (uint32_t)v;
		if (v == 0)	/* KVM_TRACE_MMIO_READ_UNSATISFIED: the completed read follows */
			return R_SKIP;
		ev->kind = v == 1 ? PT_EV_MMIO_READ : PT_EV_MMIO_WRITE;
		ev->len = (uint8_t)(uint32_t)a;
		if ((uint32_t)a != ev->len)
			ev->len = 0;	/* damaged below */
		break;
	case S_PIO:
		if (is_raw) {
			if (raw_get(&raw, "rw", &v) || raw_get(&raw, "port", &ev->addr) ||
			    raw_get(&raw, "size", &a))
				return R_BAD;
			if (raw_get(&raw, "val", &ev->val))
				ev->val = 0;
		} else {
			if (!word(&p, "pio_write"))
				v = 1;
			else if (!word(&p, "pio_read"))
				v = 0;
			else
				return R_BAD;
			if (key(&p, "at", 1, &ev->addr) || key(&p, "size", 0, &a) ||
			    key(&p, "count", 0, &b))
				return R_BAD;
			/* older kernels print no val */
			if (key(&p, "val", 1, &ev->val))
				ev->val = 0;
		}
		ev->kind = (uint32_t)v ? PT_EV_PIO_WRITE : PT_EV_PIO_READ;
		ev->addr = (uint32_t)ev->addr;
		ev->val = (uint32_t)ev->val;
		ev->len = (uint8_t)(uint32_t)a;
		if ((uint32_t)a != ev->len)
			ev->len = 0;
		break;
	case S_MSR:
		if (is_raw) {
			if (raw_get(&raw, "write", &v) || raw_get(&raw, "ecx", &ev->addr) ||
			    raw_get(&raw, "data", &ev->val))
				return R_BAD;
		} else {
			if (!word(&p, "msr_write"))
				v = 1;
			else if (!word(&p, "msr_read"))
				v = 0;
			else
				return R_BAD;
			/* the index is hex without 0x */
			if (num(&p, 1, &ev->addr) || word(&p, "=") || num(&p, 1, &ev->val))
				return R_BAD;
		}
		ev->kind = (uint32_t)v ? PT_EV_MSR_WRITE : PT_EV_MSR_READ;
		ev->addr = (uint32_t)ev->addr;
		break;
	case S_MSI:
		ev->kind = PT_EV_MSI;
		if (is_raw) {
			if (raw_get(&raw, "address", &ev->addr) || raw_get(&raw, "data", &ev->val))
				return R_BAD;
		} else {
			if (parse_msi(p, ev))
				return R_BAD;
		}
		/* as reader.c: QEMU's devices leave only the offset in the APIC window */
		if (ev->addr < 0x100000)
			ev->addr |= 0xfee00000;
		break;
	case S_SET_IRQ:
		ev->kind = PT_EV_IRQ_LINE;
		if (is_raw ? raw_get(&raw, "gsi", &ev->addr) || raw_get(&raw, "level", &ev->val)
			   : key(&p, "gsi", 0, &ev->addr) || key(&p, "level", 0, &ev->val))
			return R_BAD;
		ev->addr = (uint32_t)ev->addr;
		ev->val = (uint32_t)ev->val;	/* an int field: -1 reads as 0xffffffff */
		break;
	case S_APIC_ACCEPT:
		ev->kind = PT_EV_APIC_ACCEPT;
		a = NO_APICID;
		if (is_raw ? raw_get(&raw, "vec", &ev->val) || (raw_get(&raw, "apicid", &a), 0)
			   : key(&p, "apicid", 1, &a) || key(&p, "vec", 0, &ev->val))
			return R_BAD;
		ev->val = (uint8_t)ev->val;
		ev->addr = a != NO_APICID ? a : 0;
		break;
	case S_EOI:
		ev->kind = PT_EV_EOI;
		a = NO_APICID;
		if (is_raw ? raw_get(&raw, "vector", &ev->val) || (raw_get(&raw, "apicid", &a), 0)
			   : key(&p, "apicid", 1, &a) || key(&p, "vector", 0, &ev->val))
			return R_BAD;
		ev->val = (uint32_t)ev->val;
		/* as the binary reader: the EOI runs on the vcpu KVM prints the id of */
		if (a != NO_APICID) {
			ev->addr = a;
			*vcpu = (int)(a & 0x7fff);
		}
		break;
	case S_INJ_VIRQ:
		ev->kind = PT_EV_INJ_VIRQ;
		if (is_raw) {
			if (raw_get(&raw, "vector", &ev->val) && raw_get(&raw, "irq", &ev->val))
				return R_BAD;
		} else if (!key(&p, "irq", 0, &ev->val)) {
			/* older kernels: "irq 33" */
		} else if (key(&p, "IRQ", 1, &ev->val) && key(&p, "Soft/INTn", 1, &ev->val) &&
			   key(&p, "Vector", 1, &ev->val)) {
			return R_BAD;
		}
		ev->val = (uint32_t)ev->val;
		break;
	case S_INJ_EXCEPTION:
		ev->kind = PT_EV_INJ_EXCEPTION;
		if (is_raw) {
			if (raw_get(&raw, "exception", &ev->val))
				return R_BAD;
			if (!raw_get(&raw, "has_error", &a) && (uint8_t)a &&
			    !raw_get(&raw, "error_code", &b)) {
				ev->flags |= PT_EVF_ERROR_CODE;
				ev->extra = (uint32_t)b;
			}
		} else {
			const char *q = p;
			uint32_t vec;

			while (*q && !isspace((unsigned char)*q))
				q++;
			if (!lookup(exceptions, p, q - p, &vec)) {
				ev->val = vec;
				p = q;
			} else if (num(&p, 1, &ev->val)) {	/* unnamed: printed as 0x2 */
				return R_BAD;
			}
			while (*p == ' ')
				p++;
			if (*p == '(') {
				p++;
				if (num(&p, 1, &b) || *p != ')')
					return R_BAD;
				ev->flags |= PT_EVF_ERROR_CODE;
				ev->extra = (uint32_t)b;
			}
		}
		ev->val = (uint8_t)ev->val;
		break;
	case S_USER_EXIT:
		ev->kind = PT_EV_USER_EXIT;
		if (is_raw) {
			if (raw_get(&raw, "reason", &ev->val))
				return R_BAD;
		} else {
			const char *o;

			if (word(&p, "reason"))
				return R_BAD;
			while (*p == ' ')
				p++;
			o = strchr(p, '(');
			if (!o)
				return R_BAD;
			o++;
			if (num(&o, 0, &v) || *o != ')')
				return R_BAD;
			/*
			 * "restart (4)" and "error (N)": the ioctl failed and the
			 * number is the errno, not the reason; -EINTR leaves
			 * KVM_EXIT_INTR, anything else is unknown here.
			 */
			if (!strncmp(p, "restart", 7) && is_end(p[7]))
				v = 10;
			else if (!strncmp(p, "error", 5) && is_end(p[5]))
				v = 0;
			ev->val = v;
		}
		ev->val = (uint32_t)ev->val;
		break;
	case S_EXIT:
		ev->kind = PT_EV_EXIT;
		if (is_raw) {
			if (raw_get(&raw, "exit_reason", &ev->val) ||
			    raw_get(&raw, "guest_rip", &ev->rip))
				return R_BAD;
			if (!raw_get(&raw, "vcpu_id", &v))
				*vcpu = (int)(v & 0x7fff);
		} else {
			const char *r, *e;

			if (!key(&p, "vcpu", 0, &v))
				*vcpu = (int)(v & 0x7fff);
			if (word(&p, "reason"))
				return R_BAD;
			while (*p == ' ')
				p++;
			r = p;
			e = strstr(r, " rip ");
			if (!e)
				return R_BAD;
			p = e;
			if (parse_exit_reason(r, e - r, &ev->val) || key(&p, "rip", 1, &ev->rip))
				return R_BAD;
		}
		ev->val = (uint32_t)ev->val;
		break;
	case S_PAGE_FAULT:
		ev->kind = PT_EV_PAGE_FAULT;
		if (is_raw) {
			if (raw_get(&raw, "fault_address", &ev->addr) ||
			    raw_get(&raw, "error_code", &ev->val))
				return R_BAD;
			raw_get(&raw, "guest_rip", &ev->rip);
			if (!raw_get(&raw, "vcpu_id", &v))
				*vcpu = (int)(v & 0x7fff);
		} else {
			if (!key(&p, "vcpu", 0, &v))
				*vcpu = (int)(v & 0x7fff);
			if (key(&p, "rip", 1, &ev->rip))
				ev->rip = 0;
			/* older kernels print both in hex without 0x */
			if (key(&p, "address", 1, &ev->addr) || key(&p, "error_code", 1, &ev->val))
				return R_BAD;
		}
		break;
	case S_EMULATE:
		ev->kind = PT_EV_EMULATE;
		if (is_raw) {
			if (raw_get(&raw, "rip", &ev->rip))
				return R_BAD;
		} else {
			/* "csbase:rip: bytes" */
			if (num(&p, 1, &a) || *p++ != ':' || num(&p, 1, &ev->rip) || *p != ':')
				return R_BAD;
		}
		break;
	case S_NONE:
		return R_OTHER;
	}
	/* accesses are 1, 2, 4 or 8 bytes: anything else is a damaged record */
	if ((src == S_MMIO || src == S_PIO) &&
	    (ev->len == 0 || ev->len > 8 || (ev->len & (ev->len - 1))))
		return R_DAMAGED;
	return R_EVENT;
}

/* vcpu of a thread: from the record when it says, else by first appearance (reader.c) */
static int16_t vcpu_of(struct pt_text_reader *r, uint32_t tid, int known)
{
	unsigned h = (tid * 2654435761u) % TID_SLOTS;

	if (tid == r->last_tid && tid && (known < 0 || known == r->last_vcpu))
		return r->last_vcpu;
	r->last_tid = tid;
	r->last_vcpu = -1;

	for (unsigned n = 0; n < TID_SLOTS; n++, h = (h + 1) % TID_SLOTS) {
		if (r->tid_keys[h] == tid) {
			if (known >= 0)
				r->tid_vcpu[h] = known;
			return r->last_vcpu = r->tid_vcpu[h];
		}
		if (!r->tid_keys[h]) {
			r->tid_keys[h] = tid;
			r->tid_vcpu[h] = known >= 0 ? known : r->next_vcpu++;
			r->info.vcpus++;
			return r->last_vcpu = r->tid_vcpu[h];
		}
	}
	return -1;
}

static void remember_comm(struct pt_text_reader *t, uint32_t tid, const char *comm, size_t n)
{
	unsigned h = (tid * 2654435761u) % (PT_TEXT_COMMS * 2);
	struct comm *c = NULL;

	/* ftrace's "<...>": the name was not recorded, keep the one we have */
	if (!n || (n == 5 && !strncmp(comm, "<...>", 5)))
		return;
	if (n >= COMM_LEN)
		n = COMM_LEN - 1;
	for (unsigned i = 0; i < PT_TEXT_COMMS * 2; i++, h = (h + 1) % (PT_TEXT_COMMS * 2)) {
		int s = t->comm_slot[h] - 1;

		if (s >= 0 && t->comms[s].tid == tid) {
			c = &t->comms[s];
			break;
		}
		if (s < 0) {
			if (t->ncomms == PT_TEXT_COMMS)
				return;
			c = &t->comms[t->ncomms++];
			c->tid = tid;
			t->comm_slot[h] = (int16_t)t->ncomms;
			break;
		}
	}
	if (!c)
		return;
	memcpy(c->name, comm, n);
	c->name[n] = '\0';
}

/* The text of the pieces FROM..TO, joined directly or with a space where MASK says. */
static const char *join(struct pt_text_reader *t, int from, int to, unsigned mask)
{
	size_t n = 0;

	for (int i = from; i <= to; i++) {
		size_t l = strlen(t->pieces[i]);

		if (i > from && (mask >> (i - from - 1) & 1) && n < JOIN_MAX - 1)
			t->join[n++] = ' ';
		if (l > JOIN_MAX - 1 - n)
			l = JOIN_MAX - 1 - n;
		memcpy(t->join + n, t->pieces[i], l);
		n += l;
	}
	t->join[n] = '\0';
	return t->join;
}

/* Whether a space at the boundary after piece I changes nothing (one is there). */
static int spaced(const struct pt_text_reader *t, int i)
{
	size_t l = strlen(t->pieces[i]);

	return (l && isspace((unsigned char)t->pieces[i][l - 1])) ||
	       isspace((unsigned char)t->pieces[i + 1][0]);
}

static enum src source_of(const struct header *h)
{
	for (size_t i = 0; i < NSOURCES; i++)
		if (strlen(sources[i].name) == h->event_len &&
		    !strncmp(sources[i].name, h->event, h->event_len))
			return sources[i].src;
	return S_NONE;
}

static enum result parse_record(const char *s, struct header *h, struct pt_event *ev, int *vcpu)
{
	enum src src;

	if (header(s, h))
		return R_NONE;
	src = source_of(h);
	if (src == S_NONE)
		return R_OTHER;
	memset(ev, 0, sizeof(*ev));
	*vcpu = -1;
	return payload(src, h->payload, ev, vcpu);
}

/* What a whole record tells: comm, cpu, drops, the event. */
static void take(struct pt_text_reader *t, const struct header *h, enum result res,
		 struct pt_event *ev, int vcpu)
{
	int flag_lost = 0;

	t->info.records++;
	if (t->info.format == PT_TEXT_UNKNOWN)
		t->info.format = h->perf ? PT_TEXT_PERF
			       : (h->flags_column || t->saw_tracer_line) && !t->saw_cpus_line
			       ? PT_TEXT_FTRACE : PT_TEXT_TRACE_CMD;
	remember_comm(t, h->tid, h->comm, h->comm_len);
	if (h->cpu >= 0 && h->cpu < MAX_CPUS) {
		if ((unsigned)h->cpu + 1 > t->info.cpus)
			t->info.cpus = h->cpu + 1;
		t->cpu_seen[h->cpu] = 1;
		flag_lost = t->cpu_lost[h->cpu];
		t->cpu_lost[h->cpu] = 0;
	}
	if (res != R_OTHER) {
		enum src src = source_of(h);

		for (size_t i = 0; i < NSOURCES; i++)
			if (sources[i].src == src) {
				t->info.present |= 1u << sources[i].kind;
				if (sources[i].pair)
					t->info.present |= 1u << (sources[i].kind + 1);
			}
	}
	if (res == R_DAMAGED || res == R_BAD)
		t->info.damaged++;
	if (res != R_EVENT)
		return;
	ev->ts = h->ts;
	ev->cpu = (int16_t)h->cpu;
	ev->tid = h->tid;
	if (flag_lost)
		ev->flags |= PT_EVF_LOST_BEFORE;
	ev->vcpu = (ev->kind == PT_EV_MSI || ev->kind == PT_EV_IRQ_LINE ||
		    ev->kind == PT_EV_APIC_ACCEPT) ? -1 : vcpu_of(t, ev->tid, vcpu);
	if (h->usec)
		t->info.usec_ts = 1;
	if (!t->info.events)
		t->info.first_ts = ev->ts;
	t->info.last_ts = ev->ts;
	t->info.events++;
	if (t->nready < MAX_PIECES)
		t->ready[t->nready++] = *ev;
}

/*
 * Turns the collected pieces into a record.  A mail client may have broken
 * a line inside a word or at a space it then dropped: each way of joining
 * is tried, directly first; pieces that fit no record (a greeting before,
 * a signature after) are left out.
 */
static void flush(struct pt_text_reader *t)
{
	struct header h;
	struct pt_event ev;
	int vcpu;

	while (t->npieces) {
		int n = t->npieces, used = 0;
		enum result bad = R_NONE;

		for (int from = 0; from < n && !used; from++) {
			for (int to = n - 1; to >= from && !used; to--) {
				unsigned combos = 1u << (to - from);
				int other = -1;	/* a join that made a non-kvm record */
				unsigned best = 0;
				enum result res;

				for (unsigned mask = 0; mask < combos; mask++) {
					int skip = 0;

					for (int i = from; i < to; i++)
						if ((mask >> (i - from) & 1) && spaced(t, i))
							skip = 1;
					if (skip)
						continue;
					res = parse_record(join(t, from, to, mask), &h, &ev, &vcpu);
					if (res == R_BAD)
						bad = R_BAD;
					if (res == R_BAD || res == R_NONE)
						continue;
					/*
					 * "kvm_emulate_insn:" + "0:10003e:" is an event
					 * no one knows: a space may make a kvm record
					 */
					if (res == R_OTHER) {
						if (other < 0)
							other = (int)mask;
						continue;
					}
					best = mask;
					used = to + 1;
					break;
				}
				if (!used && other >= 0) {
					best = (unsigned)other;
					used = to + 1;
				}
				if (used) {
					if (to > from)
						t->info.joined = 1;
					res = parse_record(join(t, from, to, best), &h, &ev, &vcpu);
					take(t, &h, res, &ev, vcpu);
				}
			}
		}
		if (!used) {
			/* a kvm record nothing fixes: count it once, with its header */
			if (bad == R_BAD) {
				if (parse_record(join(t, 0, n - 1, 0), &h, &ev, &vcpu) != R_NONE)
					take(t, &h, R_BAD, &ev, vcpu);
				else
					t->info.damaged++;
			}
			t->npieces = 0;
			break;
		}
		/* the pieces after the record may be the next one */
		memmove(t->pieces[0], t->pieces[used], sizeof(t->pieces[0]) * (n - used));
		t->npieces = n - used;
	}
}

/* "CPU:2 [123 EVENTS DROPPED]", "CPU:2 [EVENTS DROPPED]", "CPU:2 [LOST 123 EVENTS]" */
static int drop_line(struct pt_text_reader *t, const char *s)
{
	const char *p = s;
	uint64_t cpu, n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "CPU:", 4))
		return 0;
	p += 4;
	if (num(&p, 0, &cpu) || !strchr(p, '[') ||
	    (!strstr(p, "DROPPED]") && !strstr(p, "EVENTS]")))
		return 0;
	p = strchr(p, '[') + 1;
	if (!strncmp(p, "LOST ", 5))
		p += 5;
	num(&p, 0, &n);
	if (cpu < MAX_CPUS) {
		if (!t->cpu_seen[cpu]) {
			t->info.overwritten += n;
		} else {
			t->info.lost += n;
			t->info.lost_gaps++;
		}
		t->cpu_lost[cpu] = 1;
	}
	return 1;
}

/* Removes mail quoting, "> > " or ">", the same way from every line. */
static char *unquote(struct pt_text_reader *t, char *s)
{
	int quoted = 0;

	while (*s == '>') {
		s++;
		if (*s == ' ')
			s++;
		quoted = 1;
	}
	if (quoted)
		t->info.quoted = 1;
	return s;
}

static int blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

/*
 * Whether S begins a record a mail client cut after its cpu column:
 * "comm-tid [cpu]" or "comm tid [cpu]", whatever follows.  A line cut
 * before the cpu column is taken as a continuation.
 */
static int starts_record(const char *s)
{
	for (const char *br = strchr(s, '['); br; br = strchr(br + 1, '[')) {
		const char *p = br + 1, *q = br;

		while (is_digit(*p))
			p++;
		if (p == br + 1 || *p != ']')
			continue;
		while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q > s && is_digit(q[-1]))
			return 1;
	}
	return 0;
}

/* One line of text: ends a record, starts one, or continues one. */
static void line(struct pt_text_reader *t, char *s)
{
	struct header h;
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (blank(s)) {
		flush(t);
		return;
	}
	if (*p == '#') {
		flush(t);
		if (!strncmp(p, "# tracer:", 9))
			t->saw_tracer_line = 1;
		return;
	}
	if (!strncmp(p, "cpus=", 5)) {
		uint64_t n;

		flush(t);
		p += 5;
		if (!num(&p, 0, &n) && n < MAX_CPUS) {
			t->saw_cpus_line = 1;
			if (n > t->info.cpus)
				t->info.cpus = (unsigned)n;
		}
		return;
	}
	if (drop_line(t, s)) {
		flush(t);
		return;
	}
	if (!header(s, &h) || starts_record(s) || t->npieces == MAX_PIECES)
		flush(t);
	snprintf(t->pieces[t->npieces++], PT_TEXT_LINE_MAX, "%s", s);
}

int pt_text_next(struct pt_text_reader *t, struct pt_event *ev)
{
	while (t->next_ready == t->nready) {
		char *s;
		size_t n;

		t->next_ready = t->nready = 0;
		if (!t->f)
			return 0;
		if (!fgets(t->line, sizeof(t->line), t->f)) {
			if (ferror(t->f)) {
				snprintf(t->err, sizeof(t->err), "cannot read the trace: %s",
					 strerror(errno ? errno : EIO));
				return -1;
			}
			flush(t);
			t->f = NULL;	/* the end: what flush made is the last */
			continue;
		}
		t->info.lines++;
		n = strlen(t->line);
		if (n && t->line[n - 1] != '\n' && !feof(t->f)) {
			int c;

			/* longer than any kvm record: keep the start, drop the rest */
			while ((c = getc(t->f)) != EOF && c != '\n')
				;
		}
		while (n && (t->line[n - 1] == '\n' || t->line[n - 1] == '\r'))
			t->line[--n] = '\0';
		s = unquote(t, t->line);
		line(t, s);
	}
	*ev = t->ready[t->next_ready++];
	return 1;
}

struct pt_text_reader *pt_text_open(FILE *f, struct pt_err *err)
{
	struct pt_text_reader *t = calloc(1, sizeof(*t));

	if (!t) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	t->f = f;
	return t;
}

void pt_text_close(struct pt_text_reader *t)
{
	free(t);
}

const struct pt_text_info *pt_text_info(const struct pt_text_reader *t)
{
	return &t->info;
}

const char *pt_text_error(const struct pt_text_reader *t)
{
	return t->err;
}

const char *pt_text_comm(const struct pt_text_reader *t, uint32_t tid)
{
	unsigned h = (tid * 2654435761u) % (PT_TEXT_COMMS * 2);

	for (unsigned i = 0; i < PT_TEXT_COMMS * 2; i++, h = (h + 1) % (PT_TEXT_COMMS * 2)) {
		int s = t->comm_slot[h] - 1;

		if (s < 0)
			return NULL;
		if (t->comms[s].tid == tid)
			return t->comms[s].name;
	}
	return NULL;
}

unsigned pt_text_ncomms(const struct pt_text_reader *t)
{
	return t->ncomms;
}

const char *pt_text_comm_at(const struct pt_text_reader *t, unsigned i, uint32_t *tid)
{
	if (i >= t->ncomms)
		return NULL;
	if (tid)
		*tid = t->comms[i].tid;
	return t->comms[i].name;
}

const char *pt_text_format_name(enum pt_text_format format)
{
	switch (format) {
	case PT_TEXT_TRACE_CMD:
		return "trace-cmd report";
	case PT_TEXT_FTRACE:
		return "ftrace";
	case PT_TEXT_PERF:
		return "perf script";
	case PT_TEXT_UNKNOWN:
		break;
	}
	return "unknown";
}

/*
 * Text, not binary (a trace.dat starts "\x17\x08\x44tracing" and has NULs),
 * with a line that is a kvm event record, or, when mail wrapped every
 * record, a kvm event name next to a cpu column somewhere.
 */
int pt_text_probe(const char *buf, size_t len)
{
	char l[PT_TEXT_LINE_MAX];
	size_t i = 0;
	int name = 0, cpu_col = 0;

	if (!buf || !len)
		return 0;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = buf[k];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f'))
			return 0;
	}
	while (i < len) {
		size_t n = 0;
		struct header h;
		char *s;

		while (i < len && buf[i] != '\n') {
			if (n < sizeof(l) - 1)
				l[n++] = buf[i];
			i++;
		}
		i++;
		l[n] = '\0';
		if (i > len)
			break;	/* the last line may be cut short: not judged */
		s = l;
		while (*s == '>') {
			s++;
			if (*s == ' ')
				s++;
		}
		if (!header(s, &h) && source_of(&h) != S_NONE)
			return 1;
		for (size_t k = 0; k < NSOURCES && !name; k++) {
			const char *m = strstr(s, sources[k].name);

			if (m && m[strlen(sources[k].name)] == ':')
				name = 1;
		}
		for (const char *b = strchr(s, '['); b && !cpu_col; b = strchr(b + 1, '[')) {
			const char *d = b + 1;

			while (is_digit(*d))
				d++;
			cpu_col = d > b + 1 && *d == ']';
		}
	}
	return name && cpu_col;
}
