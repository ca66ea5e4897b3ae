// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: any bytes as a stream of kvm events, through the
 * device model, every detector and both reports.  This is where pttrace's
 * own logic gets coverage; fuzz_analyze covers reading files.
 *
 *   build/fuzz/fuzz_stream -max_total_time=600 build/fuzz/stream-corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pt-analyze.h"
#include "report.h"

/* One event per 24 bytes: kind, len, vcpu, flags, time delta, addr, val. */
#define RECORD 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_analysis_opts opts = { .vcpu = -1 };
	struct pt_analysis *a = pt_analysis_new(&opts, &(struct pt_err){ 0 });
	uint64_t ts = 1000000000ull;
	FILE *null;

	if (!a)
		return 0;
	for (size_t i = 0; i + RECORD <= size; i += RECORD) {
		const uint8_t *p = data + i;
		struct pt_event ev;
		uint32_t delta;

		memset(&ev, 0, sizeof(ev));
		ev.kind = p[0] % PT_EV_KINDS;
		ev.len = p[1] & 0xf;
		ev.vcpu = (int8_t)p[2] % 8;
		ev.flags = p[3] & 3;
		memcpy(&delta, p + 4, 4);
		ts += delta & 0xffffff;
		ev.ts = ts;
		memcpy(&ev.addr, p + 8, 8);
		memcpy(&ev.val, p + 16, 8);
		/* steer addresses towards the ports and windows that matter */
		if (p[3] & 0x80)
			ev.addr = 0xcf8 + (ev.addr & 7);
		else if (p[3] & 0x40)
			ev.addr = 0xb0000000ull + (ev.addr & 0xfffff);
		ev.tid = 100 + (ev.vcpu & 7);
		pt_analysis_feed(a, &ev);
	}
	pt_analysis_finish(a);
	null = fopen("/dev/null", "w");
	if (null) {
		pt_report_text(null, a, "fuzz", 1);
		pt_report_json(null, a, "fuzz");
		fclose(null);
	}
	pt_analysis_free(a);
	return 0;
}
