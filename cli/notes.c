// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What analyze and report say on stderr beside their output: options that
 * match nothing in the trace, said with what the trace does have, so the
 * user can retype them, and a --guest-elf that names nothing; one place,
 * so the commands say it alike.
 */
#include <stdio.h>

#include "cli.h"
#include "pt-analyze.h"

void pt_cli_note_filters(const struct pt_analysis *a, int vcpu, int have_device, uint16_t device)
{
	char list[256] = "", one[32];
	size_t len = 0;
	const struct pt_device *d;

	if (vcpu >= 0 && (vcpu >= PT_MAX_VCPUS || !a->vcpu_seen[vcpu])) {
		for (int v = 0; v < PT_MAX_VCPUS; v++)
			if (a->vcpu_seen[v] && len < sizeof(list) - 8)
				len += snprintf(list + len, sizeof(list) - len, "%s%d", len ? ", " : "", v);
		pt_error("note: no event of vcpu %d in this trace (vcpus: %s)", vcpu,
			 len ? list : "none");
	}
	/* probed functions that answered: firmware reads every slot's vendor id */
	d = have_device ? pt_model_find(a->model, device) : NULL;
	if (have_device && !(d && d->present)) {
		unsigned n;
		struct pt_device *const *devs = pt_model_devices(a->model, &n);

		len = 0;
		for (unsigned i = 0; i < n; i++) {
			if (!devs[i]->present)
				continue;
			pt_bdf_str(devs[i]->bdf, one, sizeof(one));
			if (len < sizeof(list) - sizeof(one))
				len += snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", one);
		}
		pt_bdf_str(device, one, sizeof(one));
		pt_error("note: no device %s in this trace (devices: %s)", one, len ? list : "none");
	}
}

void pt_cli_note_rips(const struct pt_analysis *a)
{
	char warning[256];

	if (pt_analysis_rips_unnamed(a, warning, sizeof(warning)))
		pt_error("warning: %s", warning);
}
