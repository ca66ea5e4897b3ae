// SPDX-License-Identifier: GPL-2.0-or-later
/* The --json report; its schema is docs/analyze-json.md (version PT_JSON_SCHEMA_VERSION). */
#include <stdio.h>

#include "pt-hostreset.h"
#include "pt-json.h"
#include "pt-plugins.h"
#include "report.h"

static void key(FILE *f, const char *k, int *first)
{
	fprintf(f, "%s\"%s\": ", *first ? "" : ", ", k);
	*first = 0;
}

static void str_member(FILE *f, const char *k, const char *v, int *first)
{
	key(f, k, first);
	if (v)
		pt_json_put_str(f, v);
	else
		fputs("null", f);
}

static void num_member(FILE *f, const char *k, unsigned long long v, int *first)
{
	key(f, k, first);
	fprintf(f, "%llu", v);
}

/*
 * A 64-bit address, value or rip: the number, and "K_hex" with its exact
 * digits, because JSON readers that hold numbers as doubles (jq,
 * JavaScript) round anything above 2^53, and every x86-64 kernel rip is.
 */
static void u64_member(FILE *f, const char *k, uint64_t v, int *first)
{
	num_member(f, k, v, first);
	fprintf(f, ", \"%s_hex\": \"0x%llx\"", k, (unsigned long long)v);
}

static void time_member(FILE *f, const char *k, const struct pt_analysis *a, uint64_t ts, int *first)
{
	key(f, k, first);
	fprintf(f, "%.9f", pt_rel(a, ts));
}

/* "register_name": the plugin's or the config decoder's name, or null */
static void name_member(FILE *f, const struct pt_analysis *a, int has_device, uint16_t bdf, int bar,
			uint64_t off, int *first)
{
	char name[64];
	const struct pt_device *d = has_device && bar >= 0 ? pt_model_find(a->model, bdf) : NULL;

	str_member(f, "register_name", d && !pt_reg_name(d, bar, off, name, sizeof(name)) ? name : NULL,
		   first);
}

static void event_json(FILE *f, const struct pt_analysis *a, const struct pt_event *ev)
{
	int first = 1;

	fputc('{', f);
	time_member(f, "t", a, ev->ts, &first);
	num_member(f, "ts_ns", ev->ts, &first);
	str_member(f, "kind", pt_event_kind_name(ev->kind), &first);
	key(f, "vcpu", &first);
	fprintf(f, "%d", ev->vcpu);
	num_member(f, "tid", ev->tid, &first);
	u64_member(f, "addr", ev->addr, &first);
	u64_member(f, "val", ev->val, &first);
	num_member(f, "len", ev->len, &first);
	if (ev->kind == PT_EV_EXIT)
		str_member(f, "exit_reason", pt_exit_reason_name(a->exit_isa, ev->val), &first);
	if (ev->kind == PT_EV_MSR_READ || ev->kind == PT_EV_MSR_WRITE) {
		key(f, "refused", &first);
		fputs(ev->flags & PT_EVF_REFUSED ? "true" : "false", f);
	}
	if (ev->rip) {
		char fn[128];

		u64_member(f, "rip", ev->rip, &first);
		str_member(f, "function", pt_symbols_name(a->opts.symbols, ev->rip, fn, sizeof(fn)) ?
			   NULL : fn, &first);
	}
	fputc('}', f);
}

static void bdf_member(FILE *f, const char *k, uint16_t bdf, int *first)
{
	char s[16];

	pt_bdf_str(bdf, s, sizeof(s));
	str_member(f, k, s, first);
}

static void finding_json(FILE *f, const struct pt_analysis *a, const struct pt_finding *fi)
{
	int first = 1;
	char reg[32];

	fputc('{', f);
	str_member(f, "detector", fi->detector, &first);
	str_member(f, "class", pt_class_name(fi->cls), &first);
	key(f, "caused_by", &first);
	if (fi->caused_by >= 0)
		fprintf(f, "%d", fi->caused_by + 1);
	else
		fputs("null", f);
	str_member(f, "title", fi->title, &first);
	str_member(f, "severity", pt_severity_name(fi->severity), &first);
	num_member(f, "confidence", fi->confidence, &first);
	key(f, "unknown_bars", &first);
	fputs(fi->unknown_bars ? "true" : "false", f);
	if (fi->has_device)
		bdf_member(f, "device", fi->bdf, &first);
	else
		str_member(f, "device", NULL, &first);
	pt_reg_str(fi->bar, fi->off, reg, sizeof(reg));
	str_member(f, "register", fi->bar >= 0 ? reg : NULL, &first);
	name_member(f, a, fi->has_device, fi->bdf, fi->bar, fi->off, &first);
	num_member(f, "count", fi->count, &first);
	if (fi->rip) {
		u64_member(f, "rip", fi->rip, &first);
	} else {
		key(f, "rip", &first);
		fputs("null, \"rip_hex\": null", f);
	}
	str_member(f, "function", fi->function[0] ? fi->function : NULL, &first);
	str_member(f, "why", fi->why, &first);
	str_member(f, "advice", fi->advice, &first);
	key(f, "evidence", &first);
	fputc('[', f);
	for (unsigned e = 0; e < fi->nevidence; e++) {
		const struct pt_evidence *ev = &fi->evidence[e];
		int ef = 1;

		fprintf(f, "%s{", e ? ", " : "");
		str_member(f, "note", ev->note, &ef);
		if (ev->has_target) {
			bdf_member(f, "device", ev->bdf, &ef);
			pt_reg_str(ev->bar, ev->off, reg, sizeof(reg));
			str_member(f, "register", reg, &ef);
			name_member(f, a, 1, ev->bdf, ev->bar, ev->off, &ef);
		}
		key(f, "event", &ef);
		event_json(f, a, &ev->ev);
		fputc('}', f);
	}
	fputs("]}", f);
}

/*
 * The host's resets pttrace record's kprobes saw (the host buffer), oldest
 * first; only for a file recorded with them (or holding some).
 */
static void host_resets_json(FILE *f, const struct pt_analysis *a, int *first)
{
	const struct pt_json *rec = pt_json_get(pt_json_get(pt_json_get(a->meta, "recording"),
							   "host_resets"), "recorded");

	/* not recorded: absent, never an empty list that would read as "no reset" */
	if (!a->info.nhost_resets && (!rec || rec->type != PT_JSON_TRUE))
		return;
	key(f, "host_resets", first);
	fputc('[', f);
	for (unsigned i = 0; i < a->info.nhost_resets; i++) {
		const struct pt_host_reset *r = &a->info.host_resets[i];
		int rf = 1;

		fputs(i ? ", {" : "{", f);
		str_member(f, "function", r->fn < pt_hr_nfuncs ? pt_hr_funcs[r->fn].symbol : "?", &rf);
		str_member(f, "device", r->dev[0] ? r->dev : NULL, &rf);
		time_member(f, "time", a, r->ts, &rf);
		num_member(f, "tid", r->tid, &rf);
		fputc('}', f);
	}
	fputc(']', f);
}

static void device_json(FILE *f, const struct pt_analysis *a, const struct pt_device *d)
{
	int first = 1, any = 0;

	fputc('{', f);
	bdf_member(f, "bdf", d->bdf, &first);
	num_member(f, "vendor", d->vendor, &first);
	num_member(f, "device", d->device, &first);
	num_member(f, "class", d->class_code, &first);
	str_member(f, "power_state", pt_power_state_name(d->power_state), &first);
	key(f, "command", &first);
	if (d->command_known)
		fprintf(f, "%u", d->command);
	else
		fputs("null", f);
	key(f, "bars", &first);
	fputc('[', f);
	for (int b = 0; b < 6; b++) {
		const struct pt_bar *bar = &d->bar[b];
		int bf = 1;

		if (!bar->valid)
			continue;
		fprintf(f, "%s{", any++ ? ", " : "");
		num_member(f, "index", b, &bf);
		str_member(f, "space", bar->is_io ? "io" : "memory", &bf);
		u64_member(f, "base", bar->base, &bf);
		u64_member(f, "size", bar->size, &bf);
		if (bar->prev_base)
			u64_member(f, "previous_base", bar->prev_base, &bf);
		fputc('}', f);
	}
	fputc(']', f);
	key(f, "msi", &first);
	if (d->msi_cap) {
		int mf = 1;

		fputc('{', f);
		key(f, "enabled", &mf);
		fputs(d->msi_enabled ? "true" : "false", f);
		u64_member(f, "address", d->msi_address, &mf);
		num_member(f, "data", d->msi_data, &mf);
		fputc('}', f);
	} else
		fputs("null", f);
	key(f, "gsi", &first);
	fprintf(f, "%d", d->gsi);
	key(f, "bars_mapped", &first);
	fputs(d->assigned && d->x_no_mmap != 1 ? "true" : "false", f);
	num_member(f, "mmio_reads", d->mmio_reads, &first);
	num_member(f, "mmio_writes", d->mmio_writes, &first);
	num_member(f, "config_reads", d->cfg_reads, &first);
	num_member(f, "config_writes", d->cfg_writes, &first);
	num_member(f, "msis", d->msis, &first);
	num_member(f, "intx_asserts", d->intx, &first);
	num_member(f, "bar_faults", d->bar_faults, &first);
	key(f, "fault_addresses", &first);
	fputc('[', f);
	for (unsigned i = 0; i < d->nfault_addrs; i++) {
		const struct pt_fault_addr *fa = &d->fault_addr[i];
		char reg[32];
		int ff = 1;

		pt_reg_str(fa->bar, fa->gpa - d->bar[fa->bar].base, reg, sizeof(reg));
		fprintf(f, "%s{", i ? ", " : "");
		u64_member(f, "gpa", fa->gpa, &ff);
		str_member(f, "register", reg, &ff);
		name_member(f, a, 1, d->bdf, fa->bar, fa->gpa - d->bar[fa->bar].base, &ff);
		num_member(f, "count", fa->count, &ff);
		time_member(f, "first", a, fa->first_ts, &ff);
		time_member(f, "last", a, fa->last_ts, &ff);
		fputc('}', f);
	}
	fputc(']', f);
	key(f, "registers", &first);
	fputc('[', f);
	any = 0;
	for (unsigned i = 0; i < PT_MAX_REGS; i++) {
		const struct pt_reg *r = &d->regs[i];
		char reg[32];
		int rf = 1;

		if (!r->reads && !r->writes)
			continue;
		pt_reg_str(r->key >> 32, r->key & 0xffffffff, reg, sizeof(reg));
		fprintf(f, "%s{", any++ ? ", " : "");
		str_member(f, "register", reg, &rf);
		name_member(f, a, 1, d->bdf, r->key >> 32, r->key & 0xffffffff, &rf);
		num_member(f, "reads", r->reads, &rf);
		num_member(f, "writes", r->writes, &rf);
		u64_member(f, "last_value", r->last_val, &rf);
		time_member(f, "first", a, r->first_ts, &rf);
		time_member(f, "last", a, r->last_ts, &rf);
		fputc('}', f);
	}
	fputs("]}", f);
}

void pt_report_json(FILE *f, const struct pt_analysis *a, const char *path)
{
	const struct pt_crash *c = &a->crash;
	unsigned n, any = 0;
	struct pt_device *const *devs = pt_model_devices(a->model, &n);
	int first = 1, cf = 1;

	fputc('{', f);
	num_member(f, "schema", PT_JSON_SCHEMA_VERSION, &first);
	str_member(f, "file", path, &first);
	key(f, "metadata", &first);
	pt_json_put(f, a->meta);

	key(f, "crash", &first);
	fputc('{', f);
	str_member(f, "kind", pt_crash_kind_name(c->kind), &cf);
	num_member(f, "ts_ns", c->ts, &cf);
	key(f, "vcpu", &cf);
	fprintf(f, "%d", c->vcpu);
	key(f, "bugcheck", &cf);
	if (c->has_bugcheck) {
		int bf = 1;

		fputc('{', f);
		u64_member(f, "code", c->bugcheck, &bf);
		str_member(f, "name", pt_bugcheck_name(c->bugcheck), &bf);
		fprintf(f, ", \"parameters\": [%llu, %llu, %llu, %llu]",
			(unsigned long long)c->params[0], (unsigned long long)c->params[1],
			(unsigned long long)c->params[2], (unsigned long long)c->params[3]);
		fprintf(f, ", \"parameters_hex\": [\"0x%llx\", \"0x%llx\", \"0x%llx\", \"0x%llx\"]",
			(unsigned long long)c->params[0], (unsigned long long)c->params[1],
			(unsigned long long)c->params[2], (unsigned long long)c->params[3]);
		str_member(f, "source", c->bugcheck_from_qmp ? "qmp" : "msr", &bf);
		num_member(f, "msr_writes", (unsigned)__builtin_popcount(c->hv_written), &bf);
		num_member(f, "msr_refused", (unsigned)__builtin_popcount(c->hv_refused), &bf);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	if (c->kind != PT_CRASH_END_OF_TRACE && c->kind != PT_CRASH_GIVEN) {
		key(f, "event", &cf);
		event_json(f, a, &c->event);
	}
	fputc('}', f);

	key(f, "trace", &first);
	cf = 1;
	fputc('{', f);
	num_member(f, "events", a->info.events, &cf);
	num_member(f, "analysed", a->analysed, &cf);
	num_member(f, "after_crash", a->after_crash, &cf);
	num_member(f, "lost", a->info.lost, &cf);
	num_member(f, "overwritten", a->info.overwritten, &cf);
	num_member(f, "damaged", a->info.damaged, &cf);
	str_member(f, "damage", a->info.damage[0] ? a->info.damage : NULL, &cf);
	key(f, "metadata_damaged", &cf);
	fputs(a->meta_damaged ? "true" : "false", f);
	key(f, "lost_unknown", &cf);
	fputs(a->info.lost_unknown ? "true" : "false", f);
	key(f, "seconds", &cf);
	fprintf(f, "%.9f", (c->ts - a->window_start) / 1e9);
	key(f, "complete_seconds", &cf);
	fprintf(f, "%.9f", c->ts > a->complete_from ? (c->ts - a->complete_from) / 1e9 : 0.0);
	str_member(f, "buffer", a->info.buffer, &cf);
	key(f, "vms", &cf);
	fputc('[', f);
	for (unsigned v = 0; v < a->info.nvms; v++) {
		int vf = 1;

		fputs(v ? ", {" : "{", f);
		num_member(f, "pid", a->info.vms[v].pid, &vf);
		str_member(f, "name", a->info.vms[v].name, &vf);
		num_member(f, "vcpus", a->info.vms[v].vcpus, &vf);
		num_member(f, "threads", a->info.vms[v].threads, &vf);
		num_member(f, "events", a->info.vms[v].events, &vf);
		key(f, "analysed", &vf);
		fputs(v == a->vm ? "true" : "false", f);
		fputc('}', f);
	}
	fputc(']', f);
	key(f, "vms_guessed", &cf);
	fputs(a->info.vms_guessed ? "true" : "false", f);
	host_resets_json(f, a, &cf);
	num_member(f, "unattributed", a->unattributed, &cf);
	str_member(f, "exit_isa", a->exit_isa == PT_ISA_VMX ? "vmx" : a->exit_isa == PT_ISA_SVM ?
		   "svm" : NULL, &cf);
	key(f, "exit_isa_guessed", &cf);
	fputs(a->exit_isa_guessed ? "true" : "false", f);
	key(f, "missing", &cf);
	fputc('[', f);
	for (unsigned k = 0; k < PT_EV_KINDS; k++) {
		const char *how;

		if (!pt_analysis_missing(a, k, &how))
			continue;
		fprintf(f, "%s{\"event\": \"%s\", \"why\": \"%s\", \"hides\": ", any++ ? ", " : "",
			pt_event_kind_source(k), how);
		pt_json_put_str(f, pt_reader_missing_consequence(k));
		if (k == PT_EV_MMIO_READ) {
			uint64_t exits, faults;

			if (pt_analysis_mmio_by_exits(a, &exits, &faults))
				fprintf(f, ", \"seen_via_exits\": {\"mmio_exits\": %llu, "
					"\"bar_faults\": %llu}", (unsigned long long)exits,
					(unsigned long long)faults);
			else
				fputs(", \"seen_via_exits\": null", f);
		}
		fputc('}', f);
	}
	fputs("]}", f);

	key(f, "findings", &first);
	fputc('[', f);
	for (unsigned i = 0; i < a->nfindings; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		finding_json(f, a, &a->findings[i]);
	}
	fputs("]", f);

	key(f, "devices", &first);
	fputc('[', f);
	any = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!devs[i]->present)
			continue;
		fputs(any++ ? ",\n  " : "\n  ", f);
		device_json(f, a, devs[i]);
	}
	fputs("]", f);

	{
		unsigned nr;
		const struct pt_unknown_region *r = pt_model_unknown_regions(a->model, &nr);

		key(f, "bars_known", &first);
		fputs(pt_model_map_complete(a->model) ? "true" : "false", f);
		key(f, "unknown_regions", &first);
		fputc('[', f);
		for (unsigned i = 0; i < nr; i++) {
			int rf = 1;

			fputs(i ? ",\n  " : "\n  ", f);
			fputc('{', f);
			num_member(f, "start", r[i].start, &rf);
			num_member(f, "end", r[i].end - 1, &rf);
			num_member(f, "reads", r[i].reads, &rf);
			num_member(f, "writes", r[i].writes, &rf);
			num_member(f, "answered_reads", r[i].answered_reads, &rf);
			num_member(f, "kernel_writes", r[i].kernel_writes, &rf);
			key(f, "device_owned", &rf);
			fputs(pt_unknown_answers(&r[i]) ? "true" : "false", f);
			fputc('}', f);
		}
		fputs("]", f);
	}

	key(f, "vcpus", &first);
	fputc('[', f);
	for (unsigned v = 0; v < a->nvcpus; v++) {
		const struct pt_vcpu_stats *s = &a->vcpu[v];
		int vf = 1, ef = 1;

		fprintf(f, "%s{", v ? ", " : "");
		num_member(f, "vcpu", v, &vf);
		num_member(f, "events", s->events, &vf);
		key(f, "userspace_exits", &vf);
		fputc('{', f);
		for (unsigned r = 0; r < 40; r++)
			if (s->user_exits[r])
				num_member(f, pt_kvm_exit_name(r) ? pt_kvm_exit_name(r) : "?",
					   s->user_exits[r], &ef);
		fputc('}', f);
		key(f, "exit_reasons", &vf);
		fputc('[', f);
		for (unsigned i = 0; i < s->nexit_reasons; i++) {
			int rf = 1;

			fprintf(f, "%s{", i ? ", " : "");
			num_member(f, "reason", s->exit_reasons[i], &rf);
			str_member(f, "name", pt_exit_reason_name(a->exit_isa, s->exit_reasons[i]), &rf);
			num_member(f, "count", s->exit_counts[i], &rf);
			fputc('}', f);
		}
		fputc(']', f);
		num_member(f, "exits_other", s->exits_other, &vf);
		num_member(f, "mmio_exits", s->mmio_exits, &vf);
		num_member(f, "bar_faults", s->bar_faults, &vf);
		fputc('}', f);
	}
	fputs("]", f);

	key(f, "interrupts", &first);
	fputc('[', f);
	any = 0;
	for (unsigned v = 0; v < PT_MAX_VECTORS; v++) {
		const struct pt_vector_stats *s = &a->vector[v];
		int vf = 1;

		if (!s->accepted && !s->raised)
			continue;
		fprintf(f, "%s{", any++ ? ", " : "");
		num_member(f, "vector", v, &vf);
		num_member(f, "raised", s->raised, &vf);
		num_member(f, "accepted", s->accepted, &vf);
		num_member(f, "eois", s->eois, &vf);
		num_member(f, "raise_to_accept_avg_ns", s->lat_count ? s->lat_sum_ns / s->lat_count : 0, &vf);
		num_member(f, "raise_to_accept_max_ns", s->lat_max_ns, &vf);
		num_member(f, "accept_to_eoi_avg_ns", s->ack_count ? s->ack_sum_ns / s->ack_count : 0, &vf);
		num_member(f, "accept_to_eoi_max_ns", s->ack_max_ns, &vf);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
