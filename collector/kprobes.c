// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's resets of the assigned devices, as kprobe events on the
 * kernel's PCI reset paths (pt-hostreset.h's table), enabled only in the
 * recorder's host instance.
 *
 * kprobe_events is global to the machine: each probe is named
 * pttrace_<pid>_<function> after the recorder that made it, appended to the
 * file (never truncated: other users' probes stay), and removed with
 * "-:kprobes/NAME" once its instance is gone: at the end of the recording,
 * by the watchdog's takeover, by `record --recover` and by `record
 * --cleanup` (and the cleanup every record starts with) for a recorder
 * that died.  A capture kept for --recover keeps its probes with its
 * instances: their formats go into the file it will write.
 *
 * The device's name comes through the kernel's BTF field access
 * ("dev->dev.kobj.name:string", kernels with CONFIG_PROBE_EVENTS_BTF_ARGS,
 * 6.8 and later), never through struct offsets computed by hand, which
 * change with every kernel build.  Where the kernel refuses it, a probe
 * records only its function and time, and the metadata says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "pt-hostreset.h"
#include "record-int.h"

void pt_kp_name(char *buf, size_t size, pid_t pid, const char *symbol)
{
	snprintf(buf, size, PT_HR_PROBE_PREFIX "%d_%s", (int)pid, symbol);
}

void pt_kp_define(char *buf, size_t size, pid_t pid, const struct pt_hr_func *f, int named)
{
	char name[PT_KP_NAME_MAX];
	int n;

	pt_kp_name(name, sizeof(name), pid, f->symbol);
	n = snprintf(buf, size, "p:kprobes/%s %s", name, f->symbol);
	if (named && f->name_arg && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " dev=%s:string", f->name_arg);
	/* a probe call only asks whether the method would work: the filter drops it */
	if (f->probe_arg && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " probe=$arg2:u8");
}

int pt_kp_parse(const char *line, pid_t *pid, char *event, size_t size)
{
	const char *name = strchr(line, '/'), *end, *space = strchr(line, ' '), *function;
	int p;

	/* "p:kprobes/pttrace_123_pcie_flr pcie_flr ..." (or without the group) */
	if (line[0] != 'p' || line[1] != ':')
		return -1;
	name = name && (!space || name < space) ? name + 1 : line + 2;
	p = pt_hr_probe_pid(name, &function);
	if (p <= 0)
		return -1;
	end = name + strcspn(name, " \n");
	if ((size_t)(end - name) >= size)
		return -1;
	snprintf(event, size, "%.*s", (int)(end - name), name);
	*pid = p;
	return 0;
}

void pt_kp_filter(char *buf, size_t size, const struct pt_hr_func *f, int named,
		  const char *const *devs, unsigned ndev)
{
	size_t n = 0;

	buf[0] = 0;
	if (f->probe_arg)
		n = snprintf(buf, size, "probe == 0");
	if (!named || !f->name_arg || !ndev || n >= size)
		return;
	n += snprintf(buf + n, size - n, "%s(", n ? " && " : "");
	for (unsigned i = 0; i < ndev && n < size; i++)
		n += snprintf(buf + n, size - n, "%sdev == \"%s\"", i ? " || " : "", devs[i]);
	if (n < size)
		snprintf(buf + n, size - n, ")");
	if (n >= size)
		buf[0] = 0;	/* too many devices for one filter: record all of them */
}

/* Appends LINE to TRACING/kprobe_events: 0, or an errno. */
static int kp_write(const char *tracing, const char *line)
{
	char path[PATH_MAX];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracing);
	/* O_APPEND, never O_TRUNC: truncating it would remove every kprobe on the machine */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, line, strlen(line)) < 0)
		rc = errno;
	close(fd);
	return rc;
}

int pt_kp_available(const char *tracing, char *why, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/kprobe_events", tracing);
	if (access(path, F_OK)) {
		snprintf(why, size, "this kernel has no kprobe events (no %s: CONFIG_KPROBE_EVENTS is "
			 "off)", path);
		return 0;
	}
	if (access(path, W_OK)) {
		snprintf(why, size, "cannot write %s: %s", path, strerror(errno));
		return 0;
	}
	return 1;
}

int pt_kp_remove(const char *tracing, int (*drop)(pid_t pid, void *ctx), void *ctx,
		 void (*removed)(void *ctx, const char *event))
{
	char path[PATH_MAX], line[512], event[PT_KP_NAME_MAX], del[PT_KP_NAME_MAX + 16];
	char (*names)[PT_KP_NAME_MAX] = NULL;
	size_t n = 0, cap = 0;
	int count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracing);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* read whole before writing: the file changes under a reader */
	while (fgets(line, sizeof(line), f)) {
		pid_t pid;

		if (pt_kp_parse(line, &pid, event, sizeof(event)) || !drop(pid, ctx))
			continue;
		if (n == cap) {
			void *more = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*names));

			if (!more)
				break;
			names = more;
		}
		snprintf(names[n++], PT_KP_NAME_MAX, "%s", event);
	}
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		snprintf(del, sizeof(del), "-:kprobes/%s\n", names[i]);
		/* EBUSY: still enabled in an instance someone keeps; the next cleanup tries again */
		if (kp_write(tracing, del))
			continue;
		count++;
		if (removed)
			removed(ctx, names[i]);
	}
	free(names);
	return count;
}

static int is_pid(pid_t pid, void *ctx)
{
	return pid == *(pid_t *)ctx;
}

int pt_kp_remove_pid(const char *tracing, pid_t pid)
{
	if (!tracing)
		return 0;
	return pt_kp_remove(tracing, is_pid, &pid, NULL);
}

/* The host BDFs whose resets matter: the assigned devices and the bridges above them. */
static unsigned watched(struct rec *r)
{
	struct host_resets *hr = &r->hr;

	hr->ndevs = 0;
	for (unsigned i = 0; i < r->vm.ndev && hr->ndevs < PT_KP_MAX_DEVS; i++) {
		struct pt_host_reset_caps caps;
		char bdf[16];

		if (!r->vm.dev[i].assigned || pt_host_bdf(r->vm.dev[i].host, bdf, sizeof(bdf)))
			continue;
		snprintf(hr->devs[hr->ndevs], sizeof(hr->devs[0]), "%s", bdf);
		hr->bridge[hr->ndevs][0] = 0;
		if (!pt_host_reset_read(r->opts->sysroot, bdf, &caps) && caps.bus == PT_HR_BUS_BRIDGE)
			snprintf(hr->bridge[hr->ndevs], sizeof(hr->bridge[0]), "%s", caps.bridge);
		hr->ndevs++;
	}
	return hr->ndevs;
}

/* Removes one probe by its event NAME. */
static void kp_remove_one(const char *tracing, const char *name)
{
	char del[PT_KP_NAME_MAX + 16];

	snprintf(del, sizeof(del), "-:kprobes/%s\n", name);
	kp_write(tracing, del);
}

/*
 * Defines F's probe, with the device's name when the kernel takes it, and
 * enables it in the host instance: 1 named, 0 without the name, -1 not in
 * this kernel (a static function inlined, vfio-pci not loaded).
 */
static int arm_one(struct rec *r, const char *tracing, const struct pt_hr_func *f,
		   const char *const *filter_devs, unsigned nfilter)
{
	struct host_resets *hr = &r->hr;
	char line[512], name[PT_KP_NAME_MAX], filter[512];
	int named = f->name_arg != NULL;

	pt_kp_name(name, sizeof(name), getpid(), f->symbol);
	pt_kp_define(line, sizeof(line) - 1, getpid(), f, named);
	strcat(line, "\n");
	if (kp_write(tracing, line)) {
		if (!named)
			return -1;
		/* the function is there but the name is refused: function and time only */
		pt_kp_define(line, sizeof(line) - 1, getpid(), f, 0);
		strcat(line, "\n");
		if (kp_write(tracing, line))
			return -1;
		named = 0;
		snprintf(hr->unnamed_why, sizeof(hr->unnamed_why), "the kernel did not take '%s' in "
			 "a kprobe event (BTF field access, CONFIG_PROBE_EVENTS_BTF_ARGS)", f->name_arg);
	}
	hr->defined = 1;
	if (tracefs_event_enable(r->host, "kprobes", name)) {
		kp_remove_one(tracing, name);
		return -1;
	}
	pt_kp_filter(filter, sizeof(filter), f, named, filter_devs, nfilter);
	if (filter[0] && tracefs_event_file_write(r->host, "kprobes", name, "filter", filter) < 0)
		pt_rec_note(r, "cannot set the filter '%s' on kprobes:%s: it records every device's "
			    "resets", filter, name);
	return named;
}

double pt_kp_started(const char *stat_text, double boot_now, double trace_now, long ticks)
{
	const char *p = stat_text ? strrchr(stat_text, ')') : NULL;
	unsigned long long start;

	/* field 22, starttime, in clock ticks since boot; the 20th after the comm's ')' */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || ticks <= 0 || trace_now < 0 || sscanf(p + 1, "%llu", &start) != 1)
		return -1;
	/* its age, by the boot clock, back from the trace clock's now */
	return trace_now - (boot_now - (double)start / ticks);
}

/* When the VM's QEMU started, on the trace's clock: runs before it are not in the trace. */
static double vm_started(struct rec *r)
{
	char path[64], text[1024];
	struct timespec now;
	double trace_now;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)r->vm.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = 0;
	trace_now = pt_inst_clock_now(r);
	clock_gettime(CLOCK_BOOTTIME, &now);
	return pt_kp_started(text, now.tv_sec + now.tv_nsec / 1e9, trace_now, sysconf(_SC_CLK_TCK));
}

void pt_kp_arm(struct rec *r)
{
	struct host_resets *hr = &r->hr;
	const char *tracing = tracefs_tracing_dir(), *filter_devs[2 * PT_KP_MAX_DEVS];
	unsigned nfilter = 0;

	hr->vm_started = -1;
	if (!watched(r))
		return;		/* nothing passed through: no host device to watch */
	hr->tried = 1;
	hr->vm_started = vm_started(r);
	if (!tracing || !pt_kp_available(tracing, hr->reason, sizeof(hr->reason))) {
		if (!tracing)
			snprintf(hr->reason, sizeof(hr->reason), "tracefs not found");
		pt_rec_note(r, "the host's resets of the assigned devices are not recorded: %s",
			    hr->reason);
		return;
	}
	for (unsigned i = 0; i < hr->ndevs; i++) {
		filter_devs[nfilter++] = hr->devs[i];
		if (hr->bridge[i][0])
			filter_devs[nfilter++] = hr->bridge[i];
	}
	hr->named = 1;
	for (unsigned i = 0; i < pt_hr_nfuncs && i < PT_KP_MAX_FUNCS; i++) {
		int rc = arm_one(r, tracing, &pt_hr_funcs[i], filter_devs, nfilter);

		if (rc < 0) {
			hr->missing[hr->nmissing++] = pt_hr_funcs[i].symbol;
			continue;
		}
		hr->named &= rc;
		hr->probes[hr->nprobes++] = pt_hr_funcs[i].symbol;
	}
	if (!hr->nprobes) {
		snprintf(hr->reason, sizeof(hr->reason), "the kernel took none of the reset probes");
		pt_rec_note(r, "the host's resets of the assigned devices are not recorded: %s",
			    hr->reason);
		pt_kp_remove_pid(tracing, getpid());
		return;
	}
	hr->armed = 1;
	if (!hr->named)
		pt_rec_note(r, "the host's resets are recorded without the device's name: %s",
			    hr->unnamed_why);
}

void pt_kp_disarm(struct rec *r)
{
	if (r->hr.defined && r->sc.phase != PT_PHASE_KEPT)
		pt_kp_remove_pid(tracefs_tracing_dir(), getpid());
}
