/*
 * The Findings pane: the analysis' findings, the detail of the selected
 * one, and its evidence (Enter), each line of which leads to its event.
 */
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "pt-describe.h"

struct findings {
	int sel, top;
	int evidence;		/* showing the selected finding's evidence */
	int esel;		/* the selected evidence line */
};

static void draw_evidence(struct view *v, struct findings *s, int y0, int h)
{
	const struct pt_analysis *a = v->x->a;
	const struct pt_finding *f = &a->findings[s->sel];

	pt_view_put(v, y0, 0, C_DIM, 1, "evidence of: %s   (Enter: go to the event, Esc: back)",
		    f->title);
	for (unsigned e = 0; e < f->nevidence && (int)e < h - 1; e++) {
		char line[200];

		pt_evidence_str(a, &f->evidence[e], line, sizeof(line));
		pt_view_row(v, y0 + 1 + e, (int)e == s->esel, 0, 0, "%+11.6f %s  <- %s",
			    pt_rel(a, f->evidence[e].ev.ts), line, f->evidence[e].note);
	}
}

static void draw(struct view *v, void *st, int y0, int h)
{
	struct findings *s = st;
	const struct pt_analysis *a = v->x->a;

	if (!v->x->done) {
		pt_view_put(v, y0, 0, C_DIM, 0, "the findings come when the whole trace is indexed");
		return;
	}
	if (s->evidence) {
		draw_evidence(v, s, y0, h);
		return;
	}
	if (!a->nfindings)
		pt_view_put(v, y0, 0, 0, 0, "nothing suspicious found");
	for (int r = 0; r < h && s->top + r < (int)a->nfindings; r++) {
		const struct pt_finding *f = &a->findings[s->top + r];

		pt_view_row(v, y0 + r, s->top + r == s->sel, f->severity >= PT_SEV_HIGH ? C_CRITICAL : 0,
			    0, "%2d. %-8s %3u%% %s", s->top + r + 1, pt_severity_name(f->severity),
			    f->confidence, f->title);
	}
}

static void detail(struct view *v, void *st, int y0)
{
	struct findings *s = st;
	const struct pt_finding *f;
	char code[140] = "";

	if (!v->x->done || !v->x->a->nfindings)
		return;
	f = &v->x->a->findings[s->sel];
	if (f->rip) {
		memcpy(code, ", by ", 5);
		pt_symbols_str(v->x->a->opts.symbols, f->rip, code + 5, sizeof(code) - 5);
	}
	if (f->caused_by >= 0)
		snprintf(code + strlen(code), sizeof(code) - strlen(code), ", follows from %d",
			 f->caused_by + 1);
	pt_view_put(v, y0, 0, 0, 1, "%s: %s (%s, %u%%, %llu events%s)", pt_class_name(f->cls),
		    f->detector, pt_severity_name(f->severity), f->confidence,
		    (unsigned long long)f->count, code);
	pt_view_put(v, y0 + 1, 0, 0, 0, "why: %s", f->why);
	pt_view_put(v, y0 + 2, 0, 0, 0, "try: %s", f->advice);
	pt_view_put(v, y0 + 3, 0, C_DIM, 0, "Enter: its evidence");
}

static void move_by(struct view *v, void *st, long delta)
{
	struct findings *s = st;

	if (!v->x->done)
		return;
	if (s->evidence)
		pt_view_scroll(&s->esel, NULL, delta, v->x->a->findings[s->sel].nevidence, 0);
	else if (v->x->a->nfindings)
		pt_view_scroll(&s->sel, &s->top, delta, v->x->a->nfindings, v->rows);
}

static void first(struct view *v, void *st)
{
	struct findings *s = st;

	(void)v;
	s->sel = s->top = 0;
}

/* Enter on an evidence line: that event in the list. */
static void open_evidence(struct view *v, struct findings *s)
{
	const struct pt_finding *f = &v->x->a->findings[s->sel];
	const struct pt_event *ev;
	size_t e;

	if (s->esel >= (int)f->nevidence)
		return;
	ev = &f->evidence[s->esel].ev;
	e = pt_tui_find_ts(v->x, ev->ts);
	/* events can share a time stamp: take the one of the same kind */
	for (size_t i = e; i < v->x->n && i < e + 64; i++) {
		if (pt_tui_kind(&v->x->entries[i]) == ev->kind &&
		    v->x->entries[i].val == (uint32_t)ev->val) {
			e = i;
			break;
		}
	}
	if (e >= v->x->n)
		e = v->x->n - 1;
	pt_events_goto(v, e);	/* which leaves this pane, and the evidence */
}

static void enter(struct view *v, void *st)
{
	struct findings *s = st;

	if (s->evidence) {
		open_evidence(v, s);
	} else if (v->x->a->nfindings) {
		s->evidence = 1;
		s->esel = 0;
	}
}

static int escape(struct view *v, void *st)
{
	struct findings *s = st;

	(void)v;
	if (!s->evidence)
		return 0;
	s->evidence = 0;
	return 1;
}

static void leave(struct view *v, void *st)
{
	(void)v;
	((struct findings *)st)->evidence = 0;
}

const struct pt_pane_ops pt_pane_findings = {
	.name = "Findings",
	.size = sizeof(struct findings),
	.draw = draw,
	.detail = detail,
	.move_by = move_by,
	.first = first,
	.enter = enter,
	.escape = escape,
	.leave = leave,
};
