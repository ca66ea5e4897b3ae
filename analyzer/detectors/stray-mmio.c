// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MMIO to a GPA that is in no BAR, no platform region and (since it
 * trapped) no RAM: a stray pointer, or a stale BAR address the driver kept
 * after the BAR moved.  On real hardware the read returns all-ones.
 */
#include <stdio.h>

#include "../detector.h"

#define MAX_PAGES 64

struct page {
	uint64_t page;
	struct pt_kept hits;
	/* a read returned something other than 0 or all-ones: a device answers here */
	int backed;
	uint64_t reads;
	struct pt_device *stale_dev;
	int stale_bar;
};

struct state {
	struct page pages[MAX_PAGES];
	unsigned npages;
	uint64_t dropped;
};

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	uint64_t page = ev->addr >> 12;
	struct page *pg = NULL;

	(void)a;
	if (acc->type != PT_ACC_UNMAPPED)
		return;
	for (unsigned i = 0; i < s->npages; i++)
		if (s->pages[i].page == page)
			pg = &s->pages[i];
	if (!pg) {
		if (s->npages == MAX_PAGES) {
			s->dropped++;
			return;
		}
		pg = &s->pages[s->npages++];
		pg->page = page;
		pg->stale_bar = -1;
	}
	if (acc->stale_dev) {
		pg->stale_dev = acc->stale_dev;
		pg->stale_bar = acc->stale_bar;
	}
	if (ev->kind == PT_EV_MMIO_READ) {
		pg->reads++;
		if (ev->val && !pt_all_ones(ev->val, ev->len))
			pg->backed = 1;
	}
	pt_kept_add(&pg->hits, ev, acc);
}

/* One info finding per unknown region that answers like a device. */
static void region_finding(struct pt_analysis *a, struct state *s,
			   const struct pt_unknown_region *r)
{
	struct pt_finding f;
	int shown = 0;

	pt_finding_start(&f, PT_CLASS_STRAY_MMIO, NULL, -1, 0);
	f.count = r->reads + r->writes;
	snprintf(f.title, sizeof(f.title), "unknown region 0x%llx-0x%llx answered like a device "
		 "(%llu reads, %llu writes%s), in no BAR pttrace knows",
		 (unsigned long long)r->start, (unsigned long long)r->end - 1,
		 (unsigned long long)r->reads, (unsigned long long)r->writes,
		 r->kernel_writes ? ", some completed by KVM itself" : "");
	f.severity = PT_SEV_INFO;
	f.confidence = 80;
	pt_finding_unknown_bars(&f);
	snprintf(f.why, sizeof(f.why), "%s, so pttrace cannot say which device and register these "
		 "accesses hit, nor judge them", r->kernel_writes
		 ? "KVM completed writes here without QEMU (ioeventfd, coalesced MMIO): a device owns "
		   "these addresses, but the trace does not show its BAR being programmed"
		 : "reads here returned data: a device answers, but the trace does not show its BAR "
		   "being programmed (it started after enumeration, or events were lost)");
	snprintf(f.advice, sizeof(f.advice), "%s", PT_GIVE_BARS);
	for (unsigned i = 0; i < s->npages && shown < 2; i++) {
		struct page *pg = &s->pages[i];

		if ((pg->page << 12) < r->start || (pg->page << 12) >= r->end)
			continue;
		pt_kept_evidence(&f, &pg->hits, "MMIO to an unknown region");
		shown++;
	}
	pt_finding_add(a, &f);
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;
	int complete = pt_model_map_complete(a->model);
	unsigned nregions;
	const struct pt_unknown_region *regions = pt_model_unknown_regions(a->model, &nregions);

	for (unsigned i = 0; i < nregions; i++)
		if (pt_unknown_answers(&regions[i]))
			region_finding(a, s, &regions[i]);
	for (unsigned i = 0; i < s->npages; i++) {
		struct page *pg = &s->pages[i];
		const struct pt_event *last = &pg->hits.last[(pg->hits.count - 1) % PT_KEEP];
		const struct pt_event *first = &pg->hits.first[0];
		const struct pt_unknown_region *r = pt_model_unknown_at(a->model, first->addr);
		struct pt_finding f;
		char dev[48];

		/* a device owns it: the region's finding says so */
		if (!pg->stale_dev && (pg->backed || (r && pt_unknown_answers(r))))
			continue;
		pt_finding_start(&f, PT_CLASS_STRAY_MMIO, pg->stale_dev, -1, 0);
		f.count = pg->hits.count;
		if (!pg->stale_dev && !pg->reads) {
			/*
			 * Writes only: doorbells and tail pointers are written and never
			 * read, so nothing here says that nothing answers.
			 */
			snprintf(f.title, sizeof(f.title), "writes to 0x%llx, in no BAR pttrace knows, "
				 "never read (%llu writes: a write-only register such as a doorbell "
				 "looks like this)", (unsigned long long)first->addr,
				 (unsigned long long)pg->hits.count);
			f.severity = PT_SEV_INFO;
			f.confidence = 30;
			if (!complete)
				pt_finding_unknown_bars(&f);
			snprintf(f.why, sizeof(f.why), "a write gets no answer whether a device is there "
				 "or not: without a read pttrace cannot tell a doorbell from a stray "
				 "pointer");
			snprintf(f.advice, sizeof(f.advice), "%s", PT_GIVE_BARS);
			pt_kept_evidence(&f, &pg->hits, "write in no known BAR");
			pt_finding_add(a, &f);
			continue;
		}
		if (!pg->stale_dev && !complete) {
			/* no BARs known: nothing answered, but a BAR may be here all the same */
			snprintf(f.title, sizeof(f.title), "MMIO to 0x%llx, where nothing answered, in "
				 "no BAR pttrace knows: the trace shows no BARs (%llu accesses)",
				 (unsigned long long)first->addr, (unsigned long long)pg->hits.count);
			/* without BARs this is no evidence against the driver: info only */
			f.severity = PT_SEV_INFO;
			f.confidence = pt_near_crash(a, last->ts, 1) &&
				       a->crash.kind != PT_CRASH_END_OF_TRACE ? 40 : 30;
			pt_finding_unknown_bars(&f);
			snprintf(f.why, sizeof(f.why), "no read here returned data and KVM completed no "
				 "write: either nothing is mapped here (a stray pointer) or a device's "
				 "register reads as 0; without the BARs pttrace cannot tell");
			snprintf(f.advice, sizeof(f.advice), "%s", PT_GIVE_BARS);
			pt_kept_evidence(&f, &pg->hits, "MMIO in no known BAR");
			pt_finding_add(a, &f);
			continue;
		}
		if (pg->stale_dev) {
			const struct pt_bar *b = &pg->stale_dev->bar[pg->stale_bar];

			pt_dev_str(pg->stale_dev, dev, sizeof(dev));
			f.bar = pg->stale_bar;
			f.off = first->addr - b->prev_base;
			snprintf(f.title, sizeof(f.title), "MMIO to 0x%llx: BAR%d of %s until it moved to "
				 "0x%llx %.3f s before %s (stale BAR, %llu accesses)",
				 (unsigned long long)first->addr, pg->stale_bar, dev,
				 (unsigned long long)b->base, -pt_rel(a, b->moved_ts), pt_crash_point(a),
				 (unsigned long long)pg->hits.count);
			f.confidence = 90;
		} else {
			snprintf(f.title, sizeof(f.title), "MMIO to 0x%llx, in no BAR and no RAM "
				 "(%llu accesses)", (unsigned long long)first->addr,
				 (unsigned long long)pg->hits.count);
			f.confidence = 80;
		}
		f.severity = pt_near_crash(a, last->ts, 1) && a->crash.kind != PT_CRASH_END_OF_TRACE
			     ? PT_SEV_CRITICAL : PT_SEV_HIGH;
		snprintf(f.why, sizeof(f.why), "nothing answers this address: real hardware returns "
			 "all-ones to the read (QEMU returns 0) and drops the write, and a driver that "
			 "uses what it read as a pointer or length crashes");
		snprintf(f.advice, sizeof(f.advice), "%s", pg->stale_dev
			 ? "the driver kept the BAR's old address: remap after the PCI core moves a BAR "
			   "(resource rebalance, resume, hotplug), or read the BAR again before use"
			 : "find which pointer held this address (give --guest-elf to name the code); "
			   "if it is a BAR pttrace does not know, give it with --device BDF:BAR=GPA+SIZE");
		pt_kept_evidence(&f, &pg->hits, "MMIO to nothing");
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_stray_mmio = {
	.name = "stray-mmio",
	.summary = "MMIO to a GPA in no BAR and no RAM (stray pointer, stale BAR)",
	.kinds = PT_KIND(MMIO_READ) | PT_KIND(MMIO_WRITE),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
