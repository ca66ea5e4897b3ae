// SPDX-License-Identifier: GPL-2.0-or-later
/* The text report, in the spirit of WinDbg's !analyze -v. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "pt-describe.h"
#include "pt-hostreset.h"
#include "pt-plugins.h"
#include "report.h"

/* SGR colours of the severities, as git and ls colour on a terminal */
static const char *const sev_sgr[] = {
	[PT_SEV_INFO] = "\033[2m",		/* dim */
	[PT_SEV_LOW] = "\033[36m",		/* cyan */
	[PT_SEV_MEDIUM] = "\033[33m",		/* yellow */
	[PT_SEV_HIGH] = "\033[1;31m",		/* bold red */
	[PT_SEV_CRITICAL] = "\033[1;37;41m",	/* bold white on red */
};

/* The escape that starts SEV's colour, and the one that ends it, or "" without colour. */
static const char *sev_on(int color, enum pt_severity sev)
{
	return color && (unsigned)sev <= PT_SEV_CRITICAL ? sev_sgr[sev] : "";
}

static const char *sev_off(int color)
{
	return color ? "\033[m" : "";
}

static void rule(FILE *f, const char *title)
{
	fprintf(f, "\n%s\n", title);
	for (size_t i = 0; i < strlen(title); i++)
		fputc('-', f);
	fputc('\n', f);
}

static void print_time(FILE *f, const struct pt_analysis *a, uint64_t ts)
{
	fprintf(f, "%+11.6f", pt_rel(a, ts));
}

static unsigned bits(unsigned v)
{
	return (unsigned)__builtin_popcount(v);
}

/* The guest wrote the crash MSRs and KVM said #GP: say what that means. */
static void print_refused(FILE *f, const struct pt_analysis *a)
{
	const struct pt_crash *c = &a->crash;
	const struct pt_json *hv = pt_json_get(pt_json_get(a->meta, "vm"), "hv_crash");
	unsigned written = bits(c->hv_written), refused = bits(c->hv_refused);

	if (refused == written)
		fprintf(f, "REFUSED:        KVM refused all %u crash MSR writes with #GP", written);
	else
		fprintf(f, "REFUSED:        KVM refused %u of the %u crash MSR writes with #GP", refused,
			written);
	fprintf(f, ": this host's KVM has no Hyper-V crash MSRs, so QEMU cannot offer hv-crash%s, "
		"and Windows, which writes them only where CPUID offers them, would not have "
		"bugchecked this way on this host; the code and parameters above are what the guest "
		"wrote\n", hv && hv->type == PT_JSON_TRUE ?
		" (the VM asks for it, and QEMU drops it without a word)" : "");
}

static int truthy(const struct pt_json *obj, const char *key)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_TRUE;
}

static void print_crash(FILE *f, const struct pt_analysis *a)
{
	const struct pt_crash *c = &a->crash;

	fprintf(f, "CRASH:          %s\n", pt_crash_kind_name(c->kind));
	fprintf(f, "AT:             %.6f (trace clock)", c->ts / 1e9);
	if (c->vcpu >= 0)
		fprintf(f, ", vcpu %d", c->vcpu);
	fputc('\n', f);
	if (c->kind != PT_CRASH_END_OF_TRACE && c->kind != PT_CRASH_GIVEN) {
		struct pt_evidence e = { .ev = c->event, .bar = -1 };
		char line[160];

		pt_evidence_str(a, &e, line, sizeof(line));
		fprintf(f, "SIGNAL:         %s\n", line);
	}
	if (c->has_bugcheck) {
		const char *name = pt_bugcheck_name(c->bugcheck);

		fprintf(f, "BUGCHECK:       0x%llx %s (0x%llx, 0x%llx, 0x%llx, 0x%llx)%s\n",
			(unsigned long long)c->bugcheck, name ? name : "(unknown code)",
			(unsigned long long)c->params[0], (unsigned long long)c->params[1],
			(unsigned long long)c->params[2], (unsigned long long)c->params[3],
			c->bugcheck_from_qmp ? ", from QMP's GUEST_PANICKED (the trace has no crash "
			"MSR writes)" : "");
	}
	if (c->hv_refused)
		print_refused(f, a);
	if (c->kind == PT_CRASH_END_OF_TRACE)
		fprintf(f, "NOTE:           no crash signal in the trace (no pvpanic write, no "
			"shutdown exit, no Hyper-V crash MSR); findings are judged against the end of "
			"the trace\n");
	/* a libvirt domain recorded without a panic device: say how to give it one, in XML */
	if (c->kind == PT_CRASH_END_OF_TRACE && pt_analysis_terms(a) == PT_TERMS_LIBVIRT &&
	    !truthy(pt_json_get(a->meta, "vm"), "pvpanic") &&
	    !truthy(pt_json_get(a->meta, "vm"), "hv_crash"))
		fprintf(f, "                the domain has no <panic> device: %s\n",
			pt_advice_crash_signal(PT_TERMS_LIBVIRT));
}

/* Why pttrace record did not record the host's resets; NULL when it did, or had none to. */
static const char *host_resets_unrecorded(const struct pt_analysis *a)
{
	const struct pt_json *hr = pt_json_get(pt_json_get(a->meta, "recording"), "host_resets");
	const struct pt_json *rec = pt_json_get(hr, "recorded");

	if (!hr || (rec && rec->type == PT_JSON_TRUE))
		return NULL;
	return pt_json_get_str(hr, "reason") ?: "?";
}

/* Whether pttrace record saw the host's resets of the assigned devices, and which. */
static void print_host_resets(FILE *f, const struct pt_analysis *a)
{
	const struct pt_json *hr = pt_json_get(pt_json_get(a->meta, "recording"), "host_resets");
	const struct pt_json *named = pt_json_get(hr, "named");
	const char *why = host_resets_unrecorded(a);

	if (!hr)
		return;
	/* no probes: a reset may or may not have happened, and nothing here may say which */
	if (why) {
		fprintf(f, "HOST RESETS:    unknown: not recorded (%s)\n", why);
		return;
	}
	fprintf(f, "HOST RESETS:    %u in the trace%s%s", a->info.nhost_resets,
		a->info.host_resets_dropped ? " (and more not kept)" : "",
		named && named->type == PT_JSON_TRUE ? "" : " (some without the device's name)");
	for (unsigned i = 0; i < a->info.nhost_resets && i < 4; i++) {
		const struct pt_host_reset *r = &a->info.host_resets[i];

		fprintf(f, "%s%s %s at %+.3f s", i ? ", " : ": ",
			r->fn < pt_hr_nfuncs ? pt_hr_funcs[r->fn].symbol : "?", r->dev[0] ? r->dev : "?",
			pt_rel(a, r->ts));
	}
	fprintf(f, "%s\n", a->info.nhost_resets > 4 ? ", ..." : "");
}

/* What pttrace record wrote about the VM, when it recorded the file. */
static void print_meta(FILE *f, const struct pt_analysis *a)
{
	const struct pt_json *vm = pt_json_get(a->meta, "vm");
	const struct pt_json *rec = pt_json_get(a->meta, "recording");
	const struct pt_json *devs = pt_json_get(a->meta, "devices");
	const struct pt_json *kb = pt_json_get(rec, "buffer_kb");
	const struct pt_json *pid = pt_json_get(vm, "pid");

	if (!a->meta)
		return;
	fprintf(f, "VM:             %s (pid %.0f%s), recorded by pttrace record, %s, %.0f KB per cpu\n",
		pt_json_get_str(vm, "name") ? pt_json_get_str(vm, "name") : "?", pid ? pid->num : 0,
		truthy(vm, "libvirt") ? ", libvirt domain" : "",
		pt_json_get_str(rec, "mode") ? pt_json_get_str(rec, "mode") : "?", kb ? kb->num : 0);
	for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
		const struct pt_json *nommap = pt_json_get(d, "x_no_mmap");

		if (!pt_json_get(d, "assigned") || pt_json_get(d, "assigned")->type != PT_JSON_TRUE)
			continue;
		fprintf(f, "ASSIGNED:       %s host %s -> guest %s, host driver %s%s\n",
			pt_json_get_str(d, "driver"), pt_json_get_str(d, "host") ?: "?",
			pt_json_get_str(d, "addr") && *pt_json_get_str(d, "addr") ?
			pt_json_get_str(d, "addr") : "(auto)",
			pt_json_get_str(d, "host_driver") ?: "none",
			nommap && nommap->type == PT_JSON_TRUE ? ", x-no-mmap=on" : "");
	}
	print_host_resets(f, a);
}

static void print_trace(FILE *f, const struct pt_analysis *a)
{
	const struct pt_reader_info *i = &a->info;

	fprintf(f, "TRACE:          %.3f s before the crash, %llu kvm events (%llu analysed), "
		"%u vcpu%s\n", (a->crash.ts - a->window_start) / 1e9,
		(unsigned long long)i->events, (unsigned long long)a->analysed, a->nvcpus,
		a->nvcpus == 1 ? "" : "s");
	if (i->buffer[0])
		fprintf(f, "BUFFER:         instance '%s'\n", i->buffer);
	if (i->nvms > 1 || i->vms_guessed) {
		fprintf(f, "VMS:            %u in this trace (host-wide): ", i->nvms);
		for (unsigned v = 0; v < i->nvms; v++)
			fprintf(f, "%spid %u%s%s (%u vcpu%s, %llu events)%s", v ? "; " : "", i->vms[v].pid,
				i->vms[v].name[0] ? " " : "", i->vms[v].name, i->vms[v].vcpus,
				i->vms[v].vcpus == 1 ? "" : "s", (unsigned long long)i->vms[v].events,
				v == a->vm ? " <- analysed" : "");
		fprintf(f, "\n                %s; another with --vm PID\n", a->opts.vm ? "chosen with --vm" :
			a->crash.kind != PT_CRASH_END_OF_TRACE ? "the analysed one has the crash signal" :
			"none has a crash signal: the busiest is analysed");
		if (i->vms_guessed)
			fprintf(f, "NOTE:           VMs told apart by thread ids alone (the trace names no "
				"vcpu threads and has no kvm_exit vcpu ids): check the grouping\n");
		if (a->unattributed)
			fprintf(f, "NOTE:           %llu interrupt events raised outside any VM's threads "
				"were counted for every VM\n", (unsigned long long)a->unattributed);
	}
	if (a->after_crash)
		fprintf(f, "AFTER CRASH:    %llu events not analysed\n",
			(unsigned long long)a->after_crash);
	if (i->damage[0])
		fprintf(f, "WARNING:        %s\n", i->damage);
	if (a->meta_damaged)
		fprintf(f, "WARNING:        pttrace's metadata in the file is damaged and was ignored: "
			"the VM's devices and BARs come from the trace alone\n");
	if (i->damaged)
		fprintf(f, "WARNING:        %llu records cannot be right (unknown event ids, time going "
			"backwards, impossible sizes): the file is damaged and findings may be wrong\n",
			(unsigned long long)i->damaged);
	if (i->overwritten)
		fprintf(f, "HISTORY:        %llu older events were overwritten (flight recorder): the "
			"trace starts %.3f s before the crash\n", (unsigned long long)i->overwritten,
			(a->crash.ts - a->window_start) / 1e9);
	{
		const struct pt_json *d = pt_json_get(pt_json_get(a->meta, "recording"), "dropped");

		if (d && d->type == PT_JSON_NUMBER && d->num > 0)
			fprintf(f, "WARNING:        the recorder's buffer was full and refused %.0f events: "
				"the trace has gaps\n", d->num);
	}
	if (i->lost || i->lost_unknown)
		fprintf(f, "WARNING:        the ring buffer dropped %s%llu events in %u places: "
			"findings near those gaps may miss evidence\n", i->lost_unknown ? "at least " : "",
			(unsigned long long)i->lost, i->lost_gaps);
}

/* Do findings, or MMIO the model could not place, rest on unknown BARs? */
static int bars_unknown(const struct pt_analysis *a)
{
	unsigned n;

	pt_model_unknown_regions(a->model, &n);
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].unknown_bars)
			return 1;
	return n && !pt_model_map_complete(a->model);
}

/* With BARs unknown, say so once and how to give them. */
static void print_unknown_bars(FILE *f, const struct pt_analysis *a)
{
	unsigned n;

	pt_model_unknown_regions(a->model, &n);
	if (!bars_unknown(a))
		return;
	fprintf(f, "BARS:           unknown: the trace shows MMIO to %u region%s in no BAR pttrace "
		"knows (recorded after boot, without pttrace's metadata?); findings marked \"BARs "
		"unknown\" rest on that: give the BARs with --device BDF:BAR=GPA+SIZE (lspci -v in "
		"the guest shows them), or record with pttrace record, which stores them\n",
		n, n == 1 ? "" : "s");
}

/* A crash, and the whole trace looked at (no --device, --vcpu, --window narrowing it)? */
static int unexplained(const struct pt_analysis *a)
{
	return a->crash.kind != PT_CRASH_END_OF_TRACE && a->crash.kind != PT_CRASH_GIVEN &&
	       !a->opts.have_device && a->opts.vcpu < 0 && !a->opts.window_ns;
}

/*
 * A crash without a finding is no clean bill of health: what the trace
 * could not show, and what to record next time.
 */
static void print_blind_spots(FILE *f, const struct pt_analysis *a)
{
	unsigned n, unseen = 0;
	struct pt_device *const *devs = pt_model_devices(a->model, &n);
	const char *how;

	fprintf(f, "NOT SHOWN:      the guest crashed and this trace does not show why; it could "
		"not show:\n");
	if (a->info.overwritten && a->complete_from > a->window_start + 1000000 &&
	    a->complete_from <= a->crash.ts)
		fprintf(f, "                - anything older than %.3f s before the crash on every "
			"host cpu: the flight recorder overwrote older events (from %.3f s on some "
			"cpus); record with a bigger -b, or without -e +kvm_emulate_insn\n",
			-pt_rel(a, a->complete_from), -pt_rel(a, a->window_start));
	else
		fprintf(f, "                - anything older than its first event, %.3f s before the "
			"crash%s\n", -pt_rel(a, a->window_start), a->info.overwritten ? " (older ones "
			"were overwritten: record with a bigger -b)" : "");
	for (unsigned i = 0; i < n; i++)
		unseen += devs[i]->present && !devs[i]->mmio_reads && !devs[i]->mmio_writes &&
			  (devs[i]->assigned || devs[i]->msis || devs[i]->intx);
	if (unseen)
		fprintf(f, "                - BAR accesses of %u device%s that interrupt but show none: "
			"BARs mapped into the guest never exit (x-no-mmap=on on the %s for a debugging "
			"run)\n", unseen, unseen == 1 ? "" : "s",
			pt_analysis_terms(a) == PT_TERMS_LIBVIRT ? "<hostdev>, through <qemu:override>" :
			"vfio-pci device");
	if (!pt_model_map_complete(a->model))
		fprintf(f, "                - which device a BAR address belongs to: its BARs are "
			"unknown (--device BDF:BAR=GPA+SIZE, or record with pttrace record)\n");
	if (host_resets_unrecorded(a))
		fprintf(f, "                - whether the host reset the assigned devices before the "
			"guest used them: not recorded (%s)\n", host_resets_unrecorded(a));
	for (unsigned k = 0; k < PT_EV_KINDS; k++)
		if (pt_analysis_missing(a, k, &how) && k != PT_EV_EXIT && k != PT_EV_EMULATE)
			fprintf(f, "                - %s: %s (see NOT RECORDED)\n",
				pt_event_kind_source(k), how);
	fprintf(f, "                - DMA, and the device's own state: only what the guest's "
		"accesses and interrupts show\n");
}

static void print_findings(FILE *f, const struct pt_analysis *a, int color)
{
	unsigned shown = 0;

	for (unsigned i = 0; i < a->nfindings; i++)
		shown += a->findings[i].severity > PT_SEV_INFO;
	fprintf(f, "\nPROBABLE CAUSE: %s%s%s%s\n", shown ? sev_on(color, a->findings[0].severity) : "",
		shown ? a->findings[0].title :
		a->info.damage[0] ? "nothing suspicious found in what the file holds (it is damaged "
				    "or cut short: see the WARNING)" :
		unexplained(a) ? "not found in this trace (see NOT SHOWN)" : "nothing suspicious found",
		shown && a->findings[0].unknown_bars ? " (BARs unknown)" :
		!shown && bars_unknown(a) ? " (in what the trace shows: its BARs are unknown)" : "",
		shown ? sev_off(color) : "");
	if (!shown && unexplained(a))
		print_blind_spots(f, a);
	rule(f, "FINDINGS");
	if (!a->nfindings)
		fprintf(f, "none\n");
	for (unsigned i = 0; i < a->nfindings; i++) {
		const struct pt_finding *fi = &a->findings[i];

		/* the failure class, where the detector's name does not already say it */
		const char *cls = fi->cls == PT_CLASS_CONTEXT || !strcmp(pt_class_name(fi->cls),
			fi->detector) ? NULL : pt_class_name(fi->cls);

		fprintf(f, "%2u. [%s%s%s, %u%%] %s  (%s%s%s)\n", i + 1, sev_on(color, fi->severity),
			pt_severity_name(fi->severity), sev_off(color), fi->confidence, fi->title,
			cls ? cls : "", cls ? ": " : "", fi->detector);
		if (fi->caused_by >= 0)
			fprintf(f, "    follows from: finding %d (%s)\n", fi->caused_by + 1,
				pt_class_name(a->findings[fi->caused_by].cls));
		if (fi->unknown_bars)
			fprintf(f, "    BARs unknown: this finding rests on BARs the trace does not show\n");
		if (fi->rip) {
			char by[140];

			pt_symbols_str(a->opts.symbols, fi->rip, by, sizeof(by));
			fprintf(f, "    by:  %s (guest rip 0x%llx)\n", by, (unsigned long long)fi->rip);
		}
		fprintf(f, "    why: %s\n", fi->why);
		fprintf(f, "    try: %s\n", fi->advice);
		for (unsigned e = 0; e < fi->nevidence; e++) {
			char line[400];

			pt_evidence_str(a, &fi->evidence[e], line, sizeof(line));
			fprintf(f, "    ");
			print_time(f, a, fi->evidence[e].ev.ts);
			if (fi->evidence[e].ev.vcpu >= 0)
				fprintf(f, " vcpu %-2d ", fi->evidence[e].ev.vcpu);
			else
				fprintf(f, "         ");
			fprintf(f, "%s  <- %s\n", line, fi->evidence[e].note);
		}
	}
}

static int reg_order(const void *pa, const void *pb)
{
	const struct pt_reg *x = *(const struct pt_reg *const *)pa;
	const struct pt_reg *y = *(const struct pt_reg *const *)pb;

	return x->key < y->key ? -1 : x->key > y->key;
}

#define MAX_REG_LINES 16

/*
 * Which of the device's accesses the trace can show: MMIO exits have
 * values; a BAR mapped into the guest (vfio's mmap) exits only as a fault
 * after the mapping was torn down (decode off, reset, D3hot), without one.
 */
static void print_visibility(FILE *f, const struct pt_device *d)
{
	int mapped = d->assigned && d->x_no_mmap != 1;

	if (mapped)
		fprintf(f, "    seen:     BAR accesses only where they exit: its BARs are mapped into "
			"the guest (x-no-mmap %s), so %s; config space and interrupts in full\n",
			d->x_no_mmap == 0 ? "off" : "not set", d->bar_faults
			? "the faults below are where the mapping had been torn down (reset, decode "
			  "off, D3hot) and the rest is not in the trace"
			: "most of them are not in the trace");
	else if (d->bar_faults && !d->mmio_reads && !d->mmio_writes)
		fprintf(f, "    seen:     BAR accesses only as EPT/NPF faults, without values: its BARs "
			"are mapped into the guest\n");
}

/* Accesses known only from page faults: where and how often, no values. */
static void print_bar_faults(FILE *f, const struct pt_analysis *a, const struct pt_device *d)
{
	if (!d->bar_faults)
		return;
	fprintf(f, "    EPT/NPF faults on its BARs: %llu (kvm_page_fault: addresses, no values)\n",
		(unsigned long long)d->bar_faults);
	for (unsigned i = 0; i < d->nfault_addrs; i++) {
		const struct pt_fault_addr *fa = &d->fault_addr[i];
		uint64_t off = fa->gpa - d->bar[fa->bar].base;
		char reg[64];

		pt_reg_label(d, fa->bar, off, reg, sizeof(reg));
		fprintf(f, "    %-30s gpa 0x%llx %8llu faults %+11.6f %+11.6f\n", reg,
			(unsigned long long)fa->gpa, (unsigned long long)fa->count,
			pt_rel(a, fa->first_ts), pt_rel(a, fa->last_ts));
	}
}

static void print_device(FILE *f, const struct pt_analysis *a, const struct pt_device *d)
{
	const struct pt_reg *regs[PT_MAX_REGS];
	unsigned n = 0;
	char dev[48];

	pt_dev_str(d, dev, sizeof(dev));
	fprintf(f, "%s class %06x", dev, d->class_code);
	if (d->power_state >= 0)
		fprintf(f, ", %s", pt_power_state_name(d->power_state));
	if (d->command_known)
		fprintf(f, ", command 0x%04x (memory %s, bus master %s%s)", d->command,
			d->command & PCI_COMMAND_MEMORY ? "on" : "off",
			d->command & PCI_COMMAND_MASTER ? "on" : "off",
			d->command & PCI_COMMAND_INTX_DISABLE ? ", INTx disabled" : "");
	fputc('\n', f);
	for (int b = 0; b < 6; b++) {
		const struct pt_bar *bar = &d->bar[b];

		if (!bar->valid)
			continue;
		fprintf(f, "    BAR%d %s 0x%llx", b, bar->is_io ? "io " : "mem",
			(unsigned long long)bar->base);
		if (bar->size)
			fprintf(f, " size 0x%llx", (unsigned long long)bar->size);
		else
			fprintf(f, " size unknown");
		if (bar->prev_base)
			fprintf(f, " (moved from 0x%llx at %+.6f)", (unsigned long long)bar->prev_base,
				pt_rel(a, bar->moved_ts));
		fputc('\n', f);
	}
	if (d->msi_cap)
		fprintf(f, "    MSI %s, address 0x%llx data 0x%04x\n", d->msi_enabled ? "on" : "off",
			(unsigned long long)d->msi_address, d->msi_data);
	if (d->msix_cap)
		fprintf(f, "    MSI-X %s%s, %u vectors\n", d->msix_enabled ? "on" : "off",
			d->msix_fn_mask ? " (function masked)" : "", d->msix_size);
	if (d->gsi >= 0)
		fprintf(f, "    INTx on GSI %d (%s)\n", d->gsi,
			d->gsi_from_line ? "its Interrupt Line" : "q35 routing");
	fprintf(f, "    accesses: %llu MMIO reads, %llu MMIO writes, %llu config reads, %llu config "
		"writes; interrupts: %llu MSI, %llu INTx asserts\n",
		(unsigned long long)d->mmio_reads, (unsigned long long)d->mmio_writes,
		(unsigned long long)d->cfg_reads, (unsigned long long)d->cfg_writes,
		(unsigned long long)d->msis, (unsigned long long)d->intx);
	print_visibility(f, d);
	print_bar_faults(f, a, d);
	for (unsigned i = 0; i < PT_MAX_REGS; i++)
		if ((d->regs[i].reads || d->regs[i].writes) && (d->regs[i].key >> 32) != PT_REG_CONFIG)
			regs[n++] = &d->regs[i];
	if (!n)
		return;
	qsort(regs, n, sizeof(regs[0]), reg_order);
	fprintf(f, "    %-30s %8s %8s %18s %11s %11s\n", "register", "reads", "writes", "last value",
		"first", "last");
	for (unsigned i = 0; i < n && i < MAX_REG_LINES; i++) {
		char reg[64];

		pt_reg_label(d, regs[i]->key >> 32, regs[i]->key & 0xffffffff, reg, sizeof(reg));
		fprintf(f, "    %-30s %8u %8u %18llx %+11.6f %+11.6f\n", reg, regs[i]->reads,
			regs[i]->writes, (unsigned long long)regs[i]->last_val,
			pt_rel(a, regs[i]->first_ts), pt_rel(a, regs[i]->last_ts));
	}
	if (n > MAX_REG_LINES)
		fprintf(f, "    ... %u more registers (--json lists all)\n", n - MAX_REG_LINES);
}

static int device_shown(const struct pt_analysis *a, const struct pt_device *d)
{
	if (a->opts.have_device)
		return d->bdf == a->opts.device;
	return d->present && (d->mmio_reads || d->mmio_writes || d->msis || d->intx || d->bar_faults);
}

static void print_interrupts(FILE *f, const struct pt_analysis *a)
{
	int any = 0;

	for (unsigned v = 0; v < PT_MAX_VECTORS; v++) {
		const struct pt_vector_stats *s = &a->vector[v];

		if (!s->accepted && !s->raised)
			continue;
		if (!any++)
			fprintf(f, "%-8s %9s %9s %9s %22s %22s\n", "vector", "raised", "accepted", "eois",
				"raise->accept avg/max", "accept->eoi avg/max");
		fprintf(f, "0x%02x     %9llu %9llu %9llu", v, (unsigned long long)s->raised,
			(unsigned long long)s->accepted, (unsigned long long)s->eois);
		if (s->lat_count)
			fprintf(f, " %10.1fus/%7.1fus", s->lat_sum_ns / 1e3 / s->lat_count,
				s->lat_max_ns / 1e3);
		else
			fprintf(f, " %22s", "-");
		if (s->ack_count)
			fprintf(f, " %10.1fus/%7.1fus", s->ack_sum_ns / 1e3 / s->ack_count,
				s->ack_max_ns / 1e3);
		else
			fprintf(f, " %22s", "-");
		fputc('\n', f);
	}
	if (!any)
		fprintf(f, "none\n");
}

/* Says where the reason names come from, when it is not the trace itself. */
static const char *exit_isa_note(const struct pt_analysis *a)
{
	if (a->exit_isa == PT_ISA_UNKNOWN)
		return " (numbers: VMX or SVM is not known)";
	if (a->exit_isa_guessed)
		return a->exit_isa == PT_ISA_VMX ? " (VMX, judged from the reasons)" :
						    " (SVM, judged from the reasons)";
	return "";
}

static void print_vcpus(FILE *f, const struct pt_analysis *a)
{
	for (unsigned v = 0; v < a->nvcpus; v++) {
		const struct pt_vcpu_stats *s = &a->vcpu[v];
		int any = 0;

		fprintf(f, "vcpu %u: %llu events\n", v, (unsigned long long)s->events);
		for (unsigned r = 0; r < 40; r++) {
			const char *n = pt_kvm_exit_name(r);

			if (!s->user_exits[r])
				continue;
			fprintf(f, "%s%s %llu", any++ ? ", " : "    userspace exits: ", n ? n : "?",
				(unsigned long long)s->user_exits[r]);
		}
		if (any)
			fputc('\n', f);
		any = 0;
		for (unsigned i = 0; i < s->nexit_reasons; i++) {
			char reason[64];

			if (!any++)
				fprintf(f, "    kvm_exit reasons%s: ", exit_isa_note(a));
			else
				fputs(", ", f);
			fprintf(f, "%s %llu", pt_exit_reason_str(a->exit_isa, s->exit_reasons[i], reason,
								 sizeof(reason)),
				(unsigned long long)s->exit_counts[i]);
		}
		if (s->exits_other)
			fprintf(f, ", other reasons %llu", (unsigned long long)s->exits_other);
		if (any)
			fputc('\n', f);
		fprintf(f, "    mmio %llu, pio %llu, msr %llu, exceptions %llu\n",
			(unsigned long long)(s->by_kind[PT_EV_MMIO_READ] + s->by_kind[PT_EV_MMIO_WRITE]),
			(unsigned long long)(s->by_kind[PT_EV_PIO_READ] + s->by_kind[PT_EV_PIO_WRITE]),
			(unsigned long long)(s->by_kind[PT_EV_MSR_READ] + s->by_kind[PT_EV_MSR_WRITE]),
			(unsigned long long)s->by_kind[PT_EV_INJ_EXCEPTION]);
		if (s->mmio_exits || s->bar_faults)
			fprintf(f, "    mmio exits %llu (%s), faults on device BARs %llu\n",
				(unsigned long long)s->mmio_exits,
				a->exit_isa == PT_ISA_SVM ? "NPF on MMIO SPTEs" : "EPT_MISCONFIG",
				(unsigned long long)s->bar_faults);
	}
}

static void print_missing(FILE *f, const struct pt_analysis *a)
{
	uint64_t exits, faults;
	const char *how;
	int any = 0;

	for (unsigned k = 0; k < PT_EV_KINDS; k++) {
		if (!pt_analysis_missing(a, k, &how))
			continue;
		if (!any++)
			rule(f, "NOT RECORDED");
		fprintf(f, "%-20s %s: %s\n", pt_event_kind_source(k), how,
			pt_reader_missing_consequence(k));
		if (k == PT_EV_MMIO_READ && pt_analysis_mmio_by_exits(a, &exits, &faults))
			fprintf(f, "%-20s MMIO values are missing, but the accesses are seen via EPT "
				"exits: %llu MMIO exits, %llu faults on device BARs (VCPUS, DEVICES)\n", "",
				(unsigned long long)exits, (unsigned long long)faults);
	}
}

static void print_unknown_regions(FILE *f, const struct pt_analysis *a)
{
	unsigned n;
	const struct pt_unknown_region *r = pt_model_unknown_regions(a->model, &n);

	for (unsigned i = 0; i < n; i++)
		fprintf(f, "unknown region 0x%llx-0x%llx: %llu reads, %llu writes%s\n",
			(unsigned long long)r[i].start, (unsigned long long)r[i].end - 1,
			(unsigned long long)r[i].reads, (unsigned long long)r[i].writes,
			r[i].kernel_writes ? " (writes completed by KVM: a device owns it)"
			: r[i].answered_reads ? " (reads returned data: a device answers)"
			: " (nothing answered)");
}

void pt_report_text(FILE *f, const struct pt_analysis *a, const char *path, int color)
{
	unsigned n;
	struct pt_device *const *devs = pt_model_devices(a->model, &n);

	fprintf(f, "pttrace analyze %s\n\n", path);
	print_crash(f, a);
	print_meta(f, a);
	print_trace(f, a);
	if (a->opts.window_ns)
		fprintf(f, "WINDOW:         findings of the last %.3f s only (the events and summaries: "
			"the whole trace)\n", a->opts.window_ns / 1e9);
	print_unknown_bars(f, a);
	print_findings(f, a, color);
	rule(f, "DEVICES");
	for (unsigned i = 0; i < n; i++)
		if (device_shown(a, devs[i]))
			print_device(f, a, devs[i]);
	print_unknown_regions(f, a);
	rule(f, "INTERRUPTS");
	print_interrupts(f, a);
	rule(f, "VCPUS");
	print_vcpus(f, a);
	print_missing(f, a);
}
