// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crash.h"
#include "detector.h"
#include "meta-apply.h"
#include "pt-meta.h"
#include "pt-plugins.h"

#define MAX_DETECTORS 32
#define PROGRESS_EVERY (1u << 20)
#define MAX_HOST_CPUS 1024

/* The public analysis plus what only this file needs. */
struct analysis {
	struct pt_analysis pub;
	struct pt_crash_tracker crash;
	const struct pt_detector *det[MAX_DETECTORS];	/* built in, then plugins' */
	unsigned ndet;
	void *state[MAX_DETECTORS];
	const struct pt_detector *finishing;	/* whose finish() runs: names its findings */
	/* per kind, the detectors that want it: called for every event, so flat */
	struct detector_call {
		void (*event)(void *state, struct pt_analysis *a, const struct pt_event *ev,
			      const struct pt_access *acc);
		void *state;
	} calls[PT_EV_KINDS][MAX_DETECTORS];
	uint8_t ncalls[PT_EV_KINDS];
	unsigned findings_cap;
	uint64_t first_ts, last_ts;
	uint64_t end_ts;	/* the last event fed, the crash or --at behind us or not */
	int stopped;		/* the crash (or --at) is behind us */
	/* per vcpu: the reason of a kvm_exit not yet followed by another event */
	uint64_t open_exit[PT_MAX_VCPUS];
	uint8_t exit_open[PT_MAX_VCPUS];
	int started;
	uint8_t cpu_seen[MAX_HOST_CPUS];
};

#define PRIV(a) ((struct analysis *)(a))

static void free_state(struct analysis *an)
{
	for (unsigned i = 0; i < an->ndet; i++) {
		if (an->state[i] && an->det[i]->release)
			an->det[i]->release(an->state[i]);
		free(an->state[i]);
		an->state[i] = NULL;
	}
}

struct pt_analysis *pt_analysis_new(const struct pt_analysis_opts *opts, struct pt_err *err)
{
	struct analysis *an = calloc(1, sizeof(*an));

	if (!an) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	if (opts)
		an->pub.opts = *opts;
	else
		an->pub.opts.vcpu = -1;
	an->pub.model = pt_model_new(&an->pub.opts.model, err);
	if (!an->pub.model)
		goto fail;
	for (unsigned i = 0; i < an->pub.opts.nhints; i++)
		if (pt_model_hint(an->pub.model, an->pub.opts.hints[i], err))
			goto fail;
	{
		const struct pt_detector *const *extra;
		unsigned nextra = pt_plugin_detectors(&extra, MAX_DETECTORS);

		for (unsigned i = 0; i < pt_ndetectors && an->ndet < MAX_DETECTORS; i++)
			an->det[an->ndet++] = pt_detectors[i];
		for (unsigned i = 0; i < nextra && an->ndet < MAX_DETECTORS; i++)
			an->det[an->ndet++] = extra[i];
	}
	for (unsigned i = 0; i < an->ndet; i++) {
		const struct pt_detector *d = an->det[i];

		an->state[i] = calloc(1, d->state_size ? d->state_size : 1);
		if (!an->state[i]) {
			pt_err_set(err, "out of memory");
			goto fail;
		}
		if (d->init)
			d->init(an->state[i], d, &an->pub);
		for (unsigned k = 0; k < PT_EV_KINDS; k++)
			if (d->kinds & (1u << k))
				an->calls[k][an->ncalls[k]++] = (struct detector_call){ d->event,
										an->state[i] };
	}
	return &an->pub;
fail:
	pt_analysis_free(&an->pub);
	return NULL;
}

void pt_analysis_free(struct pt_analysis *a)
{
	struct analysis *an = PRIV(a);

	if (!a)
		return;
	free_state(an);
	pt_model_free(a->model);
	pt_json_free(a->meta);
	free(a->meta_text);
	free(a->findings);
	free(an);
}

static void vector_stats(struct pt_analysis *a, const struct pt_event *ev)
{
	struct pt_vector_stats *v;
	int vec = -1;

	switch (ev->kind) {
	case PT_EV_MSI:
		vec = ev->val & 0xff;
		break;
	case PT_EV_IRQ_LINE:
		if (ev->val)
			vec = pt_model_gsi_vector(a->model, ev->addr);
		break;
	case PT_EV_APIC_ACCEPT:
	case PT_EV_EOI:
		vec = ev->val & 0xff;
		break;
	default:
		return;
	}
	if (vec < 0)
		return;
	v = &a->vector[vec];
	switch (ev->kind) {
	case PT_EV_MSI:
	case PT_EV_IRQ_LINE:
		v->raised++;
		if (!v->pending_raise_ts)
			v->pending_raise_ts = ev->ts;
		break;
	case PT_EV_APIC_ACCEPT:
		v->accepted++;
		if (v->pending_raise_ts) {
			uint64_t l = ev->ts - v->pending_raise_ts;

			v->lat_count++;
			v->lat_sum_ns += l;
			if (l > v->lat_max_ns)
				v->lat_max_ns = l;
			v->pending_raise_ts = 0;
		}
		v->pending_accept_ts = ev->ts;
		break;
	case PT_EV_EOI:
		v->eois++;
		if (v->pending_accept_ts) {
			uint64_t l = ev->ts - v->pending_accept_ts;

			v->ack_count++;
			v->ack_sum_ns += l;
			if (l > v->ack_max_ns)
				v->ack_max_ns = l;
			v->pending_accept_ts = 0;
		}
		break;
	default:
		break;
	}
}

static void vcpu_stats(struct pt_analysis *a, const struct pt_event *ev)
{
	struct pt_vcpu_stats *s;

	if (ev->vcpu < 0 || ev->vcpu >= PT_MAX_VCPUS)
		return;
	if ((unsigned)ev->vcpu >= a->nvcpus)
		a->nvcpus = ev->vcpu + 1;
	s = &a->vcpu[ev->vcpu];
	s->events++;
	s->by_kind[ev->kind]++;
	if (ev->kind == PT_EV_USER_EXIT && ev->val < 40)
		s->user_exits[ev->val]++;
	if (ev->kind == PT_EV_EXIT) {
		unsigned i;

		for (i = 0; i < s->nexit_reasons; i++)
			if (s->exit_reasons[i] == ev->val)
				break;
		if (i == s->nexit_reasons) {
			if (i == 64) {
				s->exits_other++;
				return;
			}
			s->exit_reasons[s->nexit_reasons++] = ev->val;
		}
		s->exit_counts[i]++;
	}
}

/*
 * A kvm_page_fault right after an EPT violation (VMX 48) or an NPF (SVM
 * 0x400) on the same vcpu holds the guest physical address the guest
 * touched: counted on the device whose BAR has it.  Both numbers are safe
 * without knowing the ISA: 48 on SVM (write_dr0) and 0x400 on VMX (none)
 * never come with a page fault.  After anything else a kvm_page_fault is
 * a #PF intercept with a guest virtual address, and is left alone.
 * COUNTED: EV's vcpu is one the statistics keep (--vcpu); the device's count is kept always.
 */
static void gpa_fault(struct analysis *an, const struct pt_event *ev, int counted,
		      struct pt_access *acc)
{
	struct pt_analysis *a = &an->pub;
	int v = ev->vcpu, open;
	uint64_t reason;
	struct pt_device *d;

	if (v < 0 || v >= PT_MAX_VCPUS)
		return;
	open = an->exit_open[v];
	reason = an->open_exit[v];
	an->exit_open[v] = ev->kind == PT_EV_EXIT;
	an->open_exit[v] = ev->val;
	if (ev->kind != PT_EV_PAGE_FAULT || !open ||
	    (reason != PT_VMX_EXIT_EPT_VIOLATION && reason != PT_SVM_EXIT_NPF))
		return;
	d = pt_model_gpa_fault(a->model, ev, acc);
	if (!counted)
		return;
	if (d)
		a->vcpu[v].bar_faults++;
	/* on SVM an MMIO access is an NPF on a reserved-bit SPTE; VMX has EPT_MISCONFIG */
	if (reason == PT_SVM_EXIT_NPF && (ev->val & PT_PFERR_RSVD))
		a->vcpu[v].mmio_exits++;
}

void pt_analysis_feed(struct pt_analysis *a, const struct pt_event *ev)
{
	struct pt_access acc;

	pt_analysis_feed_access(a, ev, &acc);
}

/*
 * kvm_mmio and kvm_pio carry no rip: the access was made by the
 * instruction of the nearest rip record before it on the same vcpu (the
 * kvm_exit of that exit, or the emulation of the instruction).
 */
static const struct pt_event *with_rip(struct pt_analysis *a, const struct pt_event *ev,
				       struct pt_event *copy)
{
	if (ev->vcpu < 0 || ev->vcpu >= PT_MAX_VCPUS)
		return ev;
	if (pt_kind_has_rip(ev->kind) && ev->rip) {
		a->vcpu[ev->vcpu].last_rip = ev->rip;
	} else if (ev->kind <= PT_EV_PIO_WRITE && !ev->rip && a->vcpu[ev->vcpu].last_rip) {
		*copy = *ev;
		copy->rip = a->vcpu[ev->vcpu].last_rip;
		copy->flags |= PT_EVF_RIP_NEAREST;
		return copy;
	}
	return ev;
}

void pt_analysis_feed_access(struct pt_analysis *a, const struct pt_event *in, struct pt_access *acc)
{
	struct analysis *an = PRIV(a);
	struct pt_event copy;
	const struct pt_event *ev = with_rip(a, in, &copy);

	if (!an->started) {
		an->started = 1;
		an->first_ts = ev->ts;
		a->window_start = ev->ts;
	}
	an->end_ts = ev->ts;
	if (an->stopped || (a->opts.have_at && ev->ts > a->opts.at_ts)) {
		an->stopped = 1;
		a->after_crash++;
		memset(acc, 0, sizeof(*acc));	/* past the crash: nothing resolved */
		return;
	}
	an->last_ts = ev->ts;
	if (ev->cpu >= 0 && ev->cpu < MAX_HOST_CPUS && !an->cpu_seen[ev->cpu]) {
		an->cpu_seen[ev->cpu] = 1;
		if (ev->ts > a->complete_from)
			a->complete_from = ev->ts;
	}
	pt_model_event(a->model, ev, acc);
	if (pt_crash_event(&an->crash, ev, acc) && !a->opts.have_at)
		an->stopped = 1;
	a->by_kind[ev->kind]++;
	if (ev->vcpu >= 0 && ev->vcpu < PT_MAX_VCPUS)
		a->vcpu_seen[ev->vcpu] = 1;
	/* --vcpu: other vcpus still shape the device model, nothing else */
	gpa_fault(an, ev, a->opts.vcpu < 0 || ev->vcpu < 0 || ev->vcpu == a->opts.vcpu, acc);
	if (a->opts.vcpu >= 0 && ev->vcpu >= 0 && ev->vcpu != a->opts.vcpu)
		return;
	a->analysed++;
	vcpu_stats(a, ev);
	vector_stats(a, ev);
	for (unsigned i = 0, n = an->ncalls[ev->kind]; i < n; i++)
		an->calls[ev->kind][i].event(an->calls[ev->kind][i].state, a, ev, acc);
	if (a->opts.on_access)
		a->opts.on_access(a->opts.access_ctx, a, ev, acc);
}

/*
 * Causes before consequences: a finding of a deeper class (pt_class_rank)
 * on the same device that began before another one ended explains it
 * (bus mastering off explains the poll that follows; D3 explains the
 * all-ones the guest then read).  Each finding is ranked with its group,
 * the cause and what follows from it, by the group's worst severity: the
 * probable cause is the finding that explains the crash, not the loudest.
 */
struct ranked {
	struct pt_finding f;
	unsigned index;		/* before sorting */
	unsigned group;		/* index of its cause, itself when it has none */
	enum pt_severity group_sev;
};

static int explains(const struct pt_finding *c, const struct pt_finding *k)
{
	return c != k && c->has_device && k->has_device && c->bdf == k->bdf &&
	       c->severity > PT_SEV_INFO && pt_class_rank(c->cls) < pt_class_rank(k->cls) &&
	       pt_class_rank(k->cls) < pt_class_rank(PT_CLASS_CONTEXT) &&
	       (!c->first_ts || !k->last_ts || c->first_ts <= k->last_ts);
}

static int better_cause(const struct pt_finding *x, const struct pt_finding *y)
{
	if (pt_class_rank(x->cls) != pt_class_rank(y->cls))
		return pt_class_rank(x->cls) < pt_class_rank(y->cls);
	return x->severity > y->severity;
}

static int own_order(const struct pt_finding *x, const struct pt_finding *y)
{
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->confidence != y->confidence)
		return x->confidence > y->confidence ? -1 : 1;
	if (x->last_ts != y->last_ts)
		return x->last_ts > y->last_ts ? -1 : 1;
	return strcmp(x->title, y->title);
}

static int ranked_order(const void *pa, const void *pb, void *ctx)
{
	const struct ranked *x = pa, *y = pb, *rank_base = ctx;
	int c;

	if (x->group_sev != y->group_sev)
		return x->group_sev > y->group_sev ? -1 : 1;
	if (x->group != y->group) {
		c = own_order(&rank_base[x->group].f, &rank_base[y->group].f);
		if (c)
			return c;
		return x->group < y->group ? -1 : 1;
	}
	/* the cause first, then its consequences */
	if ((x->index == x->group) != (y->index == y->group))
		return x->index == x->group ? -1 : 1;
	return own_order(&x->f, &y->f);
}

static void rank_findings(struct pt_analysis *a)
{
	unsigned n = a->nfindings, *pos;
	struct ranked *r, *base;

	if (n < 2)
		return;
	r = calloc(n, sizeof(*r));
	base = calloc(n, sizeof(*base));
	pos = calloc(n, sizeof(*pos));
	if (!r || !base || !pos)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		r[i].f = a->findings[i];
		r[i].index = r[i].group = i;
		r[i].group_sev = a->findings[i].severity;
	}
	/* each finding's direct cause first, then every chain followed to its root */
	for (unsigned k = 0; k < n; k++) {
		int best = -1;

		for (unsigned c = 0; c < n; c++)
			if (explains(&r[c].f, &r[k].f) && (best < 0 || better_cause(&r[c].f, &r[best].f)))
				best = c;
		pos[k] = best < 0 ? k : (unsigned)best;
	}
	/* causes are of strictly deeper classes, so a chain ends within n steps */
	for (unsigned k = 0; k < n; k++) {
		unsigned root = k;

		for (unsigned step = 0; step < n && pos[root] != root; step++)
			root = pos[root];
		r[k].group = root;
	}
	for (unsigned i = 0; i < n; i++)
		if (r[i].f.severity > r[r[i].group].group_sev)
			r[r[i].group].group_sev = r[i].f.severity;
	for (unsigned i = 0; i < n; i++)
		r[i].group_sev = r[r[i].group].group_sev;
	memcpy(base, r, n * sizeof(*r));
	qsort_r(r, n, sizeof(*r), ranked_order, base);
	for (unsigned i = 0; i < n; i++)
		pos[r[i].index] = i;
	for (unsigned i = 0; i < n; i++) {
		a->findings[i] = r[i].f;
		a->findings[i].caused_by = r[i].group != r[i].index ? (int)pos[r[i].group] : -1;
	}
out:
	free(r);
	free(base);
	free(pos);
}

/* Which table the exit reasons are numbers in: the reader's word, else a safe guess. */
static void resolve_exit_isa(struct pt_analysis *a)
{
	uint32_t seen[PT_MAX_VCPUS * 64];
	unsigned n = 0;

	a->exit_isa = a->info.exit_isa;
	a->exit_isa_guessed = 0;
	if (a->exit_isa != PT_ISA_UNKNOWN)
		return;
	for (unsigned v = 0; v < a->nvcpus; v++)
		for (unsigned i = 0; i < a->vcpu[v].nexit_reasons; i++)
			seen[n++] = a->vcpu[v].exit_reasons[i];
	a->exit_isa = pt_exit_isa_guess(seen, n);
	a->exit_isa_guessed = a->exit_isa != PT_ISA_UNKNOWN;
}

/* On VMX every EPT_MISCONFIG is an access to an MMIO SPTE: KVM uses them for nothing else. */
static void count_mmio_exits(struct pt_analysis *a)
{
	if (a->exit_isa != PT_ISA_VMX)
		return;
	for (unsigned v = 0; v < a->nvcpus; v++)
		for (unsigned i = 0; i < a->vcpu[v].nexit_reasons; i++)
			if (a->vcpu[v].exit_reasons[i] == PT_VMX_EXIT_EPT_MISCONFIG)
				a->vcpu[v].mmio_exits += a->vcpu[v].exit_counts[i];
}

void pt_analysis_finish(struct pt_analysis *a)
{
	struct analysis *an = PRIV(a);

	resolve_exit_isa(a);
	count_mmio_exits(a);
	pt_crash_finish(&an->crash, an->last_ts, &a->crash);
	if (a->opts.have_at) {
		memset(&a->crash, 0, sizeof(a->crash));
		a->crash.kind = PT_CRASH_GIVEN;
		a->crash.ts = a->opts.at_ts;
		a->crash.vcpu = -1;
	} else {
		pt_crash_apply_meta(&a->crash, a->meta);
	}
	for (unsigned i = 0; i < an->ndet; i++) {
		an->finishing = an->det[i];
		if (an->det[i]->finish)
			an->det[i]->finish(an->state[i], a);
	}
	an->finishing = NULL;
	free_state(an);
	/*
	 * Before complete_from only some host cpus' buffers still hold events
	 * (the flight recorder overwrote the others'): what a finding says of
	 * that time ("nothing arrived", "never changed") may miss events.
	 */
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->info.overwritten && a->findings[i].first_ts &&
		    a->findings[i].first_ts < a->complete_from)
			a->findings[i].confidence = a->findings[i].confidence * 3 / 4;
	rank_findings(a);
	for (unsigned i = 0; i < a->nfindings; i++) {
		struct pt_finding *f = &a->findings[i];

		f->rip = pt_finding_rip(f);
		if (f->rip)
			pt_symbols_name(a->opts.symbols, f->rip, f->function, sizeof(f->function));
	}
}

/* Every finding about a register names it, by its name when a plugin knows it. */
static void name_register(struct pt_analysis *a, struct pt_finding *f)
{
	const struct pt_device *d = f->has_device ? pt_model_find(a->model, f->bdf) : NULL;
	char label[80], name[64];
	size_t n = strlen(f->title);

	if (!d || f->bar < 0)
		return;
	pt_reg_label(d, f->bar, f->off, label, sizeof(label));
	if (strstr(f->title, label) ||
	    (!pt_reg_name(d, f->bar, f->off, name, sizeof(name)) && strstr(f->title, name)))
		return;
	snprintf(f->title + n, sizeof(f->title) - n, " [%s]", label);
}

void pt_finding_add(struct pt_analysis *a, const struct pt_finding *in)
{
	struct analysis *an = PRIV(a);
	struct pt_finding copy = *in, *f = &copy;

	if (an->finishing)
		f->detector = an->finishing->name;
	if ((unsigned)f->cls >= PT_CLASSES)
		f->cls = PT_CLASS_CONTEXT;
	f->caused_by = -1;
	if (a->opts.have_device && (!f->has_device || f->bdf != a->opts.device))
		return;
	if (a->opts.window_ns && f->last_ts && a->crash.ts > a->opts.window_ns &&
	    f->last_ts < a->crash.ts - a->opts.window_ns)
		return;
	name_register(a, f);
	if (a->nfindings == an->findings_cap) {
		unsigned cap = an->findings_cap ? an->findings_cap * 2 : 16;
		struct pt_finding *n = realloc(a->findings, cap * sizeof(*n));

		if (!n)
			return;
		a->findings = n;
		an->findings_cap = cap;
	}
	a->findings[a->nfindings++] = *f;
}

/*
 * Events the file has no format for were not recorded.  kvm_exit and the
 * access events fire all the time when recorded, so none of them in the
 * trace means they were not recorded either (or, for kvm_exit, a host
 * without VMX/SVM, where it never fires).
 */
int pt_analysis_missing(const struct pt_analysis *a, enum pt_event_kind kind, const char **how)
{
	uint64_t seen = a->by_kind[kind];

	/* reads and writes come from one event: judge the pair once, by the read */
	if (!pt_reader_missing_consequence(kind) || kind == PT_EV_MMIO_WRITE ||
	    kind == PT_EV_PIO_WRITE || kind == PT_EV_MSR_WRITE)
		return 0;
	if (kind == PT_EV_MMIO_READ || kind == PT_EV_PIO_READ)
		seen += a->by_kind[kind + 1];
	if (!(a->info.present & (1u << kind))) {
		*how = a->info.is_text ? "none in the text" : "not in the file";
		return 1;
	}
	if (!seen && (kind == PT_EV_EXIT || kind == PT_EV_MMIO_READ || kind == PT_EV_PIO_READ ||
		      kind == PT_EV_USER_EXIT)) {
		*how = "none in the trace";
		return 1;
	}
	return 0;
}

int pt_analysis_mmio_by_exits(const struct pt_analysis *a, uint64_t *exits, uint64_t *faults)
{
	const char *how;

	*exits = *faults = 0;
	for (unsigned v = 0; v < a->nvcpus; v++) {
		*exits += a->vcpu[v].mmio_exits;
		*faults += a->vcpu[v].bar_faults;
	}
	return pt_analysis_missing(a, PT_EV_MMIO_READ, &how) && (*exits || *faults);
}

double pt_rel(const struct pt_analysis *a, uint64_t ts)
{
	return ((double)ts - (double)a->crash.ts) / 1e9;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/*
 * One analysis per VM the trace holds: a host-wide recording must never
 * feed two guests' config cycles into one device model.
 */
struct feed_ctx {
	struct pt_analysis *vm[PT_MAX_VMS];
	const struct pt_analysis_opts *opts;
	const char *path;
	struct pt_err *err;
	int failed;
	const char *meta;	/* pttrace's metadata in the file, or NULL */
	uint64_t n, unattributed;
};

static struct pt_analysis *vm_analysis(struct feed_ctx *c, unsigned vm)
{
	if (!c->vm[vm] && !c->failed) {
		c->vm[vm] = pt_analysis_new(c->opts, c->err);
		if (!c->vm[vm])
			c->failed = 1;
		else if (pt_analysis_set_meta(c->vm[vm], c->meta))
			c->failed = pt_err_set(c->err, "out of memory");
	}
	return c->failed ? NULL : c->vm[vm];
}

static int feed_one(void *p, const struct pt_event *ev)
{
	struct feed_ctx *c = p;
	struct pt_analysis *a;

	if (ev->vm == PT_VM_NONE || ev->vm >= PT_MAX_VMS) {
		/* raised outside any VM's threads (an interrupt's context): every VM may own it */
		c->unattributed++;
		for (unsigned i = 0; i < PT_MAX_VMS; i++)
			if (c->vm[i])
				pt_analysis_feed(c->vm[i], ev);
	} else if ((a = vm_analysis(c, ev->vm))) {
		pt_analysis_feed(a, ev);
	} else {
		return 1;
	}
	a = c->vm[0];
	if (a && a->opts.progress && !(++c->n % PROGRESS_EVERY))
		a->opts.progress(a->opts.progress_ctx, c->n, (ev->ts - a->window_start) / 1e9);
	return 0;
}

/* Does --vm WANT name VM (its pid, any of its thread ids, or its threads' name)? */
static int vm_matches(const struct pt_vm_info *vm, const char *want)
{
	char *end;
	unsigned long id = strtoul(want, &end, 10);

	if (*want && !*end)
		return id >= vm->pid && id <= vm->tid_max;
	return vm->name[0] && !strcmp(vm->name, want);
}

/*
 * The VM to report: --vm's, else the one with a crash signal (the latest
 * crash when several have one), else the busiest.  -1 with ERR set.
 */
static int choose_vm(struct feed_ctx *c, const struct pt_reader_info *info, struct pt_err *err)
{
	int best = -1;

	if (c->opts && c->opts->vm) {
		char list[256] = "";
		int found = -1, nfound = 0;

		for (unsigned i = 0; i < info->nvms; i++) {
			size_t n = strlen(list);

			if (vm_matches(&info->vms[i], c->opts->vm)) {
				found = i;
				nfound++;
			}
			snprintf(list + n, sizeof(list) - n, "%s%u%s%s", i ? ", " : "", info->vms[i].pid,
				 info->vms[i].name[0] ? " " : "", info->vms[i].name);
		}
		if (nfound == 1)
			return found;
		pt_err_set(err, "%s VM '%s' in '%s'; its VMs (by QEMU pid): %s",
			   nfound ? "more than one" : "no", c->opts->vm, c->path,
			   info->nvms ? list : "none found");
		return -1;
	}
	for (unsigned i = 0; i < info->nvms && i < PT_MAX_VMS; i++) {
		const struct pt_analysis *a = c->vm[i], *b = best >= 0 ? c->vm[best] : NULL;
		int crashed = a && a->crash.kind != PT_CRASH_END_OF_TRACE;
		int b_crashed = b && b->crash.kind != PT_CRASH_END_OF_TRACE;

		if (!a)
			continue;
		if (!b || (crashed && !b_crashed) ||
		    (crashed == b_crashed && (crashed ? a->crash.ts > b->crash.ts
						      : info->vms[i].events > info->vms[best].events)))
			best = i;
	}
	return best < 0 ? 0 : best;
}

/* A damaged metadata option is an error; a file without one is fine. */
/* The metadata's strings reach the reports: no escapes from the file. */
static void printable_tree(struct pt_json *j)
{
	for (; j; j = j->next) {
		if (j->key)
			pt_make_printable(j->key);
		if (j->str)
			pt_make_printable(j->str);
		printable_tree(j->child);
	}
}

int pt_analysis_set_meta(struct pt_analysis *a, const char *text)
{
	struct pt_err err;

	if (!text)
		return 0;
	a->meta_text = strdup(text);
	if (!a->meta_text)
		return -1;
	a->meta = pt_json_parse(a->meta_text, strlen(a->meta_text), &err);
	if (!a->meta) {
		/* a damaged option costs the metadata, not the events */
		a->meta_damaged = 1;
		return 0;
	}
	printable_tree(a->meta);
	pt_meta_apply(a->model, a->meta);
	return 0;
}

struct pt_analysis *pt_analyze_file(const char *path, const struct pt_analysis_opts *opts,
				    struct pt_err *err)
{
	uint64_t t0 = now_ns(), t1, t2, cpu_own, cpu_all;
	struct pt_reader *r = pt_reader_open(path, err);
	struct pt_analysis *a = NULL;
	struct feed_ctx c = { .opts = opts, .path = path, .err = err };
	const struct pt_reader_info *info;
	int chosen;

	if (!r)
		return NULL;
	pt_reader_set_jobs(r, opts ? opts->jobs : 0);
	c.meta = pt_reader_meta(r);
	t1 = now_ns();
	cpu_own = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	cpu_all = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	/* the first VM's analysis exists before its first event, for what no VM raised */
	if (!vm_analysis(&c, 0) || pt_reader_read(r, feed_one, &c, err) || c.failed)
		goto out;
	t2 = now_ns();
	/* the decoding threads are joined by now: the process's count has theirs */
	cpu_own = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_own;
	cpu_all = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_all;
	info = pt_reader_info(r);
	if (!info->events) {
		pt_err_set(err, "'%s' has kvm event formats but no kvm events: was the VM "
			   "running while it was recorded?", path);
		goto out;
	}
	for (unsigned i = 0; i < PT_MAX_VMS; i++)
		if (c.vm[i]) {
			c.vm[i]->info = *info;
			pt_analysis_finish(c.vm[i]);
		}
	chosen = choose_vm(&c, info, err);
	if (chosen < 0)
		goto out;
	a = c.vm[chosen];
	/* a time outside the trace would be reported as a clean trace "4.5e9 s before the crash" */
	if (opts && opts->have_at &&
	    (opts->at_ts < PRIV(a)->first_ts || opts->at_ts > PRIV(a)->end_ts)) {
		pt_err_set(err, "--at %.6f is outside the trace: its events run from %.6f to %.6f "
			   "(trace clock, as trace-cmd report shows it)", opts->at_ts / 1e9,
			   PRIV(a)->first_ts / 1e9, PRIV(a)->end_ts / 1e9);
		a = NULL;
		goto out;
	}
	c.vm[chosen] = NULL;
	a->vm = chosen;
	a->unattributed = info->nvms > 1 ? c.unattributed : 0;
	a->open_ns = t1 - t0;
	a->read_ns = t2 - t1;
	a->read_cpu_own_ns = cpu_own;
	a->read_cpu_all_ns = cpu_all;
	a->finish_ns = now_ns() - t2;
out:
	for (unsigned i = 0; i < PT_MAX_VMS; i++)
		pt_analysis_free(c.vm[i]);
	pt_reader_close(r);
	return a;
}
