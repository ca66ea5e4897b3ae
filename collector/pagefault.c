// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm_page_fault while recording: armed with a filter on the device BARs'
 * guest-physical ranges once QMP query-pci shows them, and moved when the
 * guest moves them (docs/mmap-visibility.md).  The filter text itself is
 * barfilter.c's; what was armed and when goes into the metadata.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tracefs.h>

#include "record-int.h"

/*
 * "ept", "npt" (kvm_page_fault's address is a guest-physical one, after an
 * EPT violation or an NPF), "shadow" (the address is the guest's linear
 * address of an intercepted #PF, and a BAR filter keeps almost nothing),
 * "unknown" (another KVM, such as kvm_pvm).
 */
const char *pt_pf_paging(const char *sysroot)
{
	static const struct { const char *file, *name; } mods[] = {
		{ "/sys/module/kvm_intel/parameters/ept", "ept" },
		{ "/sys/module/kvm_amd/parameters/npt", "npt" },
	};

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char path[PATH_MAX], v[8] = "";
		FILE *f;

		snprintf(path, sizeof(path), "%s%s", sysroot ? sysroot : "", mods[i].file);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(v, sizeof(v), f))
			v[0] = 0;
		fclose(f);
		return v[0] == 'Y' || v[0] == '1' ? mods[i].name : "shadow";
	}
	return "unknown";
}

static int same_ranges(const struct page_faults *pf, const struct pt_bar_range *r, size_t n)
{
	if (n != pf->ncur)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].start != pf->cur[i].start || r[i].end != pf->cur[i].end)
			return 0;
	return 1;
}

/* Keeps what was armed, for the metadata: the ranges and the filter, from when. */
static void keep_filter(struct page_faults *pf, double at)
{
	struct pt_meta_bar_filter *h;

	if (pf->nhist == PT_META_BAR_FILTERS) {
		pf->hist_full = 1;
		return;
	}
	h = &pf->hist[pf->nhist];
	h->ranges = malloc(pf->ncur * sizeof(*h->ranges));
	h->filter = strdup(pf->filter);
	if (!h->ranges || !h->filter) {
		free(h->ranges);
		free(h->filter);
		pf->hist_full = 1;
		return;
	}
	memcpy(h->ranges, pf->cur, pf->ncur * sizeof(*h->ranges));
	h->nranges = pf->ncur;
	h->at = at;
	h->scope = pt_bar_scope_name(pf->scope);
	pf->nhist++;
}

void pt_pf_release(struct page_faults *pf)
{
	for (unsigned i = 0; i < pf->nhist; i++) {
		free(pf->hist[i].ranges);
		free(pf->hist[i].filter);
	}
	pf->nhist = 0;
}

/* The address field, once: 0, or -1 when kvm_page_fault cannot be filtered (said, and given up). */
static int find_field(struct rec *r)
{
	struct page_faults *pf = &r->pf;
	char *format;
	struct pt_err ferr;
	int rc;

	if (pf->field[0])
		return 0;
	format = tracefs_event_file_read(r->inst, "kvm", "kvm_page_fault", "format", NULL);
	rc = pt_fault_field(format, pf->field, sizeof(pf->field), &pf->field_size, &ferr);
	free(format);
	if (rc) {
		snprintf(pf->reason, sizeof(pf->reason), "%s", ferr.msg);
		pt_rec_note(r, "kvm_page_fault not recorded: %s", ferr.msg);
		pf->spec = NULL;
		return -1;
	}
	pf->paging = pt_pf_paging(r->opts->sysroot);
	if (!strcmp(pf->paging, "shadow"))
		pt_rec_note(r, "KVM uses shadow paging here (ept/npt off): kvm_page_fault's addresses "
			    "are guest-virtual, so its BAR filter keeps few of them");
	return 0;
}

/* Says once why it is not armed while no BAR is known. */
static void no_bars(struct rec *r)
{
	struct page_faults *pf = &r->pf;
	int qmp = r->qmp_up || r->virt;	/* a socket, or libvirt's monitor */

	/* a BAR the guest unprogrammed (a reset) keeps the filter it had */
	if (pf->armed || pf->said)
		return;
	snprintf(pf->reason, sizeof(pf->reason), "%s",
		 !qmp ? "no QMP socket answered, so the guest's BARs are unknown" :
		 !r->query_pci ? "QMP query-pci did not answer" :
		 "QMP query-pci shows no programmed memory BAR yet (the guest has not "
		 "enumerated its devices)");
	pt_rec_note(r, "kvm_page_fault not armed: %s%s", pf->reason,
		    !qmp ? " (give --qmp SOCKET)" : "; it is armed once it does");
	pf->said = 1;
}

/*
 * Until a BAR is known it stays off: with no filter every RAM fault of the
 * guest would fill the flight recorder.
 */
void pt_pf_update(struct rec *r)
{
	struct page_faults *pf = &r->pf;
	struct pt_bar_range ranges[PT_BAR_RANGES_MAX];
	char text[PT_BAR_FILTER_MAX];
	enum pt_bar_scope scope;
	struct pt_err ferr;
	size_t n;
	int terms;

	if (!pf->spec || !r->inst || find_field(r))
		return;
	n = pt_bar_ranges(r->query_pci, &r->vm, ranges, PT_BAR_RANGES_MAX, &scope);
	if (n > PT_BAR_RANGES_MAX) {
		pt_rec_note(r, "%zu device BARs: kvm_page_fault sees the first %d of them", n,
			    PT_BAR_RANGES_MAX);
		n = PT_BAR_RANGES_MAX;
	}
	if (!n) {
		no_bars(r);
		return;
	}
	if (pf->armed && same_ranges(pf, ranges, n))
		return;
	terms = pt_bar_filter(pf->field, pf->field_size, ranges, n, text, sizeof(text), &ferr);
	if (terms < 0 ||
	    tracefs_event_file_write(r->inst, "kvm", "kvm_page_fault", "filter", text) < 0) {
		if (terms >= 0)
			snprintf(ferr.msg, sizeof(ferr.msg), "tracefs refused the filter '%.200s'", text);
		if (!pf->armed && !pf->said) {
			snprintf(pf->reason, sizeof(pf->reason), "%s", ferr.msg);
			pt_rec_note(r, "kvm_page_fault not armed: %s", ferr.msg);
			pf->said = 1;
		} else if (pf->armed) {
			pt_rec_note(r, "kvm_page_fault keeps its old filter: %s", ferr.msg);
		}
		return;
	}
	memcpy(pf->cur, ranges, n * sizeof(*ranges));
	pf->ncur = n;
	pf->scope = scope;
	snprintf(pf->filter, sizeof(pf->filter), "%s", text);
	if (!pf->armed) {
		if (tracefs_event_enable(r->inst, "kvm", "kvm_page_fault")) {
			snprintf(pf->reason, sizeof(pf->reason), "cannot enable kvm:kvm_page_fault");
			pt_rec_note(r, "kvm_page_fault not armed: cannot enable it");
			pf->spec = NULL;
			return;
		}
		pf->armed = 1;
		pf->reason[0] = 0;
		if (r->nenabled < PT_REC_MAX_EVENTS)
			r->enabled[r->nenabled++] = pf->spec;
		pt_rec_note(r, "kvm_page_fault armed on %zu BAR%s of %s (%d filter term%s)", n,
			    n == 1 ? "" : "s",
			    scope == PT_BARS_ASSIGNED ? "the passed-through devices" :
			    scope == PT_BARS_ALL ? "every device (none is passed through)" :
			    "every device (query-pci does not show the passed-through ones)",
			    terms, terms == 1 ? "" : "s");
	} else {
		pt_rec_note(r, "kvm_page_fault follows the guest's BARs: now %zu BAR%s (%d filter "
			    "term%s)", n, n == 1 ? "" : "s", terms, terms == 1 ? "" : "s");
	}
	keep_filter(pf, pt_inst_clock_now(r));
}
