// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt_record(): one recording from start to file.  It checks what it can
 * before arming anything, arms the instances (instance.c, pagefault.c) and
 * the watchdog (watchdog.c), waits for a stop while it keeps the BARs, the
 * scratch's metadata and the caller's status fresh, then drains and writes
 * (capture.c).  The parts share struct rec (record-int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "capture.h"
#include "record-int.h"

#define PCI_REFRESH_S 1.0	/* seconds between query-pci while recording */
#define STATUS_S 0.25		/* seconds between on_status calls */
#define POLL_US 20000		/* the wait for a stop looks this often */
#define PANIC_WAIT_MS 500	/* after a trigger, for QMP's GUEST_PANICKED */

const char *pt_record_stop_name(enum pt_record_stop stop)
{
	switch (stop) {
	case PT_STOP_TRIGGER: return "in-kernel crash trigger";
	case PT_STOP_QMP_PANIC: return "QMP GUEST_PANICKED";
	case PT_STOP_SIGNAL: return "signal";
	case PT_STOP_DURATION: return "duration";
	case PT_STOP_VM_EXIT: return "the VM exited";
	case PT_STOP_LIBVIRT_CRASH: return "libvirt crash event";
	}
	return "?";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void pt_rec_note(struct rec *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!r->opts->on_note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->opts->on_note(r->opts->ctx, msg);
}

int pt_rec_stop_decide(const struct pt_rec_probe *p, enum pt_record_stop *stop)
{
	if (!p->tracing)
		*stop = PT_STOP_TRIGGER;
	else if (p->signalled)
		*stop = PT_STOP_SIGNAL;
	else if (p->duration > 0 && p->armed_for >= p->duration)
		*stop = PT_STOP_DURATION;
	else if (p->libvirt_crashed)
		*stop = PT_STOP_LIBVIRT_CRASH;
	else if (p->vm_gone)
		*stop = PT_STOP_VM_EXIT;
	else if (p->panicked)
		*stop = PT_STOP_QMP_PANIC;
	else
		return 0;
	return 1;
}

/*
 * QMP is asked last, and only when nothing else stops the recording:
 * reading it takes its events and may drop a peer that broke a bound,
 * with a note that means nothing at a stop.
 */
static int stop_reason(struct rec *r, double armed_for, enum pt_record_stop *stop)
{
	struct pt_rec_probe p = {
		.tracing = tracefs_trace_is_on(r->inst) != 0,
		.signalled = r->opts->stop && *r->opts->stop,
		.armed_for = armed_for,
		.duration = r->opts->duration,
		.vm_gone = kill(r->vm.pid, 0) && errno == ESRCH,
	};

	/* libvirt's events only say what happened: reading them early loses nothing */
	p.libvirt_crashed = pt_mon_libvirt_crashed(r, p.vm_gone ? 500 : 0);
	if (pt_rec_stop_decide(&p, stop))
		return 1;
	p.panicked = pt_mon_panicked(r);
	return pt_rec_stop_decide(&p, stop);
}

int pt_record_refuse_stdout(const char *output, struct pt_err *err)
{
	if (output && !strcmp(output, "-"))
		return pt_err_set(err, "cannot write the trace to standard output ('-'): a trace.dat is "
				  "read by seeking in it; give a file name (-o crash.dat)");
	return 0;
}

/*
 * Fails early, before arming, when the output cannot be written at all: a
 * recording may wait hours for its crash, and only then rename its file
 * into place.
 */
static int check_output(const char *output, struct pt_err *err)
{
	char probe[PATH_MAX];
	const char *slash = strrchr(output, '/');
	struct stat st;
	int fd;

	if (pt_record_refuse_stdout(output, err))
		return -1;
	if (!output[0])
		return pt_err_set(err, "the output file name is empty: give one (-o crash.dat)");
	if (!stat(output, &st) && S_ISDIR(st.st_mode))
		return pt_err_set(err, "cannot write '%s': it is a directory; give a file name "
				  "(-o %s%scrash.dat)", output, output,
				  output[strlen(output) - 1] == '/' ? "" : "/");
	/* the file is replaced whole by a rename: never a device, a pipe or a socket */
	if (!lstat(output, &st) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return pt_err_set(err, "cannot write '%s': it is not a regular file; give a file name",
				  output);
	if (!slash)
		snprintf(probe, sizeof(probe), "./.pttrace-probe.XXXXXX");
	else
		snprintf(probe, sizeof(probe), "%.*s/.pttrace-probe.XXXXXX",
			 slash == output ? 0 : (int)(slash - output), output);
	fd = mkstemp(probe);
	if (fd < 0)
		return pt_err_errno(err, errno, "cannot write '%s'", output);
	close(fd);
	unlink(probe);
	return 0;
}

/* -e names an event the kernel does not have: a typo, said once, before arming. */
static int check_events(const struct pt_record_opts *opts, struct pt_err *err)
{
	for (const char *const *e = opts->events; e && *e; e++) {
		const char *spec = (*e)[0] == '+' ? *e + 1 : *e, *event;
		char sys[64];

		pt_inst_event_split(spec, sys, sizeof(sys), &event);
		if (!sys[0] || !event[0] || !tracefs_event_file_exists(NULL, sys, event, "format"))
			return pt_err_set(err, "unknown event '%s' (ls %s/events/%s)", spec,
					  tracefs_tracing_dir(), sys[0] ? sys : "kvm");
	}
	return 0;
}

/* MemTotal in KB, 0 when unknown. */
static unsigned long long mem_total_kb(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int check_buffer(unsigned kb, struct pt_err *err)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long long mem = mem_total_kb();

	if (kb < PT_RECORD_MIN_BUFFER_KB || kb > PT_RECORD_MAX_BUFFER_KB)
		return pt_err_set(err, "a buffer of %u KB per cpu is out of range: from %u to %u KB",
				  kb, PT_RECORD_MIN_BUFFER_KB, PT_RECORD_MAX_BUFFER_KB);
	/* the kernel allocates it on every cpu, and the scratch holds it again */
	if (cpus > 0 && mem && (unsigned long long)kb * cpus > mem / 2)
		return pt_err_set(err, "a buffer of %u KB on each of %ld cpus is more than half of this "
				  "host's memory (%llu MB): at most %llu KB", kb, cpus, mem / 1024,
				  mem / 2 / cpus);
	return 0;
}

/* What can be refused before anything is armed. */
static int preflight(struct rec *r, struct pt_err *err)
{
	const struct pt_record_opts *opts = r->opts;
	char why[256];

	/* what the command line gives goes into fixed tables: refuse more than they hold */
	for (const char *const *e = opts->events; e && *e; e++)
		if (e - opts->events >= PT_REC_MAX_EVENTS)
			return pt_err_set(err, "too many events given with -e: at most %d",
					  PT_REC_MAX_EVENTS);
	if (check_buffer(opts->buffer_kb, err) || check_output(opts->output, err))
		return -1;
	if (geteuid())
		return pt_err_set(err, "recording needs root (tracefs and the VM's threads): run as root");
	if (pt_vm_find(opts->sysroot, opts->vm_name, opts->pid, &r->vm, err))
		return -1;
	if (!pt_vm_is_kvm(&r->vm, why, sizeof(why)))
		return pt_err_set(err, "%s: not recorded", why);
	return pt_inst_ensure_tracefs(err) || check_events(opts, err) || pt_mon_connect_given(r, err)
	       ? -1 : 0;
}

static int create_cpu_files(struct rec *r, const char *tag, struct pt_err *err)
{
	for (int cpu = 0; cpu < r->cpus; cpu++) {
		char name[32];
		int fd;

		snprintf(name, sizeof(name), "%s.cpu%d", tag, cpu);
		fd = openat(r->sc.dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return pt_err_errno(err, errno, "cannot create '%s/%s'", r->sc.dir, name);
		close(fd);
	}
	return 0;
}

static int arm_scratch(struct rec *r, struct pt_err *err)
{
	unsigned long long need = (unsigned long long)r->cpus * 1024 *
				  (r->opts->buffer_kb + PT_REC_HOST_BUFFER_KB);

	if (pt_scratch_create(&r->sc, r->opts->tmpdir, r->opts->output, need, err))
		return -1;
	r->have_scratch = 1;
	r->sc.cpus = r->cpus;
	r->sc.stream = r->opts->stream;
	if (create_cpu_files(r, "vm", err) || create_cpu_files(r, "host", err))
		return -1;
	return pt_watchdog_start(r, err);
}

static char *build_meta(struct rec *r, const struct pt_record_result *res)
{
	struct pt_meta_page_faults mpf = {
		.field = r->pf.field, .paging = r->pf.paging, .armed = r->pf.armed, .reason = r->pf.reason,
		.filters = r->pf.hist, .nfilters = r->pf.nhist, .truncated = r->pf.hist_full,
	};
	struct pt_meta_host_resets mhr = {
		.recorded = r->hr.armed, .named = r->hr.armed && r->hr.named, .reason = r->hr.reason,
		.unnamed_why = r->hr.unnamed_why, .probes = r->hr.probes, .nprobes = r->hr.nprobes,
		.missing = r->hr.missing, .nmissing = r->hr.nmissing, .devs = r->hr.devs,
		.bridges = r->hr.bridge, .ndevs = r->hr.ndevs, .vm_started = r->hr.vm_started,
	};
	struct pt_meta_recording mr = {
		.sysroot = r->opts->sysroot, .stream = r->opts->stream, .buffer_kb = r->opts->buffer_kb,
		.events = r->enabled, .nevents = r->nenabled, .missing = r->missing,
		.nmissing = r->nmissing, .triggers = r->triggers, .ntriggers = r->ntriggers,
		.overwritten = res ? res->overrun : 0, .dropped = res ? res->dropped : 0,
		.page_faults = r->pf.spec || r->pf.reason[0] ? &mpf : NULL,
		.guest_panicked = pt_json_get(r->panic_msg, "data"),
		.qmp = r->qmp_via,
		.host_resets = r->hr.tried ? &mhr : NULL,
	};

	return pt_meta_build(&r->vm, r->query_pci, &mr);
}

/*
 * The metadata in the scratch, for a watchdog or --recover that finishes
 * the file without this process: rewritten when it changes (the BARs, the
 * filter), so a long wait writes it a few times, not once a second.  Only
 * the stop knows the counts of overwritten and dropped events.
 */
static void save_meta(struct rec *r, const struct pt_record_result *res)
{
	char *meta = build_meta(r, res);

	if (!meta || (r->meta_saved && !strcmp(meta, r->meta_saved)) ||
	    pt_scratch_put(&r->sc, "meta.json", meta)) {
		free(meta);
		return;
	}
	free(r->meta_saved);
	r->meta_saved = meta;
}

/* The capture cannot be drained: it stays in the instances and the scratch, for --recover. */
static int keep_capture(struct rec *r, const struct pt_err *why, struct pt_err *err)
{
	tracefs_trace_off(r->inst);
	if (r->host)
		tracefs_trace_off(r->host);
	r->sc.phase = PT_PHASE_KEPT;
	pt_scratch_save(&r->sc, NULL);
	return pt_err_set(err, "%s; recording stopped, and the capture is kept in '%s' and tracefs "
			  "instance '%s': %s pttrace record --recover %s", why->msg, r->sc.dir,
			  r->name, pt_capture_remedy(why), r->sc.dir);
}

static void cleanup(struct rec *r)
{
	pt_inst_disarm(r);
	/* after the write: the file takes the probes' formats from tracefs */
	pt_kp_disarm(r);
	if (r->have_scratch) {
		if (r->sc.phase == PT_PHASE_KEPT)
			pt_scratch_close(&r->sc);
		else
			pt_scratch_remove(&r->sc);
	}
	pt_watchdog_stop(r);
	if (r->qmp_up)
		pt_qmp_close(&r->qmp);
	pt_virt_close(r->virt);
	pt_json_free(r->query_pci);
	pt_json_free(r->panic_msg);
	free(r->meta_saved);
	pt_pf_release(&r->pf);
}

/*
 * The scratch and the watchdog first, and the scratch's state names the
 * instance before it exists: whatever kills the recorder from here on
 * leaves nothing armed that nobody knows of.
 */
static int arm(struct rec *r, struct pt_record_result *res, struct pt_err *err)
{
	const struct pt_record_opts *opts = r->opts;

	pt_record_cleanup(0, opts->on_note, opts->ctx);
	r->cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (r->cpus > PT_REC_MAX_CPUS)
		r->cpus = PT_REC_MAX_CPUS;
	if (arm_scratch(r, err))
		return -1;
	pt_mon_connect(r);
	pt_inst_name(r->name, sizeof(r->name), getpid(), r->vm.name);
	snprintf(r->sc.instance, sizeof(r->sc.instance), "%s", r->name);
	if (pt_scratch_save(&r->sc, err) || pt_inst_create(r, err))
		return -1;
	snprintf(res->instance, sizeof(res->instance), "%s", r->name);
	if (pt_inst_set_pids(r, err) || pt_inst_enable_events(r, err))
		return -1;
	pt_inst_set_triggers(r);
	pt_pf_update(r);
	if (pt_inst_arm_host(r)) {
		snprintf(r->sc.host, sizeof(r->sc.host), "%s", r->host_name);
		if (pt_scratch_save(&r->sc, err))
			return -1;
	}
	save_meta(r, NULL);
	if (tracefs_trace_on(r->inst))
		return pt_err_errno(err, errno, "cannot start tracing in '%s'", r->name);
	if (opts->on_armed)
		opts->on_armed(opts->ctx, &r->vm, r->name);
	r->armed_at = now_s();
	return 0;
}

/* Until a stop reason (RES->stop): 0, or -1 when a stream's drain failed and the capture is kept. */
static int wait_for_stop(struct rec *r, struct pt_record_result *res, struct pt_err *err)
{
	const struct pt_record_opts *opts = r->opts;
	struct pt_record_status st = { 0 };
	double last_status = 0, last_pci = r->armed_at;
	uint64_t last_events = 0;
	struct pt_err derr;

	for (;;) {
		double t = now_s();

		if (stop_reason(r, t - r->armed_at, &res->stop)) {
			if (res->stop == PT_STOP_LIBVIRT_CRASH)
				snprintf(res->event, sizeof(res->event), "%s", r->virt_event);
			return 0;
		}
		if (opts->stream && pt_capture_drain(&r->sc, r->inst, "vm", 0, &derr))
			return keep_capture(r, &derr, err);
		/*
		 * A flight recorder overwrites the BAR programming of the guest's
		 * boot, and a crashed VM may be gone (libvirt's on_crash=destroy)
		 * before the stop, so the BARs are asked for as the guest runs;
		 * kvm_page_fault's filter follows them.  A stream keeps the boot,
		 * and its drain must not wait on QEMU: it asks only until
		 * kvm_page_fault is armed.
		 */
		if ((!opts->stream || (r->pf.spec && !r->pf.armed)) && t - last_pci >= PCI_REFRESH_S) {
			pt_mon_refresh_pci(r, 200);
			pt_pf_update(r);
			save_meta(r, NULL);
			last_pci = t;
		}
		if (t - last_status >= STATUS_S) {
			pt_inst_status(r, &st);
			st.seconds = t - r->armed_at;
			st.events_per_s = last_status ? (st.events - last_events) / (t - last_status) : 0;
			last_events = st.events;
			last_status = t;
			if (opts->on_status)
				opts->on_status(opts->ctx, &st);
			pt_watchdog_keep(r);
		}
		usleep(POLL_US);
	}
}

/* Stops, drains into the scratch and writes the file. */
static int finish(struct rec *r, struct pt_record_result *res, struct pt_err *err)
{
	struct pt_record_status st = { 0 };
	struct pt_err derr;
	struct stat fst;
	int wrc;

	r->stopped_at = now_s();
	tracefs_trace_off(r->inst);
	/* the trigger fired on the crash: QEMU's word on it (hv-crash's bugcheck) is on its way */
	if (res->stop == PT_STOP_TRIGGER)
		pt_mon_await_panic(r, PANIC_WAIT_MS);
	/* BARs are programmed by now, even for a VM that was started paused */
	pt_mon_refresh_pci_at_stop(r, res->stop == PT_STOP_TRIGGER || res->stop == PT_STOP_QMP_PANIC ||
				      res->stop == PT_STOP_LIBVIRT_CRASH);
	if (r->host)
		tracefs_trace_off(r->host);
	res->armed_seconds = r->stopped_at - r->armed_at;
	pt_inst_status(r, &st);
	res->entries = st.events;
	res->overrun = st.overrun;
	res->dropped = st.dropped;
	save_meta(r, res);
	if (pt_capture_drain(&r->sc, r->inst, "vm", 1, &derr) ||
	    (r->host && pt_capture_drain(&r->sc, r->host, "host", 1, &derr)))
		return keep_capture(r, &derr, err);
	pt_inst_disarm(r);
	wrc = pt_capture_write(&r->sc, r->meta_saved, r->opts->output, res->written,
			       sizeof(res->written), err);
	if (wrc < 0)
		return -1;
	r->have_scratch = 0;	/* written: pt_capture_write removed it */
	if (wrc > 0)
		res->not_written = *err;
	if (!stat(res->written, &fst))
		res->file_size = fst.st_size;
	res->write_seconds = now_s() - r->stopped_at;
	return 0;
}

int pt_record(const struct pt_record_opts *opts, struct pt_record_result *res, struct pt_err *err)
{
	struct rec *r = calloc(1, sizeof(*r));
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (!r)
		return pt_err_set(err, "out of memory");
	r->opts = opts;
	if (preflight(r, err))
		goto out;
	if (opts->sysroot && opts->sysroot[0]) {
		/* a fake tree's pids are not this machine's threads: check, never arm */
		res->checked_only = 1;
		snprintf(res->vm_name, sizeof(res->vm_name), "%s", r->vm.name);
		res->vm_pid = r->vm.pid;
		rc = 0;
		goto out;
	}
	if (!arm(r, res, err) && !wait_for_stop(r, res, err))
		rc = finish(r, res, err);
out:
	cleanup(r);
	free(r);
	return rc;
}
