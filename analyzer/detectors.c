// SPDX-License-Identifier: GPL-2.0-or-later
/* The detector table: every detector pttrace runs, in one place. */
#include "detector.h"
#include "pt-plugins.h"

extern const struct pt_detector pt_detector_powered_down, pt_detector_all_ones,
	pt_detector_polling, pt_detector_reset, pt_detector_irq_storm, pt_detector_lost_irq,
	pt_detector_stray_mmio, pt_detector_fault_after_access, pt_detector_changes,
	pt_detector_visibility, pt_detector_multifunction, pt_detector_timing,
	pt_detector_crash_value, pt_detector_unfinished, pt_detector_host_reset;

const struct pt_detector *const pt_detectors[] = {
	&pt_detector_powered_down,
	&pt_detector_all_ones,
	&pt_detector_polling,
	&pt_detector_reset,
	&pt_detector_host_reset,
	&pt_detector_timing,
	&pt_detector_crash_value,
	&pt_detector_unfinished,
	&pt_detector_irq_storm,
	&pt_detector_lost_irq,
	&pt_detector_stray_mmio,
	&pt_detector_fault_after_access,
	&pt_detector_changes,
	&pt_detector_visibility,
	&pt_detector_multifunction,
};

const unsigned pt_ndetectors = sizeof(pt_detectors) / sizeof(pt_detectors[0]);

unsigned pt_analysis_detectors(struct pt_detector_info *list, unsigned max)
{
	const struct pt_loaded_plugin *plugins;
	unsigned nplugins = pt_plugins_list(&plugins), n = 0;

	for (unsigned i = 0; i < pt_ndetectors; i++, n++)
		if (n < max)
			list[n] = (struct pt_detector_info){ pt_detectors[i]->name,
							     pt_detectors[i]->summary, NULL };
	for (unsigned p = 0; p < nplugins; p++)
		for (const struct pt_plugin_detector *const *d = plugins[p].plugin->detectors; d && *d;
		     d++, n++)
			if (n < max)
				list[n] = (struct pt_detector_info){ (*d)->name,
								     (*d)->summary ? (*d)->summary : "",
								     plugins[p].plugin->name };
	return n;
}
