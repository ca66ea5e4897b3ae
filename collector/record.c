// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "capture.h"
#include "meta-build.h"
#include "pt-barfilter.h"
#include "pt-qmp.h"
#include "pt-record.h"
#include "scratch.h"

#define INSTANCE_PREFIX "pttrace-"
#define MAX_CPUS 256
#define MAX_EVENTS 64
#define HOST_BUFFER_KB 1024

/*
 * Everything a pass-through crash can involve, but kvm_emulate_insn: on
 * hosts without VMX/SVM it fires for every emulated instruction and would
 * flood the buffer (on VMX/SVM hosts add it with -e for MMIO guest rips).
 */
const char *const pt_record_default_events[] = {
	"kvm:kvm_mmio", "kvm:kvm_fast_mmio", "kvm:kvm_pio", "kvm:kvm_msr",
	"kvm:kvm_userspace_exit", "kvm:kvm_exit", "kvm:kvm_entry", "kvm:kvm_page_fault",
	"kvm:kvm_inj_exception", "kvm:kvm_inj_virq", "kvm:kvm_msi_set_irq", "kvm:kvm_set_irq",
	"kvm:kvm_ioapic_set_irq", "kvm:kvm_pic_set_irq", "kvm:kvm_apic_accept_irq", "kvm:kvm_eoi",
	"kvm:kvm_ack_irq", "kvm:kvm_apic_ipi", "kvm:kvm_hv_hypercall", NULL,
};

/*
 * Host-side events happen in interrupt context, not in the VM's threads,
 * so they go to a second instance without the pid filter.
 */
static const char *const host_events[] = {
	"iommu:io_page_fault", "ras:aer_event", "irq:irq_handler_entry", NULL,
};

const char *pt_record_stop_name(enum pt_record_stop stop)
{
	switch (stop) {
	case PT_STOP_TRIGGER: return "in-kernel crash trigger";
	case PT_STOP_QMP_PANIC: return "QMP GUEST_PANICKED";
	case PT_STOP_SIGNAL: return "signal";
	case PT_STOP_DURATION: return "duration";
	case PT_STOP_VM_EXIT: return "the VM exited";
	}
	return "?";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * kvm_page_fault, armed with a filter on the device BARs' guest-physical
 * ranges (pt-barfilter.h) once query-pci shows them, and re-filtered when
 * the guest moves them.  Unfiltered it records every RAM fault too.
 */
struct page_faults {
	const char *spec;		/* as asked for ("kvm:kvm_page_fault"); NULL: not asked */
	int armed;
	int said;			/* the note that it waits for BARs was given */
	char field[32];
	unsigned field_size;
	const char *paging;		/* guest_paging() */
	enum pt_bar_scope scope;
	struct pt_bar_range cur[PT_BAR_RANGES_MAX];
	size_t ncur;			/* the ranges the filter has now */
	char filter[PT_BAR_FILTER_MAX];
	struct pt_meta_bar_filter hist[PT_META_BAR_FILTERS];
	unsigned nhist;
	int hist_full;			/* later filters were set but not kept */
	char reason[sizeof(((struct pt_err *)0)->msg)];	/* why it is not armed */
};

struct rec {
	const struct pt_record_opts *opts;
	struct pt_vm vm;
	struct tracefs_instance *inst, *host;
	int have_host;			/* host events were recorded (outlives r->host) */
	char name[64], host_name[72];
	int cpus;
	const char *enabled[MAX_EVENTS], *missing[MAX_EVENTS], *triggers[8];
	unsigned nenabled, nmissing, ntriggers;
	char trigger_text[8][128];
	struct pt_qmp qmp;
	int qmp_up;
	struct pt_json *query_pci;
	struct pt_scratch sc;		/* the raw pages, the metadata, the state */
	int have_scratch;
	pid_t watchdog;
	int watch_fd;			/* closed without a word: the watchdog takes over */
	char *meta_saved;		/* the metadata as last put in the scratch */
	double meta_at;
	struct page_faults pf;
};

static void note(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct rec *r, const char *fmt, ...)
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

static int ensure_tracefs(struct pt_err *err)
{
	if (tracefs_tracing_dir())
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) && errno != EBUSY)
		return pt_err_errno(err, errno, "tracefs is not mounted and mounting it on "
				    "/sys/kernel/tracing failed (mount -t tracefs nodev /sys/kernel/tracing)");
	if (!tracefs_tracing_dir())
		return pt_err_set(err, "cannot find tracefs after mounting it");
	return 0;
}

static void sanitize(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; *src && n < size - 1; src++)
		dst[n++] = (*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
			   (*src >= '0' && *src <= '9') || *src == '-' || *src == '_' ? *src : '_';
	dst[n] = 0;
}

static int split_event(const char *spec, char *sys, size_t ssize, const char **event)
{
	const char *colon = strchr(spec, ':');

	if (!colon) {
		snprintf(sys, ssize, "kvm");
		*event = spec;
		return 0;
	}
	snprintf(sys, ssize, "%.*s", (int)(colon - spec), spec);
	*event = colon + 1;
	return 0;
}

static void enable_one(struct rec *r, const char *spec)
{
	char sys[64];
	const char *event;

	split_event(spec, sys, sizeof(sys), &event);
	if (!strcmp(sys, "kvm") && !strcmp(event, "kvm_page_fault") &&
	    tracefs_event_file_exists(r->inst, sys, event, "filter")) {
		/* armed by update_page_faults, with its filter, once the BARs are known */
		if (!r->pf.spec)
			r->pf.spec = spec;
		return;
	}
	if (!tracefs_event_enable(r->inst, sys, event)) {
		r->enabled[r->nenabled++] = spec;
	} else {
		/* a kernel may lack many: the list keeps what fits, the note says each */
		if (r->nmissing < MAX_EVENTS)
			r->missing[r->nmissing++] = spec;
		note(r, "event %s is not in this kernel: not recorded", spec);
	}
}

/* -e EVENT replaces the default set; -e +EVENT adds to it. */
static int enable_events(struct rec *r, struct pt_err *err)
{
	const char *const *list = r->opts->events;
	int defaults = !list;

	for (const char *const *e = list; e && *e; e++)
		defaults |= (*e)[0] == '+';
	for (const char *const *e = defaults ? pt_record_default_events : NULL; e && *e; e++)
		if (r->nenabled < MAX_EVENTS)
			enable_one(r, *e);
	for (; list && *list && r->nenabled < MAX_EVENTS; list++)
		enable_one(r, (*list)[0] == '+' ? *list + 1 : *list);
	if (!r->nenabled && !r->pf.spec)
		return pt_err_set(err, "none of the kvm events exists in this kernel "
				  "(is the kvm module loaded? ls /sys/kernel/tracing/events/kvm)");
	return 0;
}

static int set_pids(struct rec *r, struct pt_err *err)
{
	char buf[16];

	if (pt_vm_threads(r->opts->sysroot, &r->vm))
		return pt_err_set(err, "the VM (pid %d) is gone", (int)r->vm.pid);
	tracefs_instance_file_clear(r->inst, "set_event_pid");
	for (unsigned i = 0; i < r->vm.nthreads; i++) {
		snprintf(buf, sizeof(buf), "%d", (int)r->vm.threads[i]);
		if (tracefs_instance_file_append(r->inst, "set_event_pid", buf) < 0)
			return pt_err_errno(err, errno, "cannot write set_event_pid of '%s'", r->name);
	}
	/* threads the VM starts later (hotplugged vcpus, iothreads) inherit it */
	if (tracefs_option_enable(r->inst, TRACEFS_OPTION_EVENT_FORK))
		note(r, "the event-fork option is missing: threads started later are not traced");
	return 0;
}

static void add_trigger(struct rec *r, const char *sys, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_trigger(struct rec *r, const char *sys, const char *event, const char *fmt, ...)
{
	char *text;
	va_list ap;

	if (r->ntriggers == 8)
		return;
	text = r->trigger_text[r->ntriggers];
	va_start(ap, fmt);
	vsnprintf(text, sizeof(r->trigger_text[0]), fmt, ap);
	va_end(ap);
	if (tracefs_event_file_write(r->inst, sys, event, "trigger", text) < 0) {
		note(r, "cannot set the trigger '%s' on %s:%s", text, sys, event);
		return;
	}
	r->triggers[r->ntriggers++] = text;
}

static int enabled(const struct rec *r, const char *event)
{
	for (unsigned i = 0; i < r->nenabled; i++)
		if (!strcmp(r->enabled[i], event) || !strcmp(strchr(r->enabled[i], ':') ?
							    strchr(r->enabled[i], ':') + 1 :
							    r->enabled[i], event))
			return 1;
	return 0;
}

#define PCI_REFRESH_S 1.0	/* seconds between query-pci while recording */

/* The peer broke the protocol or a bound: the recording goes on without it. */
static void drop_qmp(struct rec *r, const struct pt_err *why)
{
	note(r, "%s; recording goes on without QMP (no GUEST_PANICKED stop, BARs as last seen)",
	     why->msg);
	pt_qmp_close(&r->qmp);
	r->qmp_up = 0;
}

/* query-pci again; the last answer is kept when this one fails. */
static void refresh_pci(struct rec *r, int timeout_ms)
{
	struct pt_json *pci = NULL;
	struct pt_err qerr;

	if (!r->qmp_up)
		return;
	if (!pt_qmp_execute(&r->qmp, "query-pci", NULL, &pci, timeout_ms, &qerr)) {
		pt_json_free(r->query_pci);
		r->query_pci = pci;
	} else if (r->qmp.broken) {
		drop_qmp(r, &qerr);
	}
}

/*
 * How KVM maps guest memory: "ept", "npt" (kvm_page_fault's address is a
 * guest-physical one, after an EPT violation or an NPF), "shadow" (the
 * address is the guest's linear address of an intercepted #PF, and a BAR
 * filter keeps almost nothing), "unknown" (another KVM, such as kvm_pvm).
 */
static const char *guest_paging(const char *sysroot)
{
	static const struct { const char *file, *name; } mods[] = {
		{ "/sys/module/kvm_intel/parameters/ept", "ept" },
		{ "/sys/module/kvm_amd/parameters/npt", "npt" },
	};

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char path[PATH_MAX], v[8] = "";
		FILE *f;

		snprintf(path, sizeof(path), "%s%s", sysroot ? sysroot : "", mods[i].file);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(v, sizeof(v), f))
			v[0] = 0;
		fclose(f);
		return v[0] == 'Y' || v[0] == '1' ? mods[i].name : "shadow";
	}
	return "unknown";
}

/* The instance's trace clock now, in seconds (the timestamps of its events); -1 if unknown. */
static double trace_clock_now(struct rec *r)
{
	char *stats = tracefs_instance_file_read(r->inst, "per_cpu/cpu0/stats", NULL);
	const char *p = stats ? strstr(stats, "now ts: ") : NULL;
	double t = p ? strtod(p + 8, NULL) : -1;

	free(stats);
	return t;
}

static int same_ranges(const struct page_faults *pf, const struct pt_bar_range *r, size_t n)
{
	if (n != pf->ncur)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].start != pf->cur[i].start || r[i].end != pf->cur[i].end)
			return 0;
	return 1;
}

/* Keeps what was armed, for the metadata: the ranges and the filter, from when. */
static void keep_filter(struct rec *r, double at)
{
	struct page_faults *pf = &r->pf;
	struct pt_meta_bar_filter *h;

	if (pf->nhist == PT_META_BAR_FILTERS) {
		pf->hist_full = 1;
		return;
	}
	h = &pf->hist[pf->nhist];
	h->ranges = malloc(pf->ncur * sizeof(*h->ranges));
	h->filter = strdup(pf->filter);
	if (!h->ranges || !h->filter) {
		free(h->ranges);
		free(h->filter);
		pf->hist_full = 1;
		return;
	}
	memcpy(h->ranges, pf->cur, pf->ncur * sizeof(*h->ranges));
	h->nranges = pf->ncur;
	h->at = at;
	h->scope = pt_bar_scope_name(pf->scope);
	pf->nhist++;
}

/*
 * Arms kvm_page_fault on the BARs query-pci shows, or moves its filter
 * where the guest moved them.  Until a BAR is known it stays off: with no
 * filter every RAM fault of the guest would fill the flight recorder.
 */
static void update_page_faults(struct rec *r)
{
	struct page_faults *pf = &r->pf;
	struct pt_bar_range ranges[PT_BAR_RANGES_MAX];
	char text[PT_BAR_FILTER_MAX];
	enum pt_bar_scope scope;
	struct pt_err ferr;
	size_t n;
	int terms;

	if (!pf->spec || !r->inst)
		return;
	if (!pf->field[0]) {
		char *format = tracefs_event_file_read(r->inst, "kvm", "kvm_page_fault", "format", NULL);
		int rc = pt_fault_field(format, pf->field, sizeof(pf->field), &pf->field_size, &ferr);

		free(format);
		if (rc) {
			snprintf(pf->reason, sizeof(pf->reason), "%s", ferr.msg);
			note(r, "kvm_page_fault not recorded: %s", ferr.msg);
			pf->spec = NULL;
			return;
		}
		pf->paging = guest_paging(r->opts->sysroot);
		if (!strcmp(pf->paging, "shadow"))
			note(r, "KVM uses shadow paging here (ept/npt off): kvm_page_fault's addresses are "
			     "guest-virtual, so its BAR filter keeps few of them");
	}
	n = pt_bar_ranges(r->query_pci, &r->vm, ranges, PT_BAR_RANGES_MAX, &scope);
	if (n > PT_BAR_RANGES_MAX) {
		note(r, "%zu device BARs: kvm_page_fault sees the first %d of them", n, PT_BAR_RANGES_MAX);
		n = PT_BAR_RANGES_MAX;
	}
	if (!n) {
		/* a BAR the guest unprogrammed (a reset) keeps the filter it had */
		if (pf->armed || pf->said)
			return;
		snprintf(pf->reason, sizeof(pf->reason), "%s",
			 !r->qmp_up ? "no QMP socket answered, so the guest's BARs are unknown" :
			 !r->query_pci ? "QMP query-pci did not answer" :
			 "QMP query-pci shows no programmed memory BAR yet (the guest has not "
			 "enumerated its devices)");
		note(r, "kvm_page_fault not armed: %s%s", pf->reason,
		     !r->qmp_up ? " (give --qmp SOCKET)" : "; it is armed once it does");
		pf->said = 1;
		return;
	}
	if (pf->armed && same_ranges(pf, ranges, n))
		return;
	terms = pt_bar_filter(pf->field, pf->field_size, ranges, n, text, sizeof(text), &ferr);
	if (terms < 0 ||
	    tracefs_event_file_write(r->inst, "kvm", "kvm_page_fault", "filter", text) < 0) {
		if (terms >= 0)
			snprintf(ferr.msg, sizeof(ferr.msg), "tracefs refused the filter '%.200s'", text);
		if (!pf->armed && !pf->said) {
			snprintf(pf->reason, sizeof(pf->reason), "%s", ferr.msg);
			note(r, "kvm_page_fault not armed: %s", ferr.msg);
			pf->said = 1;
		} else if (pf->armed) {
			note(r, "kvm_page_fault keeps its old filter: %s", ferr.msg);
		}
		return;
	}
	memcpy(pf->cur, ranges, n * sizeof(*ranges));
	pf->ncur = n;
	pf->scope = scope;
	snprintf(pf->filter, sizeof(pf->filter), "%s", text);
	if (!pf->armed) {
		if (tracefs_event_enable(r->inst, "kvm", "kvm_page_fault")) {
			snprintf(pf->reason, sizeof(pf->reason), "cannot enable kvm:kvm_page_fault");
			note(r, "kvm_page_fault not armed: cannot enable it");
			pf->spec = NULL;
			return;
		}
		pf->armed = 1;
		pf->reason[0] = 0;
		if (r->nenabled < MAX_EVENTS)
			r->enabled[r->nenabled++] = pf->spec;
		note(r, "kvm_page_fault armed on %zu BAR%s of %s (%d filter term%s)", n,
		     n == 1 ? "" : "s",
		     scope == PT_BARS_ASSIGNED ? "the passed-through devices" :
		     scope == PT_BARS_ALL ? "every device (none is passed through)" :
		     "every device (query-pci does not show the passed-through ones)",
		     terms, terms == 1 ? "" : "s");
	} else {
		note(r, "kvm_page_fault follows the guest's BARs: now %zu BAR%s (%d filter term%s)", n,
		     n == 1 ? "" : "s", terms, terms == 1 ? "" : "s");
	}
	keep_filter(r, trace_clock_now(r));
}

/* The pvpanic-pci BAR0, from query-pci: 0 when there is none. */
static unsigned long long pvpanic_pci_bar(const struct pt_json *buses)
{
	for (const struct pt_json *bus = buses ? buses->child : NULL; bus; bus = bus->next) {
		const struct pt_json *devs = pt_json_get(bus, "devices");

		for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
			const struct pt_json *id = pt_json_get(d, "id");
			const struct pt_json *v = pt_json_get(id, "vendor"), *dv = pt_json_get(id, "device");
			const struct pt_json *regions = pt_json_get(d, "regions");

			if (v && dv && v->num == 0x1b36 && dv->num == 0x11 && regions && regions->child &&
			    pt_json_get(regions->child, "address"))
				return pt_json_get(regions->child, "address")->num;
		}
	}
	return 0;
}

/*
 * The triggers freeze the buffer in the kernel, on the event that is the
 * crash, before anything after it can overwrite what led to it.
 */
static void set_triggers(struct rec *r)
{
	unsigned port = 0x505;
	unsigned long long bar;

	for (unsigned i = 0; i < r->vm.ndev; i++)
		if (!strcmp(r->vm.dev[i].driver, "pvpanic") && r->vm.dev[i].ioport)
			port = r->vm.dev[i].ioport;
	if (enabled(r, "kvm_pio"))
		add_trigger(r, "kvm", "kvm_pio", "traceoff if rw == 1 && port == 0x%x", port);
	if (enabled(r, "kvm_userspace_exit"))
		add_trigger(r, "kvm", "kvm_userspace_exit", "traceoff if reason == 8 || reason == 17");
	if (enabled(r, "kvm_msr"))
		add_trigger(r, "kvm", "kvm_msr", "traceoff if write == 1 && ecx == 0x40000105");
	bar = pvpanic_pci_bar(r->query_pci);
	if (bar && enabled(r, "kvm_mmio"))
		add_trigger(r, "kvm", "kvm_mmio", "traceoff if type == 2 && gpa == 0x%llx", bar);
}

static void connect_qmp(struct rec *r)
{
	const char *paths[PT_VM_MAX_QMP + 1];
	char failed[PT_VM_MAX_QMP + 1][sizeof(((struct pt_err *)0)->msg)];
	unsigned n = 0;

	if (r->opts->qmp)
		paths[n++] = r->opts->qmp;
	for (unsigned i = 0; i < r->vm.nqmp; i++)
		paths[n++] = r->vm.qmp[i];
	for (unsigned i = 0; i < n; i++) {
		char why[PATH_MAX + 128];
		struct pt_err qerr;

		/*
		 * Root connects only to the VM's own monitor: a socket planted
		 * where the command line points would feed it BARs and stops.
		 */
		failed[i][0] = 0;
		if (!pt_vm_owns_socket(r->opts->sysroot, &r->vm, paths[i], why, sizeof(why))) {
			note(r, "QMP socket '%s' not used: %s", paths[i], why);
			continue;
		}
		/* a socket another client holds answers no greeting: try the next */
		failed[i][0] = 0;
		if (pt_qmp_connect(&r->qmp, paths[i], 1000, &qerr)) {
			snprintf(failed[i], sizeof(failed[i]), "%s", qerr.msg);
			continue;
		}
		r->qmp_up = 1;
		if (pt_qmp_execute(&r->qmp, "query-pci", NULL, &r->query_pci, 3000, &qerr))
			note(r, "QMP query-pci failed: %s", qerr.msg);
		return;
	}
	/* why each one failed matters only when none answered (the lab holds one of two) */
	for (unsigned i = 0; i < n; i++)
		if (failed[i][0])
			note(r, "QMP socket '%s' not used: %s", paths[i], failed[i]);
	if (n)
		note(r, "no QMP socket answered: no guest BARs in the metadata, no GUEST_PANICKED");
}

/* 1 when QMP says the guest panicked; drops everything else. */
static int qmp_panicked(struct rec *r)
{
	struct pt_json *msg;
	struct pt_err qerr;
	int panicked = 0, rc;

	while (r->qmp_up && (rc = pt_qmp_read(&r->qmp, &msg, 0, &qerr)) != 0) {
		if (rc < 0) {
			/* QEMU exiting closes it: the VM-exit stop says that one */
			if (kill(r->vm.pid, 0) == 0) {
				drop_qmp(r, &qerr);
			} else {
				pt_qmp_close(&r->qmp);
				r->qmp_up = 0;
			}
			break;
		}
		panicked |= pt_json_get_str(msg, "event") &&
			    !strcmp(pt_json_get_str(msg, "event"), "GUEST_PANICKED");
		pt_json_free(msg);
	}
	return panicked;
}

static unsigned long long stat_field(const char *stats, const char *key)
{
	const char *p = strstr(stats, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void read_status(struct rec *r, struct pt_record_status *st)
{
	unsigned long long entries = 0, overrun = 0, bytes = 0, dropped = 0;

	for (int cpu = 0; cpu < r->cpus; cpu++) {
		char file[64], *stats;

		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
		stats = tracefs_instance_file_read(r->inst, file, NULL);
		if (!stats)
			continue;
		entries += stat_field(stats, "entries: ");
		overrun += stat_field(stats, "overrun: ");
		bytes += stat_field(stats, "bytes: ");
		dropped += stat_field(stats, "dropped events: ");
		free(stats);
	}
	st->dropped = dropped;
	st->events = entries + overrun;
	st->overrun = overrun;
	st->fill = r->opts->buffer_kb ? bytes / (1024.0 * r->opts->buffer_kb * r->cpus) : 0;
	if (st->fill > 1)
		st->fill = 1;
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

static int arm_host(struct rec *r)
{
	int any = 0;

	snprintf(r->host_name, sizeof(r->host_name), "%s-host", r->name);
	r->host = tracefs_instance_create(r->host_name);
	if (!r->host)
		return 0;
	tracefs_trace_off(r->host);
	tracefs_instance_set_buffer_size(r->host, HOST_BUFFER_KB, -1);
	for (const char *const *e = host_events; *e; e++) {
		char sys[32];
		const char *event;

		split_event(*e, sys, sizeof(sys), &event);
		if (tracefs_event_enable(r->host, sys, event))
			continue;
		/* only the vfio interrupt handlers of all the host's interrupts */
		if (!strcmp(event, "irq_handler_entry"))
			tracefs_event_file_write(r->host, sys, event, "filter", "name ~ \"vfio*\"");
		any = 1;
	}
	if (!any) {
		tracefs_instance_destroy(r->host);
		tracefs_instance_free(r->host);
		r->host = NULL;
		return 0;
	}
	tracefs_trace_on(r->host);
	r->have_host = 1;
	return 1;
}

static void disarm(struct rec *r)
{
	struct tracefs_instance *insts[2] = { r->inst, r->host };

	for (int i = 0; i < 2; i++) {
		if (!insts[i])
			continue;
		tracefs_trace_off(insts[i]);
		/* a capture kept for --recover is still in them: stopped, not destroyed */
		if (r->sc.phase != PT_PHASE_KEPT)
			tracefs_instance_destroy(insts[i]);
		tracefs_instance_free(insts[i]);
	}
	r->inst = r->host = NULL;
}

/*
 * The watchdog: a child that outlives the recorder only to finish what it
 * began.  The recorder tells it "done" on every way out it lives to take;
 * when the pipe closes without that word (kill -9, the OOM killer, a
 * crash), it stops the instances, drains them and writes the file from the
 * scratch, as `record --recover` would.
 */
static void watch(struct rec *r, int fd)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2 };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	char c, written[PATH_MAX];
	struct pt_scratch s = r->sc;
	struct pt_err err;
	ssize_t n;
	int rc, adj;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &ign, NULL);
	prctl(PR_SET_NAME, "pttrace-watch");
	/*
	 * The OOM killer takes the recorder, never the one that disarms after
	 * it.  Without CAP_SYS_RESOURCE (some containers) the score cannot be
	 * lowered; the recorder then starts another watchdog if this one dies.
	 */
	adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (adj >= 0) {
		if (write(adj, "-1000", 5) != 5)
			(void)0;
		close(adj);
	}
	/* nothing of the recorder's but the scratch: QEMU and a pipe reading stdout see their end */
	if (r->qmp_up)
		close(r->qmp.fd);
	dup2(open("/dev/null", O_WRONLY | O_CLOEXEC), 1);
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 || pt_scratch_reload(&s) || s.phase == PT_PHASE_KEPT)
		_exit(0);	/* finished, or the recorder said itself what it kept */
	fprintf(stderr, "pttrace: the recorder (pid %d) ended without writing '%s': its watchdog "
		"(pid %d) stops the recording and writes it\n", (int)s.pid, s.output, (int)getpid());
	rc = pt_capture_takeover(&s, NULL, written, sizeof(written), &err);
	if (rc < 0)
		fprintf(stderr, "pttrace: %s\n", err.msg);
	else if (rc > 0)
		fprintf(stderr, "pttrace: %s; wrote '%s' instead\n", err.msg, written);
	else
		fprintf(stderr, "pttrace: wrote '%s'\n", written);
	_exit(rc < 0 ? 2 : 0);	/* as pttrace record's exit status */
}

static int start_watchdog(struct rec *r, struct pt_err *err)
{
	int p[2];

	/* a socket, not a pipe: the recorder's word to a dead watchdog is no SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
		return pt_err_errno(err, errno, "cannot start the watchdog");
	fflush(NULL);
	r->watchdog = fork();
	if (r->watchdog < 0) {
		close(p[0]);
		close(p[1]);
		return pt_err_errno(err, errno, "cannot start the watchdog");
	}
	if (!r->watchdog) {
		close(p[1]);
		watch(r, p[0]);
	}
	close(p[0]);
	r->watch_fd = p[1];
	r->sc.watchdog = r->watchdog;
	return pt_scratch_save(&r->sc, err);
}

static void stop_watchdog(struct rec *r)
{
	if (r->watchdog <= 0)
		return;
	if (send(r->watch_fd, "d", 1, MSG_NOSIGNAL) != 1)
		kill(r->watchdog, SIGKILL);
	close(r->watch_fd);
	waitpid(r->watchdog, NULL, 0);
	r->watchdog = 0;
}

/* A watchdog that died (its own OOM kill) is replaced: the recorder is never unwatched for long. */
static void keep_watchdog(struct rec *r)
{
	struct pt_err werr;
	int status;

	if (r->watchdog <= 0 || waitpid(r->watchdog, &status, WNOHANG) != r->watchdog)
		return;
	note(r, "the watchdog (pid %d) died (%s %d): starting another", (int)r->watchdog,
	     WIFSIGNALED(status) ? "signal" : "exit status",
	     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	close(r->watch_fd);
	r->watchdog = 0;
	if (start_watchdog(r, &werr))
		note(r, "%s: if this recorder is killed, its instances stay armed until the next "
		     "pttrace run", werr.msg);
}

static void cleanup(struct rec *r)
{
	disarm(r);
	if (r->have_scratch) {
		if (r->sc.phase == PT_PHASE_KEPT)
			pt_scratch_close(&r->sc);
		else
			pt_scratch_remove(&r->sc);
	}
	stop_watchdog(r);
	if (r->qmp_up)
		pt_qmp_close(&r->qmp);
	pt_json_free(r->query_pci);
	free(r->meta_saved);
	for (unsigned i = 0; i < r->pf.nhist; i++) {
		free(r->pf.hist[i].ranges);
		free(r->pf.hist[i].filter);
	}
}

/* Fails early, before arming, when the output cannot be written at all. */
static int check_output(const char *output, struct pt_err *err)
{
	char probe[PATH_MAX];
	const char *slash = strrchr(output, '/');
	int fd;

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

static char *build_meta(struct rec *r, const struct pt_record_result *res)
{
	struct pt_meta_page_faults mpf = {
		.field = r->pf.field, .paging = r->pf.paging, .armed = r->pf.armed, .reason = r->pf.reason,
		.filters = r->pf.hist, .nfilters = r->pf.nhist, .truncated = r->pf.hist_full,
	};
	struct pt_meta_recording mr = {
		.sysroot = r->opts->sysroot, .stream = r->opts->stream, .buffer_kb = r->opts->buffer_kb,
		.events = r->enabled, .nevents = r->nenabled, .missing = r->missing,
		.nmissing = r->nmissing, .triggers = r->triggers, .ntriggers = r->ntriggers,
		.overwritten = res ? res->overrun : 0, .dropped = res ? res->dropped : 0,
		.page_faults = r->pf.spec || r->pf.reason[0] ? &mpf : NULL,
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

static int arm_scratch(struct rec *r, struct pt_err *err)
{
	unsigned long long need = (unsigned long long)r->cpus * 1024 *
				  (r->opts->buffer_kb + HOST_BUFFER_KB);

	if (pt_scratch_create(&r->sc, r->opts->tmpdir, r->opts->output, need, err))
		return -1;
	r->have_scratch = 1;
	r->sc.cpus = r->cpus;
	r->sc.stream = r->opts->stream;
	if (create_cpu_files(r, "vm", err) || create_cpu_files(r, "host", err))
		return -1;
	return start_watchdog(r, err);
}

int pt_record(const struct pt_record_opts *opts, struct pt_record_result *res, struct pt_err *err)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct pt_record_status st = { 0 };
	double start, last_status = 0, last_pci, stopped_at;
	uint64_t last_events = 0;
	struct pt_err derr;
	int rc = -1, wrc;

	memset(res, 0, sizeof(*res));
	if (!r)
		return pt_err_set(err, "out of memory");
	r->opts = opts;
	/* what the command line gives goes into fixed tables: refuse more than they hold */
	for (const char *const *e = opts->events; e && *e; e++)
		if (e - opts->events >= MAX_EVENTS) {
			pt_err_set(err, "too many events given with -e: at most %d", MAX_EVENTS);
			goto out;
		}
	if (geteuid())
		{ pt_err_set(err, "recording needs root (tracefs and the VM's threads): run as root"); goto out; }
	if (pt_vm_find(opts->sysroot, opts->vm_name, opts->pid, &r->vm, err))
		goto out;
	{
		char why[256];

		if (!pt_vm_is_kvm(&r->vm, why, sizeof(why))) {
			pt_err_set(err, "%s: not recorded", why);
			goto out;
		}
	}
	if (check_output(opts->output, err) || ensure_tracefs(err))
		goto out;
	pt_record_cleanup(0, opts->on_note, opts->ctx);
	r->cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (r->cpus > MAX_CPUS)
		r->cpus = MAX_CPUS;
	if (arm_scratch(r, err))
		goto out;
	connect_qmp(r);

	{
		char vmname[40];

		sanitize(vmname, sizeof(vmname), r->vm.name[0] ? r->vm.name : "vm");
		snprintf(r->name, sizeof(r->name), INSTANCE_PREFIX "%d-%s", (int)getpid(), vmname);
	}
	snprintf(r->sc.instance, sizeof(r->sc.instance), "%s", r->name);
	if (pt_scratch_save(&r->sc, err))
		goto out;
	r->inst = tracefs_instance_create(r->name);
	if (!r->inst) {
		pt_err_errno(err, errno, "cannot create tracefs instance '%s'", r->name);
		goto out;
	}
	snprintf(res->instance, sizeof(res->instance), "%s", r->name);
	tracefs_trace_off(r->inst);
	if (tracefs_instance_set_buffer_size(r->inst, opts->buffer_kb, -1) < 0) {
		pt_err_errno(err, errno, "cannot set the buffer of '%s' to %u KB per cpu", r->name,
			     opts->buffer_kb);
		goto out;
	}
	if (opts->stream)
		tracefs_option_disable(r->inst, TRACEFS_OPTION_OVERWRITE);
	else
		tracefs_option_enable(r->inst, TRACEFS_OPTION_OVERWRITE);
	if (set_pids(r, err) || enable_events(r, err))
		goto out;
	set_triggers(r);
	update_page_faults(r);
	if (arm_host(r)) {
		snprintf(r->sc.host, sizeof(r->sc.host), "%s", r->host_name);
		if (pt_scratch_save(&r->sc, err))
			goto out;
	}
	save_meta(r, NULL);
	if (tracefs_trace_on(r->inst)) {
		pt_err_errno(err, errno, "cannot start tracing in '%s'", r->name);
		goto out;
	}
	if (opts->on_armed)
		opts->on_armed(opts->ctx, &r->vm, r->name);

	start = last_pci = now_s();
	for (;;) {
		double t = now_s();

		if (tracefs_trace_is_on(r->inst) == 0) {
			res->stop = PT_STOP_TRIGGER;
			break;
		}
		if (opts->stop && *opts->stop) {
			res->stop = PT_STOP_SIGNAL;
			break;
		}
		if (opts->duration > 0 && t - start >= opts->duration) {
			res->stop = PT_STOP_DURATION;
			break;
		}
		if (kill(r->vm.pid, 0) && errno == ESRCH) {
			res->stop = PT_STOP_VM_EXIT;
			break;
		}
		if (qmp_panicked(r)) {
			res->stop = PT_STOP_QMP_PANIC;
			break;
		}
		if (opts->stream && pt_capture_drain(&r->sc, r->inst, "vm", 0, &derr)) {
			keep_capture(r, &derr, err);
			goto out;
		}
		/*
		 * A flight recorder overwrites the BAR programming of the guest's
		 * boot, and a crashed VM may be gone (libvirt's on_crash=destroy)
		 * before the stop, so the BARs are asked for as the guest runs.
		 * A stream keeps the boot, and its drain must not wait on QEMU.
		 */
		/*
		 * kvm_page_fault's filter follows the BARs too; a stream asks
		 * only until it is armed.
		 */
		if ((!opts->stream || (r->pf.spec && !r->pf.armed)) && t - last_pci >= PCI_REFRESH_S) {
			refresh_pci(r, 200);
			update_page_faults(r);
			save_meta(r, NULL);
			last_pci = t;
		}
		if (t - last_status >= 0.25) {
			read_status(r, &st);
			st.seconds = t - start;
			st.events_per_s = last_status ? (st.events - last_events) / (t - last_status) : 0;
			last_events = st.events;
			last_status = t;
			if (opts->on_status)
				opts->on_status(opts->ctx, &st);
			keep_watchdog(r);
		}
		usleep(20000);
	}
	stopped_at = now_s();
	tracefs_trace_off(r->inst);
	/* BARs are programmed by now, even for a VM that was started paused */
	refresh_pci(r, 1000);
	if (r->host)
		tracefs_trace_off(r->host);
	res->armed_seconds = stopped_at - start;
	read_status(r, &st);
	res->entries = st.events;
	res->overrun = st.overrun;
	res->dropped = st.dropped;
	save_meta(r, res);
	if (pt_capture_drain(&r->sc, r->inst, "vm", 1, &derr) ||
	    (r->host && pt_capture_drain(&r->sc, r->host, "host", 1, &derr))) {
		keep_capture(r, &derr, err);
		goto out;
	}
	disarm(r);
	wrc = pt_capture_write(&r->sc, r->meta_saved, opts->output, res->written,
			       sizeof(res->written), err);
	if (wrc < 0)
		goto out;
	r->have_scratch = 0;	/* written: pt_capture_write removed it */
	if (wrc > 0)
		res->not_written = *err;
	{
		struct stat fst;

		if (!stat(res->written, &fst))
			res->file_size = fst.st_size;
	}
	res->write_seconds = now_s() - stopped_at;
	rc = 0;
out:
	cleanup(r);
	free(r);
	return rc;
}
