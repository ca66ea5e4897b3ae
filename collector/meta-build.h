// SPDX-License-Identifier: GPL-2.0-or-later
/* Building pttrace's metadata (the reading side is pt-meta.h). */
#ifndef PT_META_BUILD_H
#define PT_META_BUILD_H

#include "pt-barfilter.h"
#include "pt-json.h"
#include "pt-meta.h"
#include "pt-vm.h"

#define PT_META_BAR_FILTERS 16

/* One filter kvm_page_fault had: from AT (trace clock, seconds; -1 unknown) on. */
struct pt_meta_bar_filter {
	double at;
	const char *scope;		/* pt_bar_scope_name */
	struct pt_bar_range *ranges;	/* the BARs it covers */
	size_t nranges;
	char *filter;			/* the text given to tracefs */
};

/* kvm_page_fault as it was armed (docs/record-metadata.md "page_faults"). */
struct pt_meta_page_faults {
	const char *field;		/* "fault_address", "" when not known */
	const char *paging;		/* "ept", "npt", "shadow", "unknown"; NULL not known */
	int armed;
	const char *reason;		/* why not, when not armed */
	const struct pt_meta_bar_filter *filters;
	unsigned nfilters;
	int truncated;			/* more filters were set than kept */
};

/* The host's resets of the assigned devices (docs/record-metadata.md "host_resets"). */
struct pt_meta_host_resets {
	int recorded;			/* some reset probe was on */
	int named;			/* every probe on recorded the device's name */
	const char *reason;		/* why not recorded */
	const char *unnamed_why;	/* why some probes record no name ("" none) */
	const char *const *probes;	/* the kernel functions probed */
	unsigned nprobes;
	const char *const *missing;	/* not in this kernel */
	unsigned nmissing;
	const char (*devs)[16];		/* the assigned devices' host BDFs */
	const char (*bridges)[16];	/* the bridge above each, "" when none */
	unsigned ndevs;
	double vm_started;		/* the QEMU process's start, trace clock (s); -1 unknown */
};

struct pt_meta_recording {
	const char *sysroot;
	int stream;
	unsigned buffer_kb;
	const char *const *events;	/* enabled */
	unsigned nevents;
	const char *const *missing;	/* asked for, not in this kernel */
	unsigned nmissing;
	const char *const *triggers;
	unsigned ntriggers;
	unsigned long long overwritten;	/* flight recorder: older events overwritten */
	unsigned long long dropped;	/* --stream: events the full buffer refused */
	const struct pt_meta_page_faults *page_faults;	/* NULL: kvm_page_fault not asked for */
	const struct pt_json *guest_panicked;	/* QMP GUEST_PANICKED's data; NULL: none came */
	const char *qmp;		/* how QMP was reached: "socket", "libvirt"; "" none */
	const struct pt_meta_host_resets *host_resets;	/* NULL: nothing passed through */
};

/* The metadata JSON text (malloc'd), or NULL when out of memory. QUERY_PCI may be NULL. */
char *pt_meta_build(const struct pt_vm *vm, const struct pt_json *query_pci,
		    const struct pt_meta_recording *rec);

#endif
