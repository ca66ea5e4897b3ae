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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "meta-build.h"
#include "pt-barfilter.h"
#include "pt-qmp.h"
#include "pt-record.h"
#include "writer.h"

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
	char dir[PATH_MAX];		/* where the per-cpu files go */
	char *files[MAX_CPUS], *host_files[MAX_CPUS];
	int fds[MAX_CPUS];		/* --stream: the per-cpu files, open */
	struct tracefs_cpu *tcpu[MAX_CPUS];
	char *page;
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

/* Is PID a live pttrace?  Instances of dead ones are stale. */
static int pttrace_alive(int pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strncmp(comm, "pttrace", 7);
}

int pt_record_remove_stale(void (*notefn)(void *ctx, const char *msg), void *ctx)
{
	char **names = tracefs_instances(NULL);
	int removed = 0;

	for (char **n = names; n && *n; n++) {
		struct tracefs_instance *inst;
		char msg[160];
		int pid;

		if (sscanf(*n, INSTANCE_PREFIX "%d-", &pid) != 1 || pid <= 0 || pttrace_alive(pid))
			continue;
		inst = tracefs_instance_alloc(NULL, *n);
		if (!inst)
			continue;
		tracefs_trace_off(inst);
		if (!tracefs_instance_destroy(inst)) {
			removed++;
			if (notefn) {
				snprintf(msg, sizeof(msg), "removed tracefs instance '%s' left by a "
					 "pttrace that was killed (pid %d)", *n, pid);
				notefn(ctx, msg);
			}
		}
		tracefs_instance_free(inst);
	}
	tracefs_list_free(names);
	return removed;
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

/* query-pci again; the last answer is kept when this one fails. */
static void refresh_pci(struct rec *r, int timeout_ms)
{
	struct pt_json *pci = NULL;
	struct pt_err qerr;

	if (r->qmp_up && !pt_qmp_execute(&r->qmp, "query-pci", NULL, &pci, timeout_ms, &qerr)) {
		pt_json_free(r->query_pci);
		r->query_pci = pci;
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
	unsigned n = 0;

	if (r->opts->qmp)
		paths[n++] = r->opts->qmp;
	for (unsigned i = 0; i < r->vm.nqmp; i++)
		paths[n++] = r->vm.qmp[i];
	for (unsigned i = 0; i < n; i++) {
		struct pt_err qerr;

		/* a socket another client holds answers no greeting: try the next */
		if (pt_qmp_connect(&r->qmp, paths[i], 1000, &qerr))
			continue;
		r->qmp_up = 1;
		if (pt_qmp_execute(&r->qmp, "query-pci", NULL, &r->query_pci, 3000, &qerr))
			note(r, "QMP query-pci failed: %s", qerr.msg);
		return;
	}
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
			r->qmp_up = 0;
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

static int open_cpu_files(struct rec *r, char **files, const char *tag, struct pt_err *err)
{
	for (int cpu = 0; cpu < r->cpus; cpu++) {
		int fd;

		if (asprintf(&files[cpu], "%s/%s.cpu%d", r->dir, tag, cpu) < 0)
			return pt_err_set(err, "out of memory");
		fd = open(files[cpu], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return pt_err_errno(err, errno, "cannot create '%s'", files[cpu]);
		close(fd);
	}
	return 0;
}

/* Moves what INST holds for each cpu into FILES (appending); with FINAL, partial pages too. */
static int drain(struct rec *r, struct tracefs_instance *inst, char **files, int final,
		 struct pt_err *err)
{
	for (int cpu = 0; cpu < r->cpus; cpu++) {
		struct tracefs_cpu *tcpu = tracefs_cpu_open(inst, cpu, true);
		int fd, n, size;

		if (!tcpu)
			continue;	/* an offline cpu */
		size = tracefs_cpu_read_size(tcpu);
		fd = open(files[cpu], O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0 || size <= 0 || !(r->page = realloc(r->page, size))) {
			if (fd >= 0)
				close(fd);
			tracefs_cpu_close(tcpu);
			return pt_err_errno(err, errno ? errno : ENOMEM, "cannot write '%s'", files[cpu]);
		}
		while ((n = final ? tracefs_cpu_flush(tcpu, r->page) : tracefs_cpu_read(tcpu, r->page, true)) > 0) {
			if (write(fd, r->page, n) != n) {
				int e = errno ? errno : ENOSPC;

				close(fd);
				tracefs_cpu_close(tcpu);
				return pt_err_errno(err, e, "cannot write '%s'", files[cpu]);
			}
		}
		close(fd);
		tracefs_cpu_close(tcpu);
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
		tracefs_instance_destroy(insts[i]);
		tracefs_instance_free(insts[i]);
	}
	r->inst = r->host = NULL;
}

static void cleanup(struct rec *r)
{
	disarm(r);
	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (r->files[cpu])
			unlink(r->files[cpu]);
		if (r->host_files[cpu])
			unlink(r->host_files[cpu]);
		free(r->files[cpu]);
		free(r->host_files[cpu]);
	}
	if (r->dir[0])
		rmdir(r->dir);
	if (r->qmp_up)
		pt_qmp_close(&r->qmp);
	pt_json_free(r->query_pci);
	free(r->page);
	for (unsigned i = 0; i < r->pf.nhist; i++) {
		free(r->pf.hist[i].ranges);
		free(r->pf.hist[i].filter);
	}
}

/* Fails early, before arming, when the output cannot be written at all. */
static int check_output(const char *output, char *dir, size_t size, struct pt_err *err)
{
	char probe[PATH_MAX];
	const char *slash = strrchr(output, '/');
	int fd;

	if (slash)
		snprintf(dir, size, "%.*s", (int)(slash - output), output);
	else
		snprintf(dir, size, ".");
	if (!dir[0])
		snprintf(dir, size, "/");
	snprintf(probe, sizeof(probe), "%s/.pttrace-probe.XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0)
		return pt_err_errno(err, errno, "cannot write '%s'", output);
	close(fd);
	unlink(probe);
	return 0;
}

static int write_output(struct rec *r, struct pt_record_result *res, struct pt_err *err)
{
	struct pt_meta_page_faults mpf = {
		.field = r->pf.field, .paging = r->pf.paging, .armed = r->pf.armed, .reason = r->pf.reason,
		.filters = r->pf.hist, .nfilters = r->pf.nhist, .truncated = r->pf.hist_full,
	};
	struct pt_meta_recording mr = {
		.sysroot = r->opts->sysroot, .stream = r->opts->stream, .buffer_kb = r->opts->buffer_kb,
		.events = r->enabled, .nevents = r->nenabled, .missing = r->missing,
		.nmissing = r->nmissing, .triggers = r->triggers, .ntriggers = r->ntriggers,
		.overwritten = res->overrun, .dropped = res->dropped,
		.page_faults = r->pf.spec || r->pf.reason[0] ? &mpf : NULL,
	};
	struct pt_write_buffer bufs[2] = {
		{ NULL, r->cpus, r->files }, { "host", r->cpus, r->host_files },
	};
	char tmp[PATH_MAX], outdir[PATH_MAX];
	char *meta = pt_meta_build(&r->vm, r->query_pci, &mr);
	struct stat st;
	int fd = -1, rc = -1;

	check_output(r->opts->output, outdir, sizeof(outdir), err);
	/*
	 * Root writes into a directory a user may share: the temporary file
	 * is created with O_EXCL (mkstemp) and used only by its descriptor,
	 * never opened or chmod'ed by name again, so nothing planted between
	 * the steps is followed; the rename is the one step by name, and atomic.
	 */
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", r->opts->output);
	fd = mkstemp(tmp);
	if (fd < 0) {
		pt_err_errno(err, errno, "cannot write '%s'", r->opts->output);
		goto out;
	}
	if (pt_write_tracedat(fd, r->opts->output, bufs, r->have_host ? 2 : 1, meta, 1, err))
		goto out;
	{
		/* mkstemp made it 0600: give it the mode a new file gets */
		mode_t mask = umask(0);

		umask(mask);
		if (fchmod(fd, 0666 & ~mask) || fsync(fd)) {
			pt_err_errno(err, errno, "cannot write '%s'", r->opts->output);
			goto out;
		}
	}
	if (rename(tmp, r->opts->output)) {
		pt_err_errno(err, errno, "cannot rename '%s' to '%s'", tmp, r->opts->output);
		goto out;
	}
	tmp[0] = 0;
	if (!fstat(fd, &st))
		res->file_size = st.st_size;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	free(meta);
	return rc;
}

int pt_record(const struct pt_record_opts *opts, struct pt_record_result *res, struct pt_err *err)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct pt_record_status st = { 0 };
	double start, last_status = 0, last_pci, stopped_at;
	uint64_t last_events = 0;
	char outdir[PATH_MAX];
	int rc = -1;

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
	if (check_output(opts->output, outdir, sizeof(outdir), err) || ensure_tracefs(err))
		goto out;
	pt_record_remove_stale(opts->on_note, opts->ctx);
	r->cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (r->cpus > MAX_CPUS)
		r->cpus = MAX_CPUS;
	snprintf(r->dir, sizeof(r->dir), "/tmp/pttrace-record.XXXXXX");
	if (!mkdtemp(r->dir)) {
		r->dir[0] = 0;
		pt_err_errno(err, errno, "cannot create a directory in /tmp");
		goto out;
	}
	if (open_cpu_files(r, r->files, "vm", err) || open_cpu_files(r, r->host_files, "host", err))
		goto out;
	connect_qmp(r);

	{
		char vmname[40];

		sanitize(vmname, sizeof(vmname), r->vm.name[0] ? r->vm.name : "vm");
		snprintf(r->name, sizeof(r->name), INSTANCE_PREFIX "%d-%s", (int)getpid(), vmname);
	}
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
	arm_host(r);
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
		if (opts->stream && drain(r, r->inst, r->files, 0, err))
			goto out;
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
	if (drain(r, r->inst, r->files, 1, err) ||
	    (r->host && drain(r, r->host, r->host_files, 1, err)))
		goto out;
	disarm(r);
	if (write_output(r, res, err))
		goto out;
	res->write_seconds = now_s() - stopped_at;
	rc = 0;
out:
	cleanup(r);
	free(r);
	return rc;
}
