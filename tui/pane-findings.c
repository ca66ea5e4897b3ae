// SPDX-License-Identifier: GPL-2.0-or-later
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
	char warning[256];	/* --guest-elf names no rip: analyze's warning, "" none */
};

static void evidence_text(const struct pt_analysis *a, const struct pt_evidence *ev, char *buf,
			  size_t size)
{
	char line[400];

	pt_evidence_str(a, ev, line, sizeof(line));
	snprintf(buf, size, "%+11.6f %s  <- %s", pt_rel(a, ev->ev.ts), line, ev->note);
}

/*
 * The finding's why and try, then its evidence, every line wrapped in
 * full; from the selected evidence line on when they do not all fit.
 */
static void draw_evidence(struct view *v, struct findings *s, int y0, int h)
{
	const struct pt_analysis *a = v->x->a;
	const struct pt_finding *f = &a->findings[s->sel];
	int y = y0 + 1, end = y0 + h, first = 0;
	char text[1024];

	pt_view_put(v, y0, 0, C_DIM, 1, "evidence of: %s   (Enter: go to the event, Esc: back)",
		    f->title);
	snprintf(text, sizeof(text), "why: %s", f->why);
	y += pt_view_wrap(v, y, end, 5, -1, text);
	snprintf(text, sizeof(text), "try: %s", f->advice);
	y += pt_view_wrap(v, y, end, 5, -1, text);
	/* the selected line on the screen: count the rows down to it */
	for (int e = 0, rows = 0; e <= s->esel && e < (int)f->nevidence; e++) {
		evidence_text(a, &f->evidence[e], text, sizeof(text));
		rows += 1 + (int)strlen(text) / (v->cols > 21 ? v->cols - 13 : 8);
		if (y + rows > end)
			first = s->esel;
	}
	for (int e = first; e < (int)f->nevidence && y < end; e++) {
		evidence_text(a, &f->evidence[e], text, sizeof(text));
		y += pt_view_wrap(v, y, end, 12, e == s->esel, text);
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
	if (s->warning[0]) {
		/* above the findings, whose functions it says not to trust */
		pt_view_put(v, y0, 0, C_CRITICAL, 1, "warning: %s", s->warning);
		y0++;
		h--;
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
	char code[140] = "", text[1024];
	int y, end = y0 + DETAIL_ROWS;	/* the status line is not the detail's */

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
	/* why in two rows at most, so that try shows too; Enter has both in full */
	snprintf(text, sizeof(text), "why: %s", f->why);
	y = y0 + 1 + pt_view_wrap(v, y0 + 1, y0 + 3, 5, -1, text);
	snprintf(text, sizeof(text), "try: %s", f->advice);
	y += pt_view_wrap(v, y, end - 1, 5, -1, text);
	pt_view_put(v, y, 0, C_DIM, 0, "Enter: its evidence, with why and try in full");
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

static void ready(struct view *v, void *st)
{
	struct findings *s = st;

	if (!pt_analysis_rips_unnamed(v->x->a, s->warning, sizeof(s->warning)))
		return;
	/* said once where it is seen whatever the pane, then kept in this one */
	if (!v->msg[0])
		snprintf(v->msg, sizeof(v->msg), "warning: %.190s", s->warning);
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
	.ready = ready,
	.draw = draw,
	.detail = detail,
	.move_by = move_by,
	.first = first,
	.enter = enter,
	.escape = escape,
	.leave = leave,
};
