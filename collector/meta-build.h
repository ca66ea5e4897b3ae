/* Building pttrace's metadata (the reading side is pt-meta.h). */
#ifndef PT_META_BUILD_H
#define PT_META_BUILD_H

#include "pt-json.h"
#include "pt-meta.h"
#include "pt-vm.h"

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
};

/* The metadata JSON text (malloc'd), or NULL when out of memory. QUERY_PCI may be NULL. */
char *pt_meta_build(const struct pt_vm *vm, const struct pt_json *query_pci,
		    const struct pt_meta_recording *rec);

#endif
