// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm_page_fault restricted to device BARs (pt-barfilter.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-barfilter.h"
#include "pt-model.h"

#define FOUR_GIB 0x100000000ULL

const char *pt_bar_scope_name(enum pt_bar_scope scope)
{
	switch (scope) {
	case PT_BARS_ASSIGNED: return "assigned";
	case PT_BARS_ALL: return "all";
	case PT_BARS_UNMATCHED: return "all-unmatched";
	}
	return "?";
}

static double num_of(const struct pt_json *obj, const char *key, double dflt)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_NUMBER ? m->num : dflt;
}

/* The root bus, as a -device bus= names it (or leaves it out). */
static int root_bus(const char *bus)
{
	return !bus[0] || !strcmp(bus, "pcie.0") || !strcmp(bus, "pci.0");
}

/* Is the query-pci device D one of VM's passed-through devices? */
static int assigned(const struct pt_vm *vm, const struct pt_json *d)
{
	const char *qdev = pt_json_get_str(d, "qdev_id");
	int bus = num_of(d, "bus", -1), slot = num_of(d, "slot", -1), fn = num_of(d, "function", -1);

	for (unsigned i = 0; vm && i < vm->ndev; i++) {
		const struct pt_vm_device *v = &vm->dev[i];
		unsigned s, f;

		if (!v->assigned)
			continue;
		if (v->id[0]) {
			if (qdev && !strcmp(qdev, v->id))
				return 1;
			continue;
		}
		if (bus == 0 && root_bus(v->bus) && v->addr[0] && !pt_devfn_parse(v->addr, &s, &f) &&
		    (int)s == slot && (int)f == fn)
			return 1;
	}
	return 0;
}

struct walk {
	const struct pt_vm *vm;
	struct pt_bar_range *out;
	size_t max, n;
	int only_assigned;	/* take the passed-through devices' BARs only */
	int found_assigned;	/* one of them is in query-pci */
};

static void add_bars(struct walk *w, const struct pt_json *d)
{
	const struct pt_json *regions = pt_json_get(d, "regions");
	const char *qdev = pt_json_get_str(d, "qdev_id");

	for (const struct pt_json *r = regions ? regions->child : NULL; r; r = r->next) {
		const char *type = pt_json_get_str(r, "type");
		double addr = num_of(r, "address", -1), size = num_of(r, "size", 0);
		struct pt_bar_range *b;

		/* QEMU says -1 (or 2^64 - 1) for a BAR the guest has not programmed */
		if ((type && !strcmp(type, "io")) || addr < 0 || addr >= 18446744073709551615.0 ||
		    size <= 0 || addr + size > 18446744073709551615.0)
			continue;
		if (w->n++ >= w->max)
			continue;
		b = &w->out[w->n - 1];
		memset(b, 0, sizeof(*b));
		snprintf(b->bdf, sizeof(b->bdf), "%02x:%02x.%x", (int)num_of(d, "bus", 0) & 0xff,
			 (int)num_of(d, "slot", 0) & 0x1f, (int)num_of(d, "function", 0) & 7);
		snprintf(b->qdev_id, sizeof(b->qdev_id), "%s", qdev ? qdev : "");
		b->bar = num_of(r, "bar", -1);
		b->start = (uint64_t)addr;
		b->end = b->start + (uint64_t)size;
	}
}

static void walk_devices(struct walk *w, const struct pt_json *devs, int depth)
{
	for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
		const struct pt_json *bridge = pt_json_get(d, "pci_bridge");
		int is_assigned = assigned(w->vm, d);

		w->found_assigned |= is_assigned;
		if (!w->only_assigned || is_assigned)
			add_bars(w, d);
		if (bridge && depth < 8)
			walk_devices(w, pt_json_get(bridge, "devices"), depth + 1);
	}
}

static int by_start(const void *a, const void *b)
{
	const struct pt_bar_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

size_t pt_bar_ranges(const struct pt_json *query_pci, const struct pt_vm *vm,
		     struct pt_bar_range *out, size_t max, enum pt_bar_scope *scope)
{
	struct walk w = { .vm = vm, .out = out, .max = max };
	int any_assigned = 0;

	for (unsigned i = 0; vm && i < vm->ndev; i++)
		any_assigned |= vm->dev[i].assigned;
	*scope = any_assigned ? PT_BARS_ASSIGNED : PT_BARS_ALL;
	w.only_assigned = any_assigned;
	for (const struct pt_json *bus = query_pci ? query_pci->child : NULL; bus; bus = bus->next)
		walk_devices(&w, pt_json_get(bus, "devices"), 0);
	if (any_assigned && !w.found_assigned && query_pci) {
		/* the command line's passed-through devices are not where query-pci has them */
		*scope = PT_BARS_UNMATCHED;
		w.only_assigned = 0;
		w.n = 0;
		for (const struct pt_json *bus = query_pci->child; bus; bus = bus->next)
			walk_devices(&w, pt_json_get(bus, "devices"), 0);
	}
	qsort(out, w.n < max ? w.n : max, sizeof(*out), by_start);
	return w.n;
}

/* ---- the filter text ---------------------------------------------------- */

struct span {
	uint64_t start, end;	/* end 0: up to the field's end */
};

static size_t term_len(const char *field, const struct span *s)
{
	char tmp[160];

	if (s->end)
		return snprintf(tmp, sizeof(tmp), "(%s >= 0x%llx && %s < 0x%llx)", field,
				(unsigned long long)s->start, field, (unsigned long long)s->end);
	return snprintf(tmp, sizeof(tmp), "(%s >= 0x%llx)", field, (unsigned long long)s->start);
}

static size_t text_len(const char *field, const struct span *s, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += term_len(field, &s[i]) + (i ? 4 : 0);	/* " || " */
	return len;
}

static int valid_field(const char *field)
{
	if (!field || !(isalpha((unsigned char)*field) || *field == '_'))
		return 0;
	for (const char *p = field; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return strlen(field) < 64;
}

int pt_bar_filter(const char *field, unsigned field_size, const struct pt_bar_range *ranges,
		  size_t n, char *buf, size_t size, struct pt_err *err)
{
	uint64_t limit = field_size >= 8 ? 0 : field_size == 4 ? FOUR_GIB : 0;	/* 0: 2^64 */
	struct span *s;
	size_t ns = 0, len, off = 0;

	if (size)
		buf[0] = 0;
	if (!valid_field(field))
		return pt_err_set(err, "'%s' is not a field name", field ? field : "");
	if (field_size != 4 && field_size != 8)
		return pt_err_set(err, "field '%s' is %u bytes wide, not an address", field, field_size);
	if (!n)
		return pt_err_set(err, "no BAR range to filter on");
	s = calloc(n, sizeof(*s));
	if (!s)
		return pt_err_set(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (ranges[i].end <= ranges[i].start) {
			free(s);
			return pt_err_set(err, "BAR range 0x%llx-0x%llx of %s is empty or inverted",
					  (unsigned long long)ranges[i].start,
					  (unsigned long long)ranges[i].end, ranges[i].bdf);
		}
		if (limit && ranges[i].start >= limit)
			continue;	/* beyond what the field can hold */
		s[ns].start = ranges[i].start;
		s[ns].end = limit && ranges[i].end >= limit ? 0 : ranges[i].end;
		ns++;
	}
	if (!ns) {
		free(s);
		return pt_err_set(err, "every BAR is above 4 GiB, beyond the %u-byte field '%s'",
				  field_size, field);
	}
	/* sorted, then overlapping and touching ranges joined */
	for (size_t i = 1; i < ns; i++)
		for (size_t j = i; j > 0 && s[j].start < s[j - 1].start; j--) {
			struct span t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	{
		size_t m = 0;

		for (size_t i = 1; i < ns; i++) {
			if (!s[m].end)
				break;		/* the last one reaches the field's end */
			if (s[i].start <= s[m].end) {
				if (!s[i].end || s[i].end > s[m].end)
					s[m].end = s[i].end;
			} else {
				s[++m] = s[i];
			}
		}
		ns = m + 1;
	}
	/* too long: join the closest neighbours, never across 4 GiB */
	while ((len = text_len(field, s, ns)) >= size) {
		size_t best = ns;
		uint64_t gap = 0;

		for (size_t i = 0; i + 1 < ns; i++) {
			uint64_t g = s[i + 1].start - s[i].end;

			if ((s[i].start >= FOUR_GIB) != (s[i + 1].start >= FOUR_GIB))
				continue;	/* the guest's RAM above 4 GiB lies between */
			if (best == ns || g < gap)
				best = i, gap = g;
		}
		if (best == ns) {
			free(s);
			return pt_err_set(err, "%zu BAR ranges do not fit in a filter of %zu bytes",
					  ns, size);
		}
		s[best].end = s[best + 1].end;
		memmove(&s[best + 1], &s[best + 2], (ns - best - 2) * sizeof(*s));
		ns--;
	}
	for (size_t i = 0; i < ns; i++) {
		if (i)
			off += snprintf(buf + off, size - off, " || ");
		if (s[i].end)
			off += snprintf(buf + off, size - off, "(%s >= 0x%llx && %s < 0x%llx)", field,
					(unsigned long long)s[i].start, field,
					(unsigned long long)s[i].end);
		else
			off += snprintf(buf + off, size - off, "(%s >= 0x%llx)", field,
					(unsigned long long)s[i].start);
	}
	free(s);
	return (int)ns;
}

/* ---- the event's format --------------------------------------------------- */

/* In the format line LINE (up to EOL), the size of field NAME; 0 when it is another. */
static unsigned field_in_line(const char *line, const char *eol, const char *name)
{
	const char *f = strstr(line, "field:"), *semi, *sz, *p;
	size_t len = strlen(name);

	if (!f || f > eol || !(semi = strchr(f, ';')) || semi > eol)
		return 0;
	/* the name is the last word before the ';' */
	for (p = semi; p > f && (isalnum((unsigned char)p[-1]) || p[-1] == '_'); p--)
		;
	if ((size_t)(semi - p) != len || strncmp(p, name, len))
		return 0;
	sz = strstr(semi, "size:");
	return sz && sz < eol ? strtoul(sz + 5, NULL, 10) : 0;
}

int pt_fault_field(const char *format, char *name, size_t nsize, unsigned *field_size,
		   struct pt_err *err)
{
	static const char *const wanted[] = { "fault_address", "address", "gpa" };

	if (!format)
		return pt_err_set(err, "no kvm_page_fault format");
	for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++) {
		for (const char *line = format; *line;) {
			const char *eol = strchr(line, '\n');
			unsigned size;

			if (!eol)
				eol = line + strlen(line);
			size = field_in_line(line, eol, wanted[w]);
			if (size == 4 || size == 8) {
				snprintf(name, nsize, "%s", wanted[w]);
				*field_size = size;
				return 0;
			}
			line = *eol ? eol + 1 : eol;
		}
	}
	return pt_err_set(err, "kvm_page_fault has no fault_address field in this kernel");
}
