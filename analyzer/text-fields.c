/*
 * The fields of each kvm event pttrace reads, as the kernel's print
 * format prints them (in each version that changed them) or as the raw
 * "name=value" fields trace-cmd shows when it has no print format, made
 * into the pt_event analyzer/reader.c makes of the same record in a
 * trace.dat.  One decoder per event, in the table at the end.
 */
#include <ctype.h>
#include <string.h>

#include "text-local.h"

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
			if (pt_text_num(&s, 0, &raw->f[raw->n].val))
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

/* ---- what several events print alike ---- */

#define NO_APICID UINT64_MAX	/* the record printed none */

/* "WRITE" or "READ" at *P into *IS_WRITE: 0, or -1 when neither. */
static int direction(const char **p, const char *write, const char *read, uint64_t *is_write)
{
	if (!pt_text_word(p, write))
		*is_write = 1;
	else if (!pt_text_word(p, read))
		*is_write = 0;
	else
		return -1;
	return 0;
}

/* The record's vcpu number, vcpu_id or "vcpu 1", into *VCPU when it has one. */
static void vcpu_id(const char **p, const struct raw *raw, int *vcpu)
{
	uint64_t v;

	if (raw ? !raw_get(raw, "vcpu_id", &v) : !pt_text_key(p, "vcpu", 0, &v))
		*vcpu = (int)(v & 0x7fff);
}

/* An access's length LEN: 1, 2, 4 or 8 bytes; anything else is a damaged record. */
static enum pt_text_result access_len(struct pt_event *ev, uint64_t len)
{
	ev->len = (uint8_t)(uint32_t)len;
	if ((uint32_t)len != ev->len)
		ev->len = 0;
	if (ev->len == 0 || ev->len > 8 || (ev->len & (ev->len - 1)))
		return R_DAMAGED;
	return R_EVENT;
}

/*
 * ---- one decoder per event ----
 * Each gets the payload P, and RAW when the payload is raw fields (P is
 * then not to be read); it fills EV and *VCPU as pt_text_decode says.
 */

static enum pt_text_result mmio(const char *p, const struct raw *raw, struct pt_event *ev,
				int *vcpu)
{
	uint64_t type, len;

	(void)vcpu;
	if (raw) {
		if (raw_get(raw, "type", &type) || raw_get(raw, "len", &len) ||
		    raw_get(raw, "gpa", &ev->addr) || raw_get(raw, "val", &ev->val))
			return R_BAD;
	} else {
		if (pt_text_word(&p, "mmio"))
			return R_BAD;
		if (!pt_text_word(&p, "unsatisfied-read"))
			type = 0;
		else if (!pt_text_word(&p, "read"))
			type = 1;
		else if (!pt_text_word(&p, "write"))
			type = 2;
		else if (pt_text_num(&p, 0, &type))
			return R_BAD;
		if (pt_text_key(&p, "len", 0, &len) || pt_text_key(&p, "gpa", 1, &ev->addr) ||
		    pt_text_key(&p, "val", 1, &ev->val))
			return R_BAD;
	}
	type = (uint32_t)type;
	if (type == 0)	/* KVM_TRACE_MMIO_READ_UNSATISFIED: the completed read follows */
		return R_SKIP;
	ev->kind = type == 1 ? PT_EV_MMIO_READ : PT_EV_MMIO_WRITE;
	return access_len(ev, len);
}

static enum pt_text_result pio(const char *p, const struct raw *raw, struct pt_event *ev,
			       int *vcpu)
{
	uint64_t write, size, count;

	(void)vcpu;
	if (raw) {
		if (raw_get(raw, "rw", &write) || raw_get(raw, "port", &ev->addr) ||
		    raw_get(raw, "size", &size))
			return R_BAD;
		if (raw_get(raw, "val", &ev->val))
			ev->val = 0;
	} else {
		if (direction(&p, "pio_write", "pio_read", &write) ||
		    pt_text_key(&p, "at", 1, &ev->addr) || pt_text_key(&p, "size", 0, &size) ||
		    pt_text_key(&p, "count", 0, &count))
			return R_BAD;
		/* older kernels print no val */
		if (pt_text_key(&p, "val", 1, &ev->val))
			ev->val = 0;
	}
	ev->kind = (uint32_t)write ? PT_EV_PIO_WRITE : PT_EV_PIO_READ;
	ev->addr = (uint32_t)ev->addr;
	ev->val = (uint32_t)ev->val;
	return access_len(ev, size);
}

static enum pt_text_result msr(const char *p, const struct raw *raw, struct pt_event *ev,
			       int *vcpu)
{
	uint64_t write, exception = 0;

	(void)vcpu;
	if (raw) {
		if (raw_get(raw, "write", &write) || raw_get(raw, "ecx", &ev->addr) ||
		    raw_get(raw, "data", &ev->val))
			return R_BAD;
		/* kernels before 3.x had no exception field */
		if (raw_get(raw, "exception", &exception))
			exception = 0;
	} else {
		/* the index is hex without 0x; a refused access ends in " (#GP)" */
		if (direction(&p, "msr_write", "msr_read", &write) || pt_text_num(&p, 1, &ev->addr) ||
		    pt_text_word(&p, "=") || pt_text_num(&p, 1, &ev->val))
			return R_BAD;
		exception = !pt_text_word(&p, "(#GP)");
	}
	if (exception)
		ev->flags |= PT_EVF_REFUSED;
	ev->kind = (uint32_t)write ? PT_EV_MSR_WRITE : PT_EV_MSR_READ;
	ev->addr = (uint32_t)ev->addr;
	return R_EVENT;
}

/* "dst 1 vec 33 (Fixed|logical|level|rh)": the address and data rebuilt (pt-text.h) */
static int msi_printed(const char *p, struct pt_event *ev)
{
	static const char *modes[] = { "Fixed", "LowPrio", "SMI", "Res3", "NMI", "INIT", "SIPI",
				       "ExtINT" };
	uint64_t dst, vec, mode = 8;
	const char *q;
	size_t n;

	if (pt_text_key(&p, "dst", 1, &dst) || pt_text_key(&p, "vec", 0, &vec))
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
		if (pt_text_num(&p, 1, &mode) || p != q)
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

static enum pt_text_result msi(const char *p, const struct raw *raw, struct pt_event *ev,
			       int *vcpu)
{
	(void)vcpu;
	ev->kind = PT_EV_MSI;
	if (raw) {
		if (raw_get(raw, "address", &ev->addr) || raw_get(raw, "data", &ev->val))
			return R_BAD;
	} else {
		if (msi_printed(p, ev))
			return R_BAD;
	}
	/* as reader.c: QEMU's devices leave only the offset in the APIC window */
	if (ev->addr < 0x100000)
		ev->addr |= 0xfee00000;
	return R_EVENT;
}

static enum pt_text_result set_irq(const char *p, const struct raw *raw, struct pt_event *ev,
				   int *vcpu)
{
	(void)vcpu;
	ev->kind = PT_EV_IRQ_LINE;
	if (raw ? raw_get(raw, "gsi", &ev->addr) || raw_get(raw, "level", &ev->val)
		: pt_text_key(&p, "gsi", 0, &ev->addr) || pt_text_key(&p, "level", 0, &ev->val))
		return R_BAD;
	ev->addr = (uint32_t)ev->addr;
	ev->val = (uint32_t)ev->val;	/* an int field: -1 reads as 0xffffffff */
	return R_EVENT;
}

static enum pt_text_result apic_accept(const char *p, const struct raw *raw,
				       struct pt_event *ev, int *vcpu)
{
	uint64_t apicid = NO_APICID;

	(void)vcpu;
	ev->kind = PT_EV_APIC_ACCEPT;
	if (raw ? raw_get(raw, "vec", &ev->val) || (raw_get(raw, "apicid", &apicid), 0)
		: pt_text_key(&p, "apicid", 1, &apicid) || pt_text_key(&p, "vec", 0, &ev->val))
		return R_BAD;
	ev->val = (uint8_t)ev->val;
	ev->addr = apicid != NO_APICID ? apicid : 0;
	return R_EVENT;
}

static enum pt_text_result eoi(const char *p, const struct raw *raw, struct pt_event *ev,
			       int *vcpu)
{
	uint64_t apicid = NO_APICID;

	ev->kind = PT_EV_EOI;
	if (raw ? raw_get(raw, "vector", &ev->val) || (raw_get(raw, "apicid", &apicid), 0)
		: pt_text_key(&p, "apicid", 1, &apicid) || pt_text_key(&p, "vector", 0, &ev->val))
		return R_BAD;
	ev->val = (uint32_t)ev->val;
	/* as the binary reader: the EOI runs on the vcpu KVM prints the id of */
	if (apicid != NO_APICID) {
		ev->addr = apicid;
		*vcpu = (int)(apicid & 0x7fff);
	}
	return R_EVENT;
}

static enum pt_text_result inj_virq(const char *p, const struct raw *raw, struct pt_event *ev,
				    int *vcpu)
{
	(void)vcpu;
	ev->kind = PT_EV_INJ_VIRQ;
	if (raw) {
		if (raw_get(raw, "vector", &ev->val) && raw_get(raw, "irq", &ev->val))
			return R_BAD;
	} else if (!pt_text_key(&p, "irq", 0, &ev->val)) {
		/* older kernels: "irq 33" */
	} else if (pt_text_key(&p, "IRQ", 1, &ev->val) &&
		   pt_text_key(&p, "Soft/INTn", 1, &ev->val) &&
		   pt_text_key(&p, "Vector", 1, &ev->val)) {
		return R_BAD;
	}
	ev->val = (uint32_t)ev->val;
	return R_EVENT;
}

static enum pt_text_result inj_exception(const char *p, const struct raw *raw,
					 struct pt_event *ev, int *vcpu)
{
	uint64_t has_error, code;

	(void)vcpu;
	ev->kind = PT_EV_INJ_EXCEPTION;
	if (raw) {
		if (raw_get(raw, "exception", &ev->val))
			return R_BAD;
		if (!raw_get(raw, "has_error", &has_error) && (uint8_t)has_error &&
		    !raw_get(raw, "error_code", &code)) {
			ev->flags |= PT_EVF_ERROR_CODE;
			ev->extra = (uint32_t)code;
		}
	} else {
		const char *q = p;
		uint32_t vec;

		while (*q && !isspace((unsigned char)*q))
			q++;
		if (!pt_text_exception(p, q - p, &vec)) {
			ev->val = vec;
			p = q;
		} else if (pt_text_num(&p, 1, &ev->val)) {	/* unnamed: printed as 0x2 */
			return R_BAD;
		}
		while (*p == ' ')
			p++;
		if (*p == '(') {
			p++;
			if (pt_text_num(&p, 1, &code) || *p != ')')
				return R_BAD;
			ev->flags |= PT_EVF_ERROR_CODE;
			ev->extra = (uint32_t)code;
		}
	}
	ev->val = (uint8_t)ev->val;
	return R_EVENT;
}

static enum pt_text_result user_exit(const char *p, const struct raw *raw, struct pt_event *ev,
				     int *vcpu)
{
	(void)vcpu;
	ev->kind = PT_EV_USER_EXIT;
	if (raw) {
		if (raw_get(raw, "reason", &ev->val))
			return R_BAD;
	} else {
		const char *o;
		uint64_t v;

		if (pt_text_word(&p, "reason"))
			return R_BAD;
		while (*p == ' ')
			p++;
		o = strchr(p, '(');
		if (!o)
			return R_BAD;
		o++;
		if (pt_text_num(&o, 0, &v) || *o != ')')
			return R_BAD;
		/*
		 * "restart (4)" and "error (N)": the ioctl failed and the
		 * number is the errno, not the reason; -EINTR leaves
		 * KVM_EXIT_INTR, anything else is unknown here.
		 */
		if (!strncmp(p, "restart", 7) && pt_text_is_end(p[7]))
			v = 10;
		else if (!strncmp(p, "error", 5) && pt_text_is_end(p[5]))
			v = 0;
		ev->val = v;
	}
	ev->val = (uint32_t)ev->val;
	return R_EVENT;
}

static enum pt_text_result vm_exit(const char *p, const struct raw *raw, struct pt_event *ev,
				 int *vcpu)
{
	ev->kind = PT_EV_EXIT;
	if (raw) {
		if (raw_get(raw, "exit_reason", &ev->val) || raw_get(raw, "guest_rip", &ev->rip))
			return R_BAD;
		vcpu_id(NULL, raw, vcpu);
	} else {
		const char *r, *e;

		vcpu_id(&p, NULL, vcpu);
		if (pt_text_word(&p, "reason"))
			return R_BAD;
		while (*p == ' ')
			p++;
		r = p;
		e = strstr(r, " rip ");
		if (!e)
			return R_BAD;
		p = e;
		if (pt_text_exit_reason(r, e - r, &ev->val) || pt_text_key(&p, "rip", 1, &ev->rip))
			return R_BAD;
	}
	ev->val = (uint32_t)ev->val;
	return R_EVENT;
}

static enum pt_text_result page_fault(const char *p, const struct raw *raw,
				      struct pt_event *ev, int *vcpu)
{
	ev->kind = PT_EV_PAGE_FAULT;
	if (raw) {
		if (raw_get(raw, "fault_address", &ev->addr) ||
		    raw_get(raw, "error_code", &ev->val))
			return R_BAD;
		raw_get(raw, "guest_rip", &ev->rip);
		vcpu_id(NULL, raw, vcpu);
	} else {
		vcpu_id(&p, NULL, vcpu);
		if (pt_text_key(&p, "rip", 1, &ev->rip))
			ev->rip = 0;
		/* older kernels print both in hex without 0x */
		if (pt_text_key(&p, "address", 1, &ev->addr) ||
		    pt_text_key(&p, "error_code", 1, &ev->val))
			return R_BAD;
	}
	return R_EVENT;
}

static enum pt_text_result emulate(const char *p, const struct raw *raw, struct pt_event *ev,
				   int *vcpu)
{
	uint64_t csbase;

	(void)vcpu;
	ev->kind = PT_EV_EMULATE;
	if (raw) {
		if (raw_get(raw, "rip", &ev->rip))
			return R_BAD;
	} else {
		/* "csbase:rip: bytes" */
		if (pt_text_num(&p, 1, &csbase) || *p++ != ':' || pt_text_num(&p, 1, &ev->rip) ||
		    *p != ':')
			return R_BAD;
	}
	return R_EVENT;
}

/* ---- the events, as reader.c's table ---- */

static const struct source {
	const char *name;
	enum pt_text_result (*decode)(const char *p, const struct raw *raw, struct pt_event *ev,
				      int *vcpu);
	enum pt_event_kind kind;	/* the first kind it produces */
	int pair;			/* it produces kind + 1 too */
} sources[] = {
	{ "kvm_mmio", mmio, PT_EV_MMIO_READ, 1 },
	{ "kvm_pio", pio, PT_EV_PIO_READ, 1 },
	{ "kvm_msr", msr, PT_EV_MSR_READ, 1 },
	{ "kvm_msi_set_irq", msi, PT_EV_MSI, 0 },
	{ "kvm_set_irq", set_irq, PT_EV_IRQ_LINE, 0 },
	{ "kvm_apic_accept_irq", apic_accept, PT_EV_APIC_ACCEPT, 0 },
	{ "kvm_eoi", eoi, PT_EV_EOI, 0 },
	{ "kvm_inj_virq", inj_virq, PT_EV_INJ_VIRQ, 0 },
	{ "kvm_inj_exception", inj_exception, PT_EV_INJ_EXCEPTION, 0 },
	{ "kvm_userspace_exit", user_exit, PT_EV_USER_EXIT, 0 },
	{ "kvm_exit", vm_exit, PT_EV_EXIT, 0 },
	{ "kvm_page_fault", page_fault, PT_EV_PAGE_FAULT, 0 },
	{ "kvm_emulate_insn", emulate, PT_EV_EMULATE, 0 },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static const struct source *source_of(const struct pt_text_header *h)
{
	for (size_t i = 0; i < NSOURCES; i++)
		if (strlen(sources[i].name) == h->event_len &&
		    !strncmp(sources[i].name, h->event, h->event_len))
			return &sources[i];
	return NULL;
}

enum pt_text_result pt_text_decode(const struct pt_text_header *h, struct pt_event *ev,
				   int *vcpu)
{
	const struct source *src = source_of(h);
	const char *p = h->payload, *q;
	struct raw raw;
	int is_raw;

	if (!src)
		return R_OTHER;
	memset(ev, 0, sizeof(*ev));
	*vcpu = -1;
	if (!strncmp(p, "[FAILED TO PARSE]", 17))
		p += 17;
	while (*p == ' ')
		p++;
	/* "name=value": raw fields, whatever the event prints */
	q = p;
	while (isalnum((unsigned char)*q) || *q == '_')
		q++;
	is_raw = q > p && *q == '=';
	if (is_raw && parse_raw(p, &raw))
		return R_BAD;
	return src->decode(p, is_raw ? &raw : NULL, ev, vcpu);
}

unsigned pt_text_kinds(const struct pt_text_header *h)
{
	const struct source *src = source_of(h);

	if (!src)
		return 0;
	return 1u << src->kind | (src->pair ? 1u << (src->kind + 1) : 0);
}

int pt_text_names_event(const char *s)
{
	for (size_t i = 0; i < NSOURCES; i++) {
		const char *m = strstr(s, sources[i].name);

		if (m && m[strlen(sources[i].name)] == ':')
			return 1;
	}
	return 0;
}
