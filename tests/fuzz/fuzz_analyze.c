// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: any bytes as a trace file, through the reader, the
 * device model, every detector and both reports.  It must never crash or
 * hang; an error message is a fine answer.
 *
 *   make build/fuzz/fuzz_analyze
 *   build/fuzz/fuzz_analyze -max_total_time=600 build/fuzz/corpus samples/traces
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pt-analyze.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_analysis_opts opts = { .vcpu = -1 };
	struct pt_analysis *a;
	struct pt_err err;
	char path[64];
	FILE *null;
	int fd = memfd_create("fuzz.dat", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	a = pt_analyze_file(path, &opts, &err);
	if (a) {
		null = fopen("/dev/null", "w");
		if (null) {
			pt_report_text(null, a, path, 1);
			pt_report_json(null, a, path);
			fclose(null);
		}
		pt_analysis_free(a);
	}
	close(fd);
	return 0;
}
