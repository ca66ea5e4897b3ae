// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Plugins' detectors (pttrace-plugin.h) run as built-in ones: each is
 * wrapped in a struct pt_detector whose callbacks turn the analysis and
 * its events into the ABI's opaque context and plain event view, and the
 * pt_plugin_* functions, the only symbols pttrace exports, turn them back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector.h"
#include "pt-plugins.h"

#define MAX_WRAPPED 32
#define MAX_STATE (64u << 20)

_Static_assert(sizeof(struct pt_plugin_event) == 80,
	       "struct pt_plugin_event changed: bump PT_PLUGIN_API_VERSION");
_Static_assert(PT_PLUGIN_BAR_CONFIG == PT_REG_CONFIG, "config space is BAR 7 on both sides");
_Static_assert(PT_PLUGIN_SEV_CRITICAL == (int)PT_SEV_CRITICAL, "severities match");

/* Every event kind has its number in the ABI (a new kind needs one there). */
#define PT_TO_PLUGIN_KIND(k, name) [PT_EV_##k] = PT_PLUGIN_EV_##k,
static const uint8_t plugin_kind[PT_EV_KINDS] = { PT_EVENT_KINDS(PT_TO_PLUGIN_KIND) };
#undef PT_TO_PLUGIN_KIND

/* pt_event's flags and the view's */
static const struct {
	uint8_t ev;
	uint32_t view;
} flag_map[] = {
	{ PT_EVF_ERROR_CODE, PT_PLUGIN_EVF_ERROR_CODE },
	{ PT_EVF_LOST_BEFORE, PT_PLUGIN_EVF_LOST_BEFORE },
	{ PT_EVF_RIP_NEAREST, PT_PLUGIN_EVF_RIP_NEAREST },
	{ PT_EVF_REFUSED, PT_PLUGIN_EVF_REFUSED },
};

struct pt_plugin_ctx {
	struct pt_analysis *a;
	int finishing;
	struct pt_plugin_finding *open;	/* made, not yet added */
};

struct pt_plugin_finding {
	struct pt_plugin_finding *next;
	struct pt_plugin_ctx *ctx;
	struct pt_finding f;
};

/* A plugin's detector as the analysis runs it. */
struct wrapped {
	struct pt_detector det;
	struct pt_plugin_detector ops;	/* the plugin's, as far as this pttrace knows them */
};

/* What the analysis allocates for a wrapped detector: its context, then the plugin's state. */
struct wrapped_state {
	const struct wrapped *w;
	struct pt_plugin_ctx ctx;
	_Alignas(max_align_t) unsigned char state[];
};

static struct wrapped wrapped[MAX_WRAPPED];

/* The ops up to the last field API 2 has: what a plugin's .size must cover. */
#define OPS_SIZE (offsetof(struct pt_plugin_detector, release) + \
		  sizeof(((struct pt_plugin_detector *)0)->release))

static int valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 31)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int pt_plugin_detectors_check(const struct pt_plugin *p, char *why, size_t size)
{
	for (unsigned i = 0; p->detectors && p->detectors[i]; i++) {
		const struct pt_plugin_detector *d = p->detectors[i];

		if (d->size < OPS_SIZE)
			return snprintf(why, size, "its detector %u has .size %u, not sizeof(struct "
					"pt_plugin_detector) (%zu)", i, d->size, OPS_SIZE), -1;
		if (!valid_name(d->name))
			return snprintf(why, size, "its detector %u has no valid name (1-31 of "
					"a-z 0-9 - _)", i), -1;
		for (unsigned b = 0; b < pt_ndetectors; b++)
			if (!strcmp(d->name, pt_detectors[b]->name))
				return snprintf(why, size, "its detector '%s' has the name of a built-in "
						"one", d->name), -1;
		if (!d->finish)
			return snprintf(why, size, "its detector '%s' has no finish()", d->name), -1;
		if (d->state_size > MAX_STATE)
			return snprintf(why, size, "its detector '%s' wants %zu bytes of state (at "
					"most %u)", d->name, d->state_size, MAX_STATE), -1;
	}
	return 0;
}

static void wrapped_init(void *state, const struct pt_detector *self, struct pt_analysis *a)
{
	struct wrapped_state *s = state;

	s->w = (const struct wrapped *)self;
	s->ctx.a = a;
}

static int valid_bar(int bar)
{
	return (bar >= 0 && bar <= 5) || bar == PT_REG_CONFIG;
}

/* EV and what it touched (ACC, may be NULL) as a plugin sees them. */
static void event_view(struct pt_plugin_event *v, const struct pt_event *ev,
		       const struct pt_access *acc)
{
	memset(v, 0, sizeof(*v));
	v->ts_ns = ev->ts;
	v->addr = ev->addr;
	v->value = ev->val;
	v->rip = ev->rip;
	v->kind = plugin_kind[ev->kind];
	v->tid = ev->tid;
	v->vcpu = ev->vcpu;
	v->cpu = ev->cpu;
	v->bar = -1;
	v->size = ev->len;
	for (size_t i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (ev->flags & flag_map[i].ev)
			v->flags |= flag_map[i].view;
	if (ev->flags & PT_EVF_ERROR_CODE)
		v->error_code = ev->extra;
	if (ev->kind == PT_EV_MMIO_READ || ev->kind == PT_EV_PIO_READ || ev->kind == PT_EV_MSR_READ)
		v->direction = PT_PLUGIN_DIR_READ;
	else if (ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE ||
		 ev->kind == PT_EV_MSR_WRITE)
		v->direction = PT_PLUGIN_DIR_WRITE;
	if (!acc || !acc->dev)
		return;
	v->flags |= PT_PLUGIN_EVF_DEVICE;
	v->bdf = acc->dev->bdf;
	v->vendor = acc->dev->vendor;
	v->device = acc->dev->device;
	if (acc->type == PT_ACC_BAR || acc->type == PT_ACC_CONFIG) {
		v->flags |= PT_PLUGIN_EVF_REGISTER;
		v->bar = acc->bar;
		v->offset = acc->off;
	}
}

/* The event a view was made from, and its access (ACC->dev NULL when none). */
static void event_of_view(struct pt_event *ev, struct pt_access *acc, struct pt_analysis *a,
			  const struct pt_plugin_event *v)
{
	memset(ev, 0, sizeof(*ev));
	memset(acc, 0, sizeof(*acc));
	for (unsigned k = 0; k < PT_EV_KINDS; k++)
		if (plugin_kind[k] == v->kind)
			ev->kind = k;
	ev->ts = v->ts_ns;
	ev->addr = v->addr;
	ev->val = v->value;
	ev->rip = v->rip;
	ev->tid = v->tid;
	ev->vcpu = v->vcpu;
	ev->cpu = v->cpu;
	ev->len = v->size;
	for (size_t i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (v->flags & flag_map[i].view)
			ev->flags |= flag_map[i].ev;
	if (v->flags & PT_PLUGIN_EVF_ERROR_CODE)
		ev->extra = v->error_code;
	if (!(v->flags & PT_PLUGIN_EVF_REGISTER) || !valid_bar(v->bar))
		return;
	acc->type = v->bar == PT_REG_CONFIG ? PT_ACC_CONFIG : PT_ACC_BAR;
	acc->dev = pt_model_find(a->model, v->bdf);
	acc->bar = v->bar;
	acc->off = v->offset;
}

static void wrapped_event(void *state, struct pt_analysis *a, const struct pt_event *ev,
			  const struct pt_access *acc)
{
	struct wrapped_state *s = state;
	struct pt_plugin_event v;

	(void)a;
	event_view(&v, ev, acc);
	s->w->ops.event(s->w->ops.state_size ? s->state : NULL, &s->ctx, &v);
}

static void drop_open(struct pt_plugin_ctx *ctx)
{
	while (ctx->open) {
		struct pt_plugin_finding *f = ctx->open;

		ctx->open = f->next;
		free(f);
	}
}

static void wrapped_finish(void *state, struct pt_analysis *a)
{
	struct wrapped_state *s = state;

	(void)a;
	s->ctx.finishing = 1;
	s->w->ops.finish(s->w->ops.state_size ? s->state : NULL, &s->ctx);
	s->ctx.finishing = 0;
	drop_open(&s->ctx);
}

static void wrapped_release(void *state)
{
	struct wrapped_state *s = state;

	if (!s->w)
		return;
	drop_open(&s->ctx);
	if (s->w->ops.release)
		s->w->ops.release(s->w->ops.state_size ? s->state : NULL);
}

/* Wraps them anew at each call: the same values while the same plugins are loaded. */
unsigned pt_plugin_detectors(const struct pt_detector *const **list, unsigned max)
{
	static const struct pt_detector *all[MAX_WRAPPED];
	const struct pt_loaded_plugin *plugins;
	unsigned nplugins = pt_plugins_list(&plugins), n = 0;

	for (unsigned i = 0; i < nplugins; i++) {
		const struct pt_plugin_detector *const *d = plugins[i].plugin->detectors;

		for (; d && *d && n < max && n < MAX_WRAPPED; d++, n++) {
			struct wrapped *w = &wrapped[n];

			memset(w, 0, sizeof(*w));
			memcpy(&w->ops, *d, (*d)->size < sizeof(w->ops) ? (*d)->size : sizeof(w->ops));
			w->det.name = w->ops.name;
			w->det.summary = w->ops.summary;
			for (unsigned k = 0; k < PT_EV_KINDS && w->ops.event; k++)
				if (w->ops.kinds & (1u << plugin_kind[k]))
					w->det.kinds |= 1u << k;
			w->det.state_size = sizeof(struct wrapped_state) + w->ops.state_size;
			w->det.init = wrapped_init;
			w->det.event = wrapped_event;
			w->det.finish = wrapped_finish;
			w->det.release = wrapped_release;
			all[n] = &w->det;
		}
	}
	*list = all;
	return n;
}

/* ---- the ABI's functions ---- */

double pt_plugin_rel(const struct pt_plugin_ctx *ctx, uint64_t ts_ns)
{
	return ctx->finishing ? pt_rel(ctx->a, ts_ns) : 0;
}

int pt_plugin_near_crash(const struct pt_plugin_ctx *ctx, uint64_t ts_ns, double seconds)
{
	return ctx->finishing && pt_near_crash(ctx->a, ts_ns, seconds);
}

const char *pt_plugin_crash_point(const struct pt_plugin_ctx *ctx)
{
	return pt_crash_point(ctx->a);
}

int pt_plugin_device_ids(const struct pt_plugin_ctx *ctx, uint16_t bdf, uint16_t *vendor,
			 uint16_t *device, uint32_t *class_code)
{
	const struct pt_device *d = pt_model_find(ctx->a->model, bdf);

	if (!d)
		return -1;
	if (vendor)
		*vendor = d->vendor;
	if (device)
		*device = d->device;
	if (class_code)
		*class_code = d->class_code;
	return 0;
}

const char *pt_plugin_device_name(const struct pt_plugin_ctx *ctx, uint16_t bdf)
{
	const struct pt_plugin_device *pd = pt_plugin_device_of(pt_model_find(ctx->a->model, bdf));

	return pd ? pd->name : NULL;
}

int pt_plugin_reg_name(const struct pt_plugin_ctx *ctx, uint16_t bdf, int bar, uint64_t offset,
		       char *buf, size_t size)
{
	return pt_reg_name(pt_model_find(ctx->a->model, bdf), bar, offset, buf, size);
}

struct pt_plugin_finding *pt_plugin_finding_new(struct pt_plugin_ctx *ctx,
						enum pt_plugin_severity severity,
						unsigned confidence, const char *title_fmt, ...)
{
	struct pt_plugin_finding *f;
	va_list ap;

	if (!ctx || !ctx->finishing || !(f = malloc(sizeof(*f))))
		return NULL;
	pt_finding_start(&f->f, PT_CLASS_CONTEXT, NULL, -1, 0);
	f->f.severity = (unsigned)severity > PT_SEV_CRITICAL ? PT_SEV_CRITICAL : (enum pt_severity)severity;
	f->f.confidence = confidence > 100 ? 100 : confidence;
	va_start(ap, title_fmt);
	vsnprintf(f->f.title, sizeof(f->f.title), title_fmt, ap);
	va_end(ap);
	f->ctx = ctx;
	f->next = ctx->open;
	ctx->open = f;
	return f;
}

void pt_plugin_finding_about(struct pt_plugin_finding *f, uint16_t bdf, int bar, uint64_t offset)
{
	const struct pt_device *d;

	if (!f)
		return;
	d = pt_model_find(f->ctx->a->model, bdf);
	if (!d || !valid_bar(bar))
		bar = -1;
	pt_finding_about(&f->f, d, bar, bar >= 0 ? offset : 0);
}

void pt_plugin_finding_why(struct pt_plugin_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vsnprintf(f->f.why, sizeof(f->f.why), fmt, ap);
	va_end(ap);
}

void pt_plugin_finding_advice(struct pt_plugin_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vsnprintf(f->f.advice, sizeof(f->f.advice), fmt, ap);
	va_end(ap);
}

void pt_plugin_finding_count(struct pt_plugin_finding *f, uint64_t events)
{
	if (f)
		f->f.count = events;
}

void pt_plugin_finding_evidence(struct pt_plugin_finding *f, const struct pt_plugin_event *v,
				const char *note_fmt, ...)
{
	struct pt_event ev;
	struct pt_access acc;
	char note[sizeof(f->f.evidence[0].note)];
	va_list ap;

	if (!f || !v)
		return;
	event_of_view(&ev, &acc, f->ctx->a, v);
	va_start(ap, note_fmt);
	vsnprintf(note, sizeof(note), note_fmt, ap);
	va_end(ap);
	pt_finding_evidence(&f->f, &ev, &acc, "%s", note);
}

void pt_plugin_finding_add(struct pt_plugin_finding *f)
{
	struct pt_plugin_finding **p;

	if (!f)
		return;
	for (p = &f->ctx->open; *p && *p != f; p = &(*p)->next)
		;
	if (!*p)		/* not one of this finish()'s */
		return;
	*p = f->next;
	pt_finding_add(f->ctx->a, &f->f);
	free(f);
}
