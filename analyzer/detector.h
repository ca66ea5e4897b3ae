// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The detector interface: one small file per suspicious behaviour in
 * analyzer/detectors/, each exporting a struct pt_detector, all of them
 * listed in detectors.c.  A detector sees the events it asked for as they
 * stream by, with what the model resolved them to, keeps bounded state,
 * and reports findings at the end, when the crash point is known.
 *
 * This is pttrace's own interface, not an ABI: plugins' detectors use
 * pttrace-plugin.h's, and plugin-detector.c wraps each in one of these.
 */
#ifndef PT_DETECTOR_H
#define PT_DETECTOR_H

#include <string.h>

#include "pt-analyze.h"

struct pt_plugin;

#define PT_KIND(k) (1u << PT_EV_##k)
#define PT_KINDS_DEVICE_ACCESS (PT_KIND(MMIO_READ) | PT_KIND(MMIO_WRITE) | \
				PT_KIND(PIO_READ) | PT_KIND(PIO_WRITE))
#define PT_KINDS_INTERRUPT (PT_KIND(MSI) | PT_KIND(IRQ_LINE) | PT_KIND(APIC_ACCEPT) | \
			    PT_KIND(EOI))

struct pt_detector {
	const char *name;
	const char *summary;
	uint32_t kinds;		/* bit per enum pt_event_kind it wants */
	size_t state_size;	/* zeroed state the analysis allocates for it */
	/* optional: called once its state is allocated, with the detector itself */
	void (*init)(void *state, const struct pt_detector *self, struct pt_analysis *a);
	void (*event)(void *state, struct pt_analysis *a, const struct pt_event *ev,
		      const struct pt_access *acc);
	/*
	 * reports its findings with pt_finding_add, which names them after
	 * the detector; a->crash is final here
	 */
	void (*finish)(void *state, struct pt_analysis *a);
	void (*release)(void *state);	/* optional: frees what event() allocated */
};

extern const struct pt_detector *const pt_detectors[];
extern const unsigned pt_ndetectors;

/*
 * The detectors loaded plugins add, wrapped as these (plugin-detector.c);
 * valid while the plugins are loaded.
 */
unsigned pt_plugin_detectors(const struct pt_detector *const **list, unsigned max);
/* Can P's detectors run?  0, or -1 with WHY said (the loader refuses P). */
int pt_plugin_detectors_check(const struct pt_plugin *p, char *why, size_t size);

/*
 * Copies F into the analysis (honouring --device and --window), named
 * after the detector whose finish() is running.
 */
void pt_finding_add(struct pt_analysis *a, const struct pt_finding *f);
/* Starts F, of class CLS, about device D (may be NULL), register BAR/OFF (BAR -1: none). */
void pt_finding_start(struct pt_finding *f, enum pt_finding_class cls, const struct pt_device *d,
		      int bar, uint64_t off);
/* Makes F about device D (may be NULL), register BAR/OFF (BAR -1: none). */
void pt_finding_about(struct pt_finding *f, const struct pt_device *d, int bar, uint64_t off);
/* Adds an evidence line for EV (ACC may be NULL) if there is room. */
void pt_finding_evidence(struct pt_finding *f, const struct pt_event *ev,
			 const struct pt_access *acc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* How to tell pttrace the BARs a trace does not show. */
#define PT_GIVE_BARS "give the BARs with --device BDF:BAR=GPA+SIZE (lspci -v in the guest " \
	"shows them), or record with pttrace record, which stores them in the file"
/*
 * Marks F as resting on BARs the trace does not show, one severity lower
 * (never below info); call after setting its severity.
 */
void pt_finding_unknown_bars(struct pt_finding *f);
/* Does the trace leave BARs unknown (no enumeration, metadata or --device)? */
int pt_bars_unknown(const struct pt_analysis *a);

/* Where a finding's evidence can be kept while streaming: first N and last N. */
#define PT_KEEP 3
struct pt_kept {
	struct pt_event first[PT_KEEP], last[PT_KEEP];
	struct pt_access first_acc[PT_KEEP], last_acc[PT_KEEP];
	uint64_t count;
};
void pt_kept_add(struct pt_kept *k, const struct pt_event *ev, const struct pt_access *acc);
/* Adds up to 2*PT_KEEP evidence lines, oldest first, each with NOTE. */
void pt_kept_evidence(struct pt_finding *f, const struct pt_kept *k, const char *note);

/*
 * Per-device state in a detector: ARRAY holds *N structs of SIZE bytes,
 * each starting with its uint16_t bdf.  Returns BDF's slot, adding it
 * (zeroed but for the bdf) when there is room, else NULL.  *LAST is the
 * slot found last, looked at first: accesses come in runs to one device.
 */
static inline void *pt_dev_slot(void *array, unsigned *n, unsigned *last, size_t size,
				unsigned max, uint16_t bdf)
{
	/* inline: detectors look a device up for most events, SIZE is a constant there */
	char *p = array;
	uint16_t have;

	if (*last < *n) {
		memcpy(&have, p + *last * size, sizeof(have));
		if (have == bdf)
			return p + *last * size;
	}
	for (unsigned i = 0; i < *n; i++, p += size) {
		memcpy(&have, p, sizeof(have));
		if (have == bdf) {
			*last = i;
			return p;
		}
	}
	if (*n == max)
		return NULL;
	*last = (*n)++;
	memcpy(p, &bdf, sizeof(bdf));
	return p;
}
/* S's slots: its dev[] array, ndev of them used, dev_last the one found last */
#define PT_DEV_SLOT(s, bdf)                                                          \
	pt_dev_slot((s)->dev, &(s)->ndev, &(s)->dev_last, sizeof((s)->dev[0]),         \
		    sizeof((s)->dev) / sizeof((s)->dev[0]), (bdf))

/* "the crash", or "the end of the trace" when there was none */
const char *pt_crash_point(const struct pt_analysis *a);
/* Is TS within SECONDS before the crash (or the end of the trace)? */
int pt_near_crash(const struct pt_analysis *a, uint64_t ts, double seconds);

#endif
