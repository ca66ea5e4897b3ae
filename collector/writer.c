// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing the trace.dat: libtracecmd's output functions over raw per-cpu pages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracecmd-private.h"
#include "writer.h"

int pt_write_tracedat(int out_fd, const char *name, const char *kallsyms,
		      const struct pt_write_buffer *buffers, int nbuffers, const char *metadata,
		      const char *extra_events, int compress, struct pt_err *err)
{
	/* the formats of these systems only: the VM's events, not the whole kernel's */
	struct tracecmd_event_list lists[] = {
		{ &lists[1], "kvm:*" }, { &lists[2], "iommu:*" }, { &lists[3], "ras:*" },
		{ extra_events ? &lists[4] : NULL, "irq:*" }, { NULL, extra_events },
	};
	struct tracecmd_output *out = NULL;
	int rc = -1, dup_fd = -1;

	errno = 0;
	/* its own copy of the descriptor: the caller's stays open for fchmod, fsync, rename */
	dup_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 0);
	out = dup_fd >= 0 ? tracecmd_output_create_fd(dup_fd) : NULL;
	if (!out) {
		pt_err_errno(err, errno ? errno : EIO, "cannot write '%s'", name);
		goto out;
	}
	tracecmd_set_quiet(out, true);
	if (tracecmd_output_set_version(out, 7) ||
	    (compress && tracecmd_output_set_compression(out, "zstd")) ||
	    tracecmd_output_set_kallsyms(out, kallsyms) ||
	    tracecmd_output_write_headers(out, lists)) {
		pt_err_errno(err, errno ? errno : EIO, "cannot write '%s'", name);
		goto out;
	}
	if (metadata && !tracecmd_add_option(out, PT_OPTION_METADATA, strlen(metadata) + 1,
					     metadata)) {
		pt_err_errno(err, errno ? errno : EIO, "cannot write '%s'", name);
		goto out;
	}
	for (int i = 1; i < nbuffers; i++) {
		if (tracecmd_add_buffer_info(out, buffers[i].name, buffers[i].cpus) < 0) {
			pt_err_errno(err, errno ? errno : EIO, "cannot write '%s'", name);
			goto out;
		}
	}
	if (tracecmd_write_cmdlines(out)) {
		pt_err_errno(err, errno ? errno : EIO, "cannot write '%s'", name);
		goto out;
	}
	for (int i = 0; i < nbuffers; i++) {
		int r = i == 0 ? tracecmd_append_cpu_data(out, buffers[i].cpus, buffers[i].files)
			       : tracecmd_append_buffer_cpu_data(out, buffers[i].name, buffers[i].cpus,
								 buffers[i].files);
		if (r) {
			pt_err_errno(err, errno ? errno : EIO, "cannot write '%s'", name);
			goto out;
		}
	}
	rc = 0;
out:
	if (out)
		tracecmd_output_close(out);
	/* libtracecmd closes the descriptor it was given in some versions, not in others */
	if (dup_fd >= 0 && fcntl(dup_fd, F_GETFD) >= 0)
		close(dup_fd);
	return rc;
}
