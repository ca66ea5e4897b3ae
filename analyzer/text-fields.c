// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fields of each kvm event pttrace reads, out of a record's text:
 * as the kernel's print format prints them (in each version that changed
 * them), or as the raw "name=value" fields trace-cmd shows when it has no
 * print format.  The event is then made by the same decode as
 * analyzer/reader.c uses on a trace.dat (kvm-events.h).
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

/* The raw fields of RAW that E's row names, into REC: 0, or -1 when one it needs is not there. */
static int raw_record(const struct raw *raw, const struct pt_kvm_event *e, struct pt_kvm_record *rec)
{
	for (int j = 0; j < PT_KVM_FIELDS && e->fields[j]; j++) {
		const char *name = e->fields[j];
		int optional = name[0] == '?';

		if (!raw_get(raw, name + optional, &rec->v[j]))
			rec->has |= 1u << j;
		else if (!optional)
			return -1;
	}
	return 0;
}

/* ---- what several events print alike ---- */

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

/* "vcpu 1" at *P into field J of REC, when the record prints it. */
static void vcpu_id(const char **p, struct pt_kvm_record *rec, int j)
{
	if (!pt_text_key(p, "vcpu", 0, &rec->v[j]))
		rec->has |= 1u << j;
}

/*
 * ---- one parser per event, of what its print format prints ----
 * Each reads the payload P into REC's fields, in the order of the
 * event's row in kvm-events.c: 0, or -1 when P is not what it prints.
 */

/* "mmio write len 4 gpa 0xfebf0008 val 0x1" */
int pt_text_mmio(const char *p, struct pt_kvm_record *rec)
{
	if (pt_text_word(&p, "mmio"))
		return -1;
	if (!pt_text_word(&p, "unsatisfied-read"))
		rec->v[0] = 0;
	else if (!pt_text_word(&p, "read"))
		rec->v[0] = 1;
	else if (!pt_text_word(&p, "write"))
		rec->v[0] = 2;
	else if (pt_text_num(&p, 0, &rec->v[0]))
		return -1;
	if (pt_text_key(&p, "len", 0, &rec->v[1]) || pt_text_key(&p, "gpa", 1, &rec->v[2]) ||
	    pt_text_key(&p, "val", 1, &rec->v[3]))
		return -1;
	return 0;
}

/* "pio_write at 0xcf8 size 4 count 1 val 0x80001804" */
int pt_text_pio(const char *p, struct pt_kvm_record *rec)
{
	uint64_t count;

	if (direction(&p, "pio_write", "pio_read", &rec->v[0]) ||
	    pt_text_key(&p, "at", 1, &rec->v[1]) || pt_text_key(&p, "size", 0, &rec->v[2]) ||
	    pt_text_key(&p, "count", 0, &count))
		return -1;
	/* older kernels print no val */
	if (pt_text_key(&p, "val", 1, &rec->v[3]))
		rec->v[3] = 0;
	return 0;
}

/* "msr_write 40000100 = 0x5": the index is hex without 0x */
int pt_text_msr(const char *p, struct pt_kvm_record *rec)
{
	/* a refused access ends in " (#GP)" */
	if (direction(&p, "msr_write", "msr_read", &rec->v[0]) || pt_text_num(&p, 1, &rec->v[1]) ||
	    pt_text_word(&p, "=") || pt_text_num(&p, 1, &rec->v[2]))
		return -1;
	rec->v[3] = !pt_text_word(&p, "(#GP)");
	return 0;
}

/* "dst 1 vec 33 (Fixed|logical|level|rh)": the address and data rebuilt (pt-text.h) */
int pt_text_msi(const char *p, struct pt_kvm_record *rec)
{
	static const char *modes[] = { "Fixed", "LowPrio", "SMI", "Res3", "NMI", "INIT", "SIPI",
				       "ExtINT" };
	uint64_t dst, vec, mode = 8, *addr = &rec->v[0], *data = &rec->v[1];
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
	*addr = 0xfee00000u | (dst & 0xff) << 12 | (dst & ~0xffull) << 32;
	if (!strncmp(p, "logical", 7))
		*addr |= 1 << 2;
	else if (strncmp(p, "physical", 8))
		return -1;
	q = strchr(p, '|');
	if (!q)
		return -1;
	p = q + 1;
	*data = (vec & 0xff) | (mode & 7) << 8;
	if (!strncmp(p, "level", 5))
		*data |= 1 << 15;
	else if (strncmp(p, "edge", 4))
		return -1;
	if (strstr(p, "|rh"))
		*addr |= 1 << 3;
	return 0;
}

/* "gsi 16 level -1 source 0" */
int pt_text_set_irq(const char *p, struct pt_kvm_record *rec)
{
	return pt_text_key(&p, "gsi", 0, &rec->v[0]) || pt_text_key(&p, "level", 0, &rec->v[1])
	       ? -1 : 0;
}

/* "apicid 0 vec 33 (Fixed|edge)" */
int pt_text_apic_accept(const char *p, struct pt_kvm_record *rec)
{
	if (pt_text_key(&p, "apicid", 1, &rec->v[1]) || pt_text_key(&p, "vec", 0, &rec->v[0]))
		return -1;
	rec->has |= 1u << 1;
	return 0;
}

/* "apicid 1 vector 33" */
int pt_text_eoi(const char *p, struct pt_kvm_record *rec)
{
	if (pt_text_key(&p, "apicid", 1, &rec->v[1]) || pt_text_key(&p, "vector", 0, &rec->v[0]))
		return -1;
	rec->has |= 1u << 1;
	return 0;
}

/* "IRQ 0x21", "Soft/INTn 0x80", "Vector 0x21"; older kernels "irq 33" */
int pt_text_inj_virq(const char *p, struct pt_kvm_record *rec)
{
	if (pt_text_key(&p, "irq", 0, &rec->v[0]) && pt_text_key(&p, "IRQ", 1, &rec->v[0]) &&
	    pt_text_key(&p, "Soft/INTn", 1, &rec->v[0]) && pt_text_key(&p, "Vector", 1, &rec->v[0]))
		return -1;
	rec->has |= 1u << 0;
	return 0;
}

/* "#GP (0x0)": the vector by name, or a number when it has none; the error code if any */
int pt_text_inj_exception(const char *p, struct pt_kvm_record *rec)
{
	const char *q = p;
	uint32_t vec;

	while (*q && !isspace((unsigned char)*q))
		q++;
	if (!pt_exception_by_name(p, q - p, &vec)) {
		rec->v[0] = vec;
		p = q;
	} else if (pt_text_num(&p, 1, &rec->v[0])) {	/* unnamed: printed as 0x2 */
		return -1;
	}
	while (*p == ' ')
		p++;
	if (*p == '(') {
		p++;
		if (pt_text_num(&p, 1, &rec->v[2]) || *p != ')')
			return -1;
		rec->v[1] = 1;
		rec->has |= 1u << 1 | 1u << 2;
	}
	return 0;
}

/* "reason KVM_EXIT_SHUTDOWN (8)" */
int pt_text_user_exit(const char *p, struct pt_kvm_record *rec)
{
	const char *o;
	uint64_t v;

	if (pt_text_word(&p, "reason"))
		return -1;
	while (*p == ' ')
		p++;
	o = strchr(p, '(');
	if (!o)
		return -1;
	o++;
	if (pt_text_num(&o, 0, &v) || *o != ')')
		return -1;
	/*
	 * "restart (4)" and "error (N)": the ioctl failed and the number is
	 * the errno, not the reason; -EINTR leaves KVM_EXIT_INTR, anything
	 * else is unknown here.
	 */
	if (!strncmp(p, "restart", 7) && pt_text_is_end(p[7]))
		v = 10;
	else if (!strncmp(p, "error", 5) && pt_text_is_end(p[5]))
		v = 0;
	rec->v[0] = v;
	return 0;
}

int pt_text_exit_reason(const char *p, size_t n, uint64_t *val)
{
	uint32_t v, flag;
	const char *sp;

	if (!pt_exit_reason_by_name(PT_ISA_SVM, p, n, &v)) {
		*val = v;
		return 0;
	}
	/* VMX: "EPT_VIOLATION" or "EPT_VIOLATION FAILED_VMENTRY|SGX_ENCLAVE_MODE" */
	sp = memchr(p, ' ', n);
	if (!pt_exit_reason_by_name(PT_ISA_VMX, p, sp ? (size_t)(sp - p) : n, &v)) {
		*val = v;
		if (sp) {
			const char *f = sp + 1, *e = p + n;

			while (f < e) {
				const char *bar = memchr(f, '|', e - f);
				size_t fl = bar ? (size_t)(bar - f) : (size_t)(e - f);

				if (pt_exit_flag_by_name(f, fl, &flag))
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

/* "vcpu 1 reason EPT_VIOLATION rip 0xffffffff81234567 info1 ..." (older kernels: no vcpu) */
int pt_text_exit(const char *p, struct pt_kvm_record *rec)
{
	const char *r, *e;

	vcpu_id(&p, rec, 2);
	if (pt_text_word(&p, "reason"))
		return -1;
	while (*p == ' ')
		p++;
	r = p;
	e = strstr(r, " rip ");
	if (!e)
		return -1;
	p = e;
	if (pt_text_exit_reason(r, e - r, &rec->v[0]) || pt_text_key(&p, "rip", 1, &rec->v[1]))
		return -1;
	return 0;
}

/* "vcpu 1 rip 0x1000 address 0x00000000fee00000 error_code 0x181" */
int pt_text_page_fault(const char *p, struct pt_kvm_record *rec)
{
	vcpu_id(&p, rec, 3);
	if (pt_text_key(&p, "rip", 1, &rec->v[2]))
		rec->v[2] = 0;
	/* older kernels print both in hex without 0x */
	if (pt_text_key(&p, "address", 1, &rec->v[0]) || pt_text_key(&p, "error_code", 1, &rec->v[1]))
		return -1;
	return 0;
}

/* "0:ffffffff8100abcd: 0f 0b": csbase:rip: bytes */
int pt_text_emulate(const char *p, struct pt_kvm_record *rec)
{
	uint64_t csbase;

	if (pt_text_num(&p, 1, &csbase) || *p++ != ':' || pt_text_num(&p, 1, &rec->v[0]) ||
	    *p != ':')
		return -1;
	return 0;
}

/* ---- the whole record ---- */

const struct pt_kvm_event *pt_text_event(const struct pt_text_header *h)
{
	return pt_kvm_event_named(h->event, h->event_len);
}

enum pt_text_result pt_text_decode(const struct pt_text_header *h, struct pt_event *ev,
				   int *vcpu)
{
	const struct pt_kvm_event *e = pt_text_event(h);
	struct pt_kvm_record rec = { .has = 0 };
	const char *p = h->payload, *q;
	struct raw raw;
	int is_raw;

	if (!e)
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
	if (is_raw ? parse_raw(p, &raw) || raw_record(&raw, e, &rec) : e->parse_text(p, &rec))
		return R_BAD;
	switch (pt_kvm_decode(e, &rec, ev)) {
	case PT_KVM_SKIP:
	case PT_KVM_ASIDE:	/* rows kept aside are not found by name (kvm-events.h) */
		return R_SKIP;
	case PT_KVM_DAMAGED:
		return R_DAMAGED;
	case PT_KVM_EVENT:
		break;
	}
	*vcpu = rec.vcpu;
	return R_EVENT;
}

int pt_text_names_event(const char *s)
{
	for (size_t i = 0; i < pt_kvm_nevents; i++) {
		const char *m = pt_kvm_events[i].system ? NULL : strstr(s, pt_kvm_events[i].name);

		if (m && m[strlen(pt_kvm_events[i].name)] == ':')
			return 1;
	}
	return 0;
}
