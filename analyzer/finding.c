// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers the detectors share to build findings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pt-symbols.h"

#include "detector.h"

const char *pt_severity_name(enum pt_severity sev)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };

	return (unsigned)sev <= PT_SEV_CRITICAL ? names[sev] : "?";
}

const char *pt_class_name(enum pt_finding_class c)
{
#define PT_CLASS_NAME(cl, name, rank) name,
	static const char *const names[] = { PT_FINDING_CLASSES(PT_CLASS_NAME) };
#undef PT_CLASS_NAME

	return (unsigned)c < PT_CLASSES ? names[c] : "?";
}

unsigned pt_class_rank(enum pt_finding_class c)
{
#define PT_CLASS_RANK(cl, name, rank) rank,
	static const unsigned char ranks[] = { PT_FINDING_CLASSES(PT_CLASS_RANK) };
#undef PT_CLASS_RANK

	return (unsigned)c < PT_CLASSES ? ranks[c] : 5;
}

void pt_reg_str(int bar, uint64_t off, char *buf, size_t size)
{
	if (bar == PT_REG_CONFIG)
		snprintf(buf, size, "config+0x%02llx", (unsigned long long)off);
	else if (bar >= 0)
		snprintf(buf, size, "BAR%d+0x%04llx", bar, (unsigned long long)off);
	else
		snprintf(buf, size, "-");
}

uint64_t pt_finding_rip(const struct pt_finding *f)
{
	uint64_t any = 0;

	for (unsigned i = 0; i < f->nevidence; i++) {
		const struct pt_evidence *e = &f->evidence[i];

		if (!e->ev.rip)
			continue;
		if (f->bar >= 0 && e->has_target && e->bdf == f->bdf && e->bar == f->bar &&
		    e->off == f->off)
			return e->ev.rip;
		if (!any)
			any = e->ev.rip;
	}
	return any;
}

/* Does S name RIP?  Counts it in *LOOKED. */
static int names(const struct pt_symbols *s, uint64_t rip, unsigned *looked)
{
	char name[160];

	if (!rip)
		return 0;
	++*looked;
	return !pt_symbols_name(s, rip, name, sizeof(name));
}

int pt_analysis_rips_unnamed(const struct pt_analysis *a, char *buf, size_t size)
{
	const struct pt_symbols *s = a->opts.symbols;
	unsigned looked = 0;

	/* no symbols, or a stripped file: said where it was read */
	if (!s || !pt_symbols_count(s))
		return 0;
	for (unsigned i = 0; i < a->nfindings; i++) {
		const struct pt_finding *f = &a->findings[i];

		if (names(s, f->rip, &looked))
			return 0;
		for (unsigned e = 0; e < f->nevidence; e++)
			if (names(s, f->evidence[e].ev.rip, &looked))
				return 0;
	}
	for (unsigned v = 0; v < a->nvcpus && v < PT_MAX_VCPUS; v++)
		if (names(s, a->vcpu[v].last_rip, &looked))
			return 0;
	if (!looked)
		return 0;
	snprintf(buf, size, "--guest-elf names none of the trace's guest rips (%u looked at): is it "
		 "the guest's kernel or module, and its bias where the guest loaded it?", looked);
	return 1;
}

void pt_finding_start(struct pt_finding *f, enum pt_finding_class cls, const struct pt_device *d,
		      int bar, uint64_t off)
{
	memset(f, 0, sizeof(*f));
	f->cls = cls;
	f->caused_by = -1;
	pt_finding_about(f, d, bar, off);
}

void pt_finding_about(struct pt_finding *f, const struct pt_device *d, int bar, uint64_t off)
{
	f->bar = bar;
	f->off = off;
	f->has_device = d != NULL;
	f->bdf = d ? d->bdf : 0;
	f->vendor = d ? d->vendor : 0;
	f->device = d ? d->device : 0;
}

void pt_finding_unknown_bars(struct pt_finding *f)
{
	f->unknown_bars = 1;
	if (f->severity > PT_SEV_INFO)
		f->severity--;
}

int pt_bars_unknown(const struct pt_analysis *a)
{
	return !pt_model_map_complete(a->model);
}

void pt_finding_evidence(struct pt_finding *f, const struct pt_event *ev,
			 const struct pt_access *acc, const char *fmt, ...)
{
	struct pt_evidence *e;
	va_list ap;

	if (f->nevidence == PT_MAX_EVIDENCE)
		return;
	e = &f->evidence[f->nevidence++];
	memset(e, 0, sizeof(*e));
	e->ev = *ev;
	e->bar = -1;
	if (acc && acc->dev && (acc->type == PT_ACC_BAR || acc->type == PT_ACC_CONFIG)) {
		e->has_target = 1;
		e->bdf = acc->dev->bdf;
		e->bar = acc->bar;
		e->off = acc->off;
	}
	va_start(ap, fmt);
	vsnprintf(e->note, sizeof(e->note), fmt, ap);
	va_end(ap);
	if (!f->first_ts || ev->ts < f->first_ts)
		f->first_ts = ev->ts;
	if (ev->ts > f->last_ts)
		f->last_ts = ev->ts;
}

void pt_kept_add(struct pt_kept *k, const struct pt_event *ev, const struct pt_access *acc)
{
	if (k->count < PT_KEEP) {
		k->first[k->count] = *ev;
		if (acc)
			k->first_acc[k->count] = *acc;
	}
	k->last[k->count % PT_KEEP] = *ev;
	if (acc)
		k->last_acc[k->count % PT_KEEP] = *acc;
	k->count++;
}

void pt_kept_evidence(struct pt_finding *f, const struct pt_kept *k, const char *note)
{
	uint64_t n = k->count;

	for (uint64_t i = 0; i < n && i < PT_KEEP; i++)
		pt_finding_evidence(f, &k->first[i], &k->first_acc[i], "%s", note);
	/* the last ones, oldest first, unless already shown among the first */
	for (uint64_t i = n > 2 * PT_KEEP ? n - PT_KEEP : PT_KEEP; i < n; i++)
		pt_finding_evidence(f, &k->last[i % PT_KEEP], &k->last_acc[i % PT_KEEP], "%s", note);
}

const char *pt_crash_point(const struct pt_analysis *a)
{
	return a->crash.kind == PT_CRASH_END_OF_TRACE ? "the end of the trace" : "the crash";
}

int pt_near_crash(const struct pt_analysis *a, uint64_t ts, double seconds)
{
	double before = (double)a->crash.ts - (double)ts;

	return before >= -1e6 && before <= seconds * 1e9;
}
