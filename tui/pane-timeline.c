/*
 * The Timeline pane: the strip at the top of the screen (the busiest
 * devices' BAR accesses and the interrupt rate over time, the crash
 * marked), always shown; with the focus, a cursor on it selects a span
 * of time that narrows the event list, which it shows under the strip.
 */
#include <curses.h>
#include <stdio.h>

#include "pane.h"

struct timeline {
	int cur;		/* the cursor's column */
	int mark;		/* the span's first column, -1 none */
};

static const char density[] = " .:-=+*#%@";

static struct timeline *state(struct view *v)
{
	return pt_view_state(v, &pt_pane_timeline);
}

/* The timeline's devices: the busiest, fewer on a small screen. */
static unsigned timeline_devices(const struct view *v, unsigned *devs)
{
	return pt_tui_timeline_devices(v->x, devs, LINES < 30 ? 2 : PT_TUI_TIMELINE_DEVICES);
}

int pt_timeline_rows(struct view *v)
{
	unsigned devs[PT_TUI_TIMELINE_DEVICES];

	return timeline_devices(v, devs) + 2;	/* devices, interrupts, the axis */
}

/* The buckets the trace fills; the timeline stretches them over the width. */
static unsigned used_buckets(const struct pt_tui_index *x)
{
	return x->t0 && x->bucket_ns ? (unsigned)((x->a->crash.ts > x->t0 ? x->a->crash.ts - x->t0 : 0) /
						   x->bucket_ns) + 1 : 1;
}

/* The span's columns, *A <= *B: from its start (or the cursor) to the cursor. */
static void span_columns(const struct timeline *t, int *a, int *b)
{
	*a = t->mark >= 0 ? t->mark : t->cur;
	*b = t->cur;
	if (*a > *b) {
		int swap = *a;

		*a = *b;
		*b = swap;
	}
}

void pt_timeline_strip(struct view *v, int y0)
{
	struct pt_tui_index *x = v->x;
	const struct timeline *t = state(v);
	unsigned devs[PT_TUI_TIMELINE_DEVICES];
	int rows = timeline_devices(v, devs), w = v->cols - 9, focused = v->focus == &pt_pane_timeline;
	unsigned nb = used_buckets(x);
	int crash_col = -1;

	if (w < 10)
		return;
	if (!nb)
		nb = 1;
	if (x->done && x->bucket_ns)
		crash_col = (int)((x->a->crash.ts - x->t0) / x->bucket_ns * w / nb);
	for (int d = 0; d <= rows; d++) {
		const uint32_t *counts = d < rows ? x->dev_counts[devs[d]] : x->irq_counts;
		uint32_t col[512], max = 1;
		char label[16];

		if (w > 512)
			w = 512;
		/* sum the buckets of each column first: the densest column is the scale */
		for (int c = 0; c < w; c++) {
			unsigned b0 = (unsigned)((uint64_t)c * nb / w), b1 = (unsigned)((uint64_t)(c + 1) * nb / w);

			col[c] = 0;
			if (b1 <= b0)
				b1 = b0 + 1;
			for (unsigned b = b0; b < b1 && b < PT_TUI_BUCKETS; b++)
				col[c] += counts[b];
			if (col[c] > max)
				max = col[c];
		}
		if (d < rows)
			pt_bdf_str(x->dev_bdf[devs[d]], label, sizeof(label));
		else
			snprintf(label, sizeof(label), "irqs");
		pt_view_put(v, y0 + d, 0, focused ? C_SELECT : C_DIM, 0, "%-8s", label);
		for (int c = 0; c < w; c++) {
			char ch = col[c] ? density[1 + (int)((uint64_t)col[c] * 8 / max)] : ' ';

			pt_view_put(v, y0 + d, 9 + c, c == crash_col ? C_CRASH : 0, c == crash_col, "%c",
				    c == crash_col && !col[c] ? '|' : ch);
		}
	}
	/* the axis: crash, cursor and span */
	mvhline(y0 + rows + 1, 0, ' ', v->cols);
	pt_view_put(v, y0 + rows + 1, 0, C_DIM, 0, "%8.2fs",
		    x->done ? -((double)x->a->crash.ts - x->t0) / 1e9 : 0.0);
	if (crash_col >= 0 && crash_col < w) {
		if (crash_col + 6 <= w)
			pt_view_put(v, y0 + rows + 1, 9 + crash_col, C_CRASH, 1, "^crash");
		else
			pt_view_put(v, y0 + rows + 1, 9 + crash_col - 5, C_CRASH, 1, "crash^");
	}
	if (focused) {
		int a, b;

		span_columns(t, &a, &b);
		for (int c = a; c <= b && c < w; c++)
			pt_view_put(v, y0 + rows + 1, 9 + c, C_SELECT, 1, "%c", c == t->cur ? '^' : '=');
	}
}

void pt_timeline_start_span(struct view *v)
{
	struct timeline *t = state(v);

	t->mark = t->cur;
	snprintf(v->msg, sizeof(v->msg), "span starts here: move, then Enter");
}

int pt_timeline_clear_span(struct view *v)
{
	struct timeline *t = state(v);
	int started = t->mark >= 0;

	t->mark = -1;
	return pt_events_unspan(v) || started;
}

/* Under the strip, the event list and the event's detail, as in the Events pane. */
static void draw(struct view *v, void *st, int y0, int h)
{
	(void)st;
	pt_pane_events.draw(v, pt_view_state(v, &pt_pane_events), y0, h);
}

static void detail(struct view *v, void *st, int y0)
{
	(void)st;
	pt_pane_events.detail(v, pt_view_state(v, &pt_pane_events), y0);
}

/* One column a step, whatever the step. */
static void move_by(struct view *v, void *st, long delta)
{
	struct timeline *t = st;

	t->cur += delta > 0 ? 1 : -1;
	if (t->cur < 0)
		t->cur = 0;
	if (t->cur >= v->cols - 9)
		t->cur = v->cols - 10;
}

/* Enter: the list narrowed to the span's time. */
static void enter(struct view *v, void *st)
{
	struct timeline *t = st;
	int w = v->cols - 9, a, b;
	unsigned nb = used_buckets(v->x);
	uint64_t from, to;

	span_columns(t, &a, &b);
	from = v->x->t0 + (uint64_t)a * nb / w * v->x->bucket_ns;
	to = v->x->t0 + ((uint64_t)(b + 1) * nb / w + 1) * v->x->bucket_ns;
	t->mark = -1;
	pt_events_span(v, pt_tui_find_ts(v->x, from), pt_tui_find_ts(v->x, to));
	snprintf(v->msg, sizeof(v->msg), "span %+.3f s .. %+.3f s: %zu events (Esc clears)",
		 pt_rel(v->x->a, from), pt_rel(v->x->a, to), pt_events_count(v));
}

static void init(struct view *v, void *st)
{
	(void)v;
	((struct timeline *)st)->mark = -1;
}

/* the cursor starts at the crash */
static void ready(struct view *v, void *st)
{
	(void)v;
	((struct timeline *)st)->cur = COLS - 10;
}

const struct pt_pane_ops pt_pane_timeline = {
	.name = "Timeline",
	.size = sizeof(struct timeline),
	.init = init,
	.ready = ready,
	.draw = draw,
	.detail = detail,
	.move_by = move_by,
	.enter = enter,
};
