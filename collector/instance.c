// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recorder's tracefs instances: the VM's (its kvm events, only its
 * threads, the crash triggers) and the host's (interrupt-context events of
 * every process).  Nothing here touches the top-level tracing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <tracefs.h>

#include "record-int.h"

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
 * so they go to a second instance without the pid filter; so do the
 * host's resets of the assigned devices (kprobes.c), done by whichever
 * thread resets them.
 */
static const char *const host_events[] = {
	"iommu:io_page_fault", "ras:aer_event", "irq:irq_handler_entry", NULL,
};

int pt_inst_ensure_tracefs(struct pt_err *err)
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

/* A VM's name is the user's to choose: a '/' or a space has no place in a tracefs directory's name. */
void pt_inst_name(char *buf, size_t size, pid_t pid, const char *vm_name)
{
	const char *src = vm_name && vm_name[0] ? vm_name : "vm";
	char clean[40];
	size_t n = 0;

	for (; *src && n < sizeof(clean) - 1; src++)
		clean[n++] = (*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
			     (*src >= '0' && *src <= '9') || *src == '-' || *src == '_' ? *src : '_';
	clean[n] = 0;
	snprintf(buf, size, PT_INST_PREFIX "%d-%s", (int)pid, clean);
}

void pt_inst_event_split(const char *spec, char *sys, size_t ssize, const char **event)
{
	const char *colon = strchr(spec, ':');

	if (!colon) {
		snprintf(sys, ssize, "kvm");
		*event = spec;
		return;
	}
	snprintf(sys, ssize, "%.*s", (int)(colon - spec), spec);
	*event = colon + 1;
}

size_t pt_inst_events_wanted(const char *const *given, const char **out, size_t max)
{
	int defaults = !given;
	size_t n = 0;

	for (const char *const *e = given; e && *e; e++)
		defaults |= (*e)[0] == '+';
	for (const char *const *e = defaults ? pt_record_default_events : NULL; e && *e && n < max; e++)
		out[n++] = *e;
	for (const char *const *e = given; e && *e && n < max; e++)
		out[n++] = (*e)[0] == '+' ? *e + 1 : *e;
	return n;
}

int pt_inst_events_have(const char *const *list, unsigned n, const char *event)
{
	for (unsigned i = 0; i < n; i++) {
		const char *colon = strchr(list[i], ':');

		if (!strcmp(list[i], event) || !strcmp(colon ? colon + 1 : list[i], event))
			return 1;
	}
	return 0;
}

static void trigger(struct pt_inst_trigger *out, unsigned *n, const char *sys, const char *event,
		    const char *fmt, ...) PT_PRINTF(5, 6);
static void trigger(struct pt_inst_trigger *out, unsigned *n, const char *sys, const char *event,
		    const char *fmt, ...)
{
	va_list ap;

	if (*n == PT_REC_MAX_TRIGGERS)
		return;
	out[*n].sys = sys;
	out[*n].event = event;
	va_start(ap, fmt);
	vsnprintf(out[*n].text, sizeof(out[*n].text), fmt, ap);
	va_end(ap);
	(*n)++;
}

/*
 * The triggers freeze the buffer in the kernel, on the event that is the
 * crash, before anything after it can overwrite what led to it.
 */
unsigned pt_inst_triggers(const struct pt_vm *vm, const char *const *enabled, unsigned nenabled,
			  unsigned long long pvpanic_bar,
			  struct pt_inst_trigger out[PT_REC_MAX_TRIGGERS])
{
	unsigned port = 0x505, n = 0;

	for (unsigned i = 0; i < vm->ndev; i++)
		if (!strcmp(vm->dev[i].driver, "pvpanic") && vm->dev[i].ioport)
			port = vm->dev[i].ioport;
	if (pt_inst_events_have(enabled, nenabled, "kvm_pio"))
		trigger(out, &n, "kvm", "kvm_pio", "traceoff if rw == 1 && port == 0x%x", port);
	if (pt_inst_events_have(enabled, nenabled, "kvm_userspace_exit"))
		trigger(out, &n, "kvm", "kvm_userspace_exit", "traceoff if reason == 8 || reason == 17");
	/*
	 * No condition on kvm_msr's exception field: a write KVM refuses with
	 * #GP (no Hyper-V crash MSRs in this kernel) is where the guest
	 * crashed all the same, and whatever it does next comes after it.
	 */
	if (pt_inst_events_have(enabled, nenabled, "kvm_msr"))
		trigger(out, &n, "kvm", "kvm_msr", "traceoff if write == 1 && ecx == 0x40000105");
	if (pvpanic_bar && pt_inst_events_have(enabled, nenabled, "kvm_mmio"))
		trigger(out, &n, "kvm", "kvm_mmio", "traceoff if type == 2 && gpa == 0x%llx",
			pvpanic_bar);
	return n;
}

static unsigned long long stat_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

void pt_inst_stats_add(struct pt_inst_stats *sum, const char *text)
{
	sum->entries += stat_field(text, "entries: ");
	sum->overrun += stat_field(text, "overrun: ");
	sum->bytes += stat_field(text, "bytes: ");
	sum->dropped += stat_field(text, "dropped events: ");
}

void pt_inst_stats_status(const struct pt_inst_stats *sum, unsigned buffer_kb, int cpus,
			  struct pt_record_status *st)
{
	st->dropped = sum->dropped;
	/* the buffer's entries are what is left: the overwritten ones were written too */
	st->events = sum->entries + sum->overrun;
	st->overrun = sum->overrun;
	st->fill = buffer_kb ? sum->bytes / (1024.0 * buffer_kb * cpus) : 0;
	if (st->fill > 1)
		st->fill = 1;
}

double pt_inst_stats_now(const char *text)
{
	const char *p = text ? strstr(text, "now ts: ") : NULL;

	return p ? strtod(p + 8, NULL) : -1;
}

int pt_inst_create(struct rec *r, struct pt_err *err)
{
	r->inst = tracefs_instance_create(r->name);
	if (!r->inst)
		return pt_err_errno(err, errno, "cannot create tracefs instance '%s'", r->name);
	tracefs_trace_off(r->inst);
	if (tracefs_instance_set_buffer_size(r->inst, r->opts->buffer_kb, -1) < 0)
		return pt_err_errno(err, errno, "cannot set the buffer of '%s' to %u KB per cpu",
				    r->name, r->opts->buffer_kb);
	if (r->opts->stream)
		tracefs_option_disable(r->inst, TRACEFS_OPTION_OVERWRITE);
	else
		tracefs_option_enable(r->inst, TRACEFS_OPTION_OVERWRITE);
	return 0;
}

int pt_inst_set_pids(struct rec *r, struct pt_err *err)
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
		pt_rec_note(r, "the event-fork option is missing: threads started later are not traced");
	return 0;
}

static void enable_one(struct rec *r, const char *spec)
{
	char sys[64];
	const char *event;

	pt_inst_event_split(spec, sys, sizeof(sys), &event);
	if (!strcmp(sys, "kvm") && !strcmp(event, "kvm_page_fault") &&
	    tracefs_event_file_exists(r->inst, sys, event, "filter")) {
		/* armed by pt_pf_update, with its filter, once the BARs are known */
		if (!r->pf.spec)
			r->pf.spec = spec;
		return;
	}
	if (!tracefs_event_enable(r->inst, sys, event)) {
		r->enabled[r->nenabled++] = spec;
	} else {
		/* a kernel may lack many: the list keeps what fits, the note says each */
		if (r->nmissing < PT_REC_MAX_EVENTS)
			r->missing[r->nmissing++] = spec;
		pt_rec_note(r, "event %s is not in this kernel: not recorded", spec);
	}
}

int pt_inst_enable_events(struct rec *r, struct pt_err *err)
{
	const char *want[2 * PT_REC_MAX_EVENTS];
	size_t n = pt_inst_events_wanted(r->opts->events, want, sizeof(want) / sizeof(want[0]));

	for (size_t i = 0; i < n && r->nenabled < PT_REC_MAX_EVENTS; i++)
		enable_one(r, want[i]);
	if (!r->nenabled && !r->pf.spec)
		return pt_err_set(err, "none of the kvm events exists in this kernel "
				  "(is the kvm module loaded? ls /sys/kernel/tracing/events/kvm)");
	return 0;
}

void pt_inst_set_triggers(struct rec *r)
{
	struct pt_inst_trigger t[PT_REC_MAX_TRIGGERS];
	unsigned n = pt_inst_triggers(&r->vm, r->enabled, r->nenabled,
				      pt_mon_pvpanic_bar(r->query_pci), t);

	for (unsigned i = 0; i < n && r->ntriggers < PT_REC_MAX_TRIGGERS; i++) {
		char *text = r->trigger_text[r->ntriggers];

		if (tracefs_event_file_write(r->inst, t[i].sys, t[i].event, "trigger", t[i].text) < 0) {
			pt_rec_note(r, "cannot set the trigger '%s' on %s:%s", t[i].text, t[i].sys,
				    t[i].event);
			continue;
		}
		snprintf(text, sizeof(r->trigger_text[0]), "%s", t[i].text);
		r->triggers[r->ntriggers++] = text;
	}
}

int pt_inst_arm_host(struct rec *r)
{
	int any = 0;

	snprintf(r->host_name, sizeof(r->host_name), "%s-host", r->name);
	r->host = tracefs_instance_create(r->host_name);
	if (!r->host)
		return 0;
	tracefs_trace_off(r->host);
	tracefs_instance_set_buffer_size(r->host, PT_REC_HOST_BUFFER_KB, -1);
	for (const char *const *e = host_events; *e; e++) {
		char sys[32];
		const char *event;

		pt_inst_event_split(*e, sys, sizeof(sys), &event);
		if (tracefs_event_enable(r->host, sys, event))
			continue;
		/* only the vfio interrupt handlers of all the host's interrupts */
		if (!strcmp(event, "irq_handler_entry"))
			tracefs_event_file_write(r->host, sys, event, "filter", "name ~ \"vfio*\"");
		any = 1;
	}
	/* the host's resets of the assigned devices: kprobes, enabled here only */
	pt_kp_arm(r);
	any |= r->hr.armed;
	if (!any) {
		tracefs_instance_destroy(r->host);
		tracefs_instance_free(r->host);
		r->host = NULL;
		pt_kp_disarm(r);
		return 0;
	}
	tracefs_trace_on(r->host);
	r->have_host = 1;
	return 1;
}

void pt_inst_disarm(struct rec *r)
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

void pt_inst_status(struct rec *r, struct pt_record_status *st)
{
	struct pt_inst_stats sum = { 0 };

	for (int cpu = 0; cpu < r->cpus; cpu++) {
		char file[64], *text;

		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
		text = tracefs_instance_file_read(r->inst, file, NULL);
		if (!text)
			continue;
		pt_inst_stats_add(&sum, text);
		free(text);
	}
	pt_inst_stats_status(&sum, r->opts->buffer_kb, r->cpus, st);
}

double pt_inst_clock_now(struct rec *r)
{
	char *text = tracefs_instance_file_read(r->inst, "per_cpu/cpu0/stats", NULL);
	double t = pt_inst_stats_now(text);

	free(text);
	return t;
}
