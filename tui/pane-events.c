// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Events pane: the event list (every event, those passing the filter,
 * or a timeline span), its cursor, mark and search, and the detail of the
 * selected event.  The Timeline pane shows this list under its strip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-plugins.h"
#include "pane.h"

struct events {
	uint32_t *sel_list;		/* entries passing the filter, in the span */
	size_t nsel;
	int filtered;
	struct pt_tui_filter filter;
	char filter_text[128];
	size_t span_lo, span_hi;	/* entries in the timeline span */
	int have_span;
	size_t cur, top;		/* position in the visible list */
	int following;			/* still on the crash: jump there when indexing ends */
	int have_mark;
	uint64_t mark_ts;
	char search[128];
};

static struct events *state(struct view *v)
{
	return pt_view_state(v, &pt_pane_events);
}

/* ---- the visible list ------------------------------------------------- */

static size_t list_count(const struct view *v, const struct events *s)
{
	if (!v->x->done)
		return v->x->ntail;
	if (s->filtered)
		return s->nsel;
	return s->have_span ? s->span_hi - s->span_lo : v->x->n;
}

/* The index entry at list position I (only when the index is done). */
static size_t list_entry(const struct events *s, size_t i)
{
	if (s->filtered)
		return s->sel_list[i];
	return s->have_span ? s->span_lo + i : i;
}

/* The list position of entry E, or the nearest after it. */
static size_t list_pos(const struct view *v, const struct events *s, size_t e)
{
	size_t lo = 0, hi = list_count(v, s);

	if (!s->filtered)
		return s->have_span ? (e < s->span_lo ? 0 : e - s->span_lo) : e;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->sel_list[mid] < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int list_event(struct view *v, const struct events *s, size_t i, struct pt_event *ev,
		      struct pt_access *acc)
{
	if (!v->x->done) {
		if (i >= v->x->ntail)
			return -1;
		*ev = v->x->tail[i];
		memset(acc, 0, sizeof(*acc));
		acc->bar = -1;
		return 0;
	}
	if (pt_tui_event(v->x, list_entry(s, i), ev))
		return -1;
	pt_tui_access(v->x, list_entry(s, i), ev, acc);
	return 0;
}

static void rebuild_list(struct view *v, struct events *s)
{
	size_t lo = s->have_span ? s->span_lo : 0, hi = s->have_span ? s->span_hi : v->x->n;

	free(s->sel_list);
	s->sel_list = NULL;
	s->nsel = 0;
	if (!s->filtered)
		return;
	s->sel_list = malloc((hi - lo + 1) * sizeof(*s->sel_list));
	if (!s->sel_list) {
		s->filtered = 0;
		snprintf(v->msg, sizeof(v->msg), "out of memory for the filter");
		return;
	}
	for (size_t i = lo; i < hi; i++)
		if (pt_tui_match(v->x, &v->x->entries[i], &s->filter))
			s->sel_list[s->nsel++] = i;
}

static void clamp(const struct view *v, struct events *s)
{
	size_t n = list_count(v, s), page = v->rows > 0 ? (size_t)v->rows : 1;

	if (!n) {
		s->cur = s->top = 0;
		return;
	}
	if (s->cur >= n)
		s->cur = n - 1;
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + page)
		s->top = s->cur - page + 1;
}

/* The list a page of V->rows with position P in its middle (near the end, the page full). */
static void show_pos(struct view *v, struct events *s, size_t p)
{
	size_t n = list_count(v, s);

	s->cur = p;
	s->top = p > (size_t)v->rows / 2 ? p - v->rows / 2 : 0;
	if (s->top + v->rows > n)
		s->top = n > (size_t)v->rows ? n - v->rows : 0;
	clamp(v, s);
}

size_t pt_events_count(struct view *v)
{
	return list_count(v, state(v));
}

void pt_events_fit(struct view *v)
{
	clamp(v, state(v));
}

void pt_events_goto(struct view *v, size_t e)
{
	struct events *s = state(v);
	size_t p;

	if (!v->x->done)
		return;
	if ((s->have_span && (e < s->span_lo || e >= s->span_hi)) ||
	    (s->filtered && !pt_tui_match(v->x, &v->x->entries[e], &s->filter))) {
		s->have_span = s->filtered = 0;
		rebuild_list(v, s);
		snprintf(v->msg, sizeof(v->msg), "filter and span cleared to show the event");
	}
	p = list_pos(v, s, e);
	pt_view_focus(v, &pt_pane_events);
	show_pos(v, s, p);
}

/* ---- formatting ------------------------------------------------------- */

static double rel(const struct view *v, uint64_t ts)
{
	uint64_t crash = v->x->done ? v->x->a->crash.ts :
			 v->x->ntail ? v->x->tail[v->x->ntail - 1].ts : ts;

	return ((double)ts - (double)crash) / 1e9;
}

static void where_str(const struct pt_event *ev, const struct pt_access *acc, char *dev,
		      size_t dsize, char *reg, size_t rsize)
{
	dev[0] = reg[0] = 0;
	if (acc->dev)
		pt_bdf_str(acc->dev->bdf, dev, dsize);
	if (acc->dev && acc->bar >= 0)
		pt_reg_label(acc->dev, acc->bar, acc->off, reg, rsize);
	else if (ev->kind <= PT_EV_MMIO_WRITE)
		snprintf(reg, rsize, "gpa %llx", (unsigned long long)ev->addr);
	else if (ev->kind <= PT_EV_PIO_WRITE)
		snprintf(reg, rsize, "port %llx", (unsigned long long)ev->addr);
	else if (ev->kind <= PT_EV_MSR_WRITE)
		snprintf(reg, rsize, "msr %llx", (unsigned long long)ev->addr);
	else if (ev->kind == PT_EV_IRQ_LINE)
		snprintf(reg, rsize, "gsi %llu", (unsigned long long)ev->addr);
	else if (ev->kind == PT_EV_MSI)
		snprintf(reg, rsize, "vec 0x%02llx", (unsigned long long)(ev->val & 0xff));
}

static char rw_char(unsigned kind)
{
	switch (kind) {
	case PT_EV_MMIO_READ: case PT_EV_PIO_READ: case PT_EV_MSR_READ: return 'R';
	case PT_EV_MMIO_WRITE: case PT_EV_PIO_WRITE: case PT_EV_MSR_WRITE: return 'W';
	default: return '-';
	}
}

/* ---- the pane --------------------------------------------------------- */

static void event_row(struct view *v, const struct events *s, int y, size_t i, int selected)
{
	struct pt_event ev;
	struct pt_access acc;
	char dev[16], reg[REG_COLUMN + 1], vcpu[8];
	int crash = 0;

	if (list_event(v, s, i, &ev, &acc)) {
		pt_view_put(v, y, 0, 0, 0, "  (cannot read this record)");
		return;
	}
	if (v->x->done)
		crash = ev.ts == v->x->a->crash.ts && list_entry(s, i) == v->x->crash_pos;
	where_str(&ev, &acc, dev, sizeof(dev), reg, sizeof(reg));
	snprintf(vcpu, sizeof(vcpu), ev.vcpu >= 0 ? "%d" : "-", ev.vcpu);
	pt_view_row(v, y, selected, crash ? C_CRASH : 0, crash,
		    "%+11.6f %3s %-11s %-7s %-*s %c %u 0x%llx%s%s", rel(v, ev.ts),
		    vcpu, pt_event_kind_name(ev.kind), dev, REG_COLUMN, reg, rw_char(ev.kind), ev.len,
		    (unsigned long long)ev.val, crash ? "  <- crash" : "",
		    s->have_mark && s->mark_ts == ev.ts ? "  <- mark" : "");
}

static void draw(struct view *v, void *st, int y0, int h)
{
	struct events *s = st;

	pt_view_put(v, y0, 0, C_DIM, 1, "%12s %3s %-11s %-7s %-*s %s %s %s", "time", "cpu", "event",
		    "device", REG_COLUMN, "register", "R/W", "len", "value");
	for (int r = 0; r < h - 1; r++) {
		size_t i = s->top + r;

		if (i >= list_count(v, s))
			break;
		event_row(v, s, y0 + 1 + r, i, i == s->cur && v->focus == &pt_pane_events);
	}
}

static void detail(struct view *v, void *st, int y0)
{
	struct events *s = st;
	struct pt_event ev;
	struct pt_access acc;
	char dev[48] = "", reg[80], where[64], fields[160] = "", code[140], reason[64];
	const char *exitname;

	if (!list_count(v, s) || list_event(v, s, s->cur, &ev, &acc))
		return;
	if (acc.dev)
		pt_dev_str(acc.dev, dev, sizeof(dev));
	where_str(&ev, &acc, where, 16, reg, sizeof(reg));
	if (acc.dev && acc.bar >= 0 && ev.kind <= PT_EV_PIO_WRITE &&
	    !pt_reg_value_str(acc.dev, acc.bar, acc.off, ev.val, fields + 2, sizeof(fields) - 2))
		memcpy(fields, "  ", 2);
	pt_view_put(v, y0, 0, 0, 0, "time %+.9f s (trace clock %.6f)  vcpu %d  thread %u  host cpu %d%s",
		    rel(v, ev.ts), ev.ts / 1e9, ev.vcpu, ev.tid, ev.cpu,
		    ev.flags & PT_EVF_LOST_BEFORE ? "  [events lost before]" : "");
	pt_view_put(v, y0 + 1, 0, 0, 0, "%s (%s)  addr 0x%llx  len %u  value 0x%llx (%llu)",
		    pt_event_kind_name(ev.kind), pt_event_kind_source(ev.kind),
		    (unsigned long long)ev.addr, ev.len, (unsigned long long)ev.val,
		    (unsigned long long)ev.val);
	exitname = ev.kind == PT_EV_USER_EXIT ? pt_kvm_exit_name(ev.val) : NULL;
	/* the vmx/svm table is known once the analysis has finished; a number till then */
	if (ev.kind == PT_EV_EXIT)
		exitname = pt_exit_reason_str(v->x->a ? v->x->a->exit_isa : PT_ISA_UNKNOWN, ev.val,
					      reason, sizeof(reason));
	pt_view_put(v, y0 + 2, 0, 0, 0, "%s%s%s%s%s", dev[0] ? "device " : "", dev, dev[0] ? "  " : "",
		    acc.bar >= 0 ? reg : exitname ? exitname : "", fields);
	if (ev.rip) {
		pt_symbols_str(v->x->a->opts.symbols, ev.rip, code, sizeof(code));
		pt_view_put(v, y0 + 3, 0, 0, 0, "guest code %s  (rip 0x%llx%s)", code,
			    (unsigned long long)ev.rip, ev.flags & PT_EVF_RIP_NEAREST ?
			    ", of the nearest rip record before on this vcpu" : "");
	}
	if (s->have_mark)
		pt_view_put(v, y0 + 4, 0, C_DIM, 0, "mark at %+.6f s: this is %+.6f s from the mark",
			    rel(v, s->mark_ts), ((double)ev.ts - (double)s->mark_ts) / 1e9);
}

static void move_by(struct view *v, void *st, long delta)
{
	struct events *s = st;

	if (delta < 0 && (size_t)-delta > s->cur)
		s->cur = 0;
	else
		s->cur += delta;
	s->following = 0;
	clamp(v, s);
}

static void first(struct view *v, void *st)
{
	struct events *s = st;

	(void)v;
	s->cur = s->top = 0;
	s->following = 0;
}

static void click(struct view *v, void *st, int row)
{
	struct events *s = st;

	s->cur = s->top + row;
	clamp(v, s);
}

/* Until the index is done the list is the file's tail: start at its end. */
static void init(struct view *v, void *st)
{
	struct events *s = st;

	s->following = 1;
	s->cur = v->x->ntail ? v->x->ntail - 1 : 0;
}

/* At the crash, in the list of the open's filter (tui --device, --vcpu) */
static void ready(struct view *v, void *st)
{
	struct events *s = st;
	char start[64];

	pt_tui_start_filter(v->x, start, sizeof(start));
	if (start[0])
		pt_events_filter(v, start);
	if (s->following && s->filtered)
		show_pos(v, s, list_pos(v, s, v->x->crash_pos));
	else if (s->following)
		pt_events_goto(v, v->x->crash_pos);
	else
		s->cur = s->top = 0;
}

static void release(void *st)
{
	free(((struct events *)st)->sel_list);
}

const struct pt_pane_ops pt_pane_events = {
	.name = "Events",
	.size = sizeof(struct events),
	.init = init,
	.ready = ready,
	.release = release,
	.draw = draw,
	.detail = detail,
	.move_by = move_by,
	.first = first,
	.click = click,
};

/* ---- what the keys and the other panes do to the list ----------------- */

void pt_events_search(struct view *v, const char *text, int dir)
{
	struct events *s = state(v);
	size_t from, hit;

	if (text)
		snprintf(s->search, sizeof(s->search), "%s", text);
	if (!v->x->done || !s->search[0] || !list_count(v, s))
		return;
	from = list_entry(s, s->cur);
	if (dir > 0 && from + 1 < v->x->n)
		from++;
	else if (dir < 0 && from > 0)
		from--;
	hit = pt_tui_search(v->x, s->search, from, dir, s->filtered ? &s->filter : NULL);
	if (hit == (size_t)-1) {
		/* wrap around, as less and vim do */
		hit = pt_tui_search(v->x, s->search, dir > 0 ? 0 : v->x->n - 1, dir,
				    s->filtered ? &s->filter : NULL);
		if (hit != (size_t)-1)
			snprintf(v->msg, sizeof(v->msg), "search wrapped %s", dir > 0 ? "to the start" :
				 "to the end");
	}
	if (hit == (size_t)-1 || (s->have_span && (hit < s->span_lo || hit >= s->span_hi))) {
		snprintf(v->msg, sizeof(v->msg), "no match for '%s'", s->search);
		return;
	}
	pt_events_goto(v, hit);
}

void pt_events_filter(struct view *v, const char *text)
{
	struct events *s = state(v);
	struct pt_err err;
	/* the selected event, found again in the new list: clearing keeps the place */
	size_t keep = list_count(v, s) ? list_entry(s, s->cur) : 0;

	if (!*text) {
		s->filtered = 0;
		s->filter_text[0] = 0;
	} else if (pt_tui_parse_filter(v->x, text, &s->filter, &err)) {
		snprintf(v->msg, sizeof(v->msg), "%.199s", err.msg);
		return;
	} else {
		s->filtered = 1;
		snprintf(s->filter_text, sizeof(s->filter_text), "%s", text);
	}
	rebuild_list(v, s);
	show_pos(v, s, list_pos(v, s, keep));
	if (s->filtered && !s->nsel)
		snprintf(v->msg, sizeof(v->msg), "no event matches '%s'", text);
}

void pt_events_span(struct view *v, size_t lo, size_t hi)
{
	struct events *s = state(v);

	s->span_lo = lo;
	s->span_hi = hi;
	s->have_span = hi > lo;
	rebuild_list(v, s);
	s->cur = s->top = 0;
	pt_view_focus(v, &pt_pane_events);
}

int pt_events_unspan(struct view *v)
{
	struct events *s = state(v);
	size_t keep;

	if (!s->have_span)
		return 0;
	keep = list_count(v, s) ? list_entry(s, s->cur) : 0;
	s->have_span = 0;
	rebuild_list(v, s);
	show_pos(v, s, list_pos(v, s, keep));
	return 1;
}

void pt_events_mark(struct view *v)
{
	struct events *s = state(v);
	struct pt_event ev;
	struct pt_access acc;

	if (!list_count(v, s) || list_event(v, s, s->cur, &ev, &acc))
		return;
	s->have_mark = 1;
	s->mark_ts = ev.ts;
	snprintf(v->msg, sizeof(v->msg), "mark set at %+.6f s", rel(v, ev.ts));
}

void pt_events_status(struct view *v, char *buf, size_t size)
{
	struct events *s = state(v);
	char pos[64], when[32] = "";
	size_t n = list_count(v, s);
	struct pt_event ev;
	struct pt_access acc;

	if (v->x->done)
		snprintf(pos, sizeof(pos), "%zu/%zu", n ? s->cur + 1 : 0, n);
	else
		snprintf(pos, sizeof(pos), "indexing %zu events", v->x->n);
	if (n && !list_event(v, s, s->cur, &ev, &acc))
		snprintf(when, sizeof(when), "  t=%+.6f", rel(v, ev.ts));
	snprintf(buf, size, "%s%s%s%s%s", pos, s->filtered ? "  filter: " : "",
		 s->filtered ? s->filter_text : "", s->have_span ? "  [span]" : "", when);
}
