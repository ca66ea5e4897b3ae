// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The curses screen of pttrace tui.  Every frame is drawn into curses'
 * virtual screen and written in one refresh; keys map to actions in one
 * table, which also makes the help overlay.
 */
#include <curses.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pt-plugins.h"
#include "pt-tui-screen.h"
#include "pt-describe.h"

enum pane { PANE_EVENTS, PANE_FINDINGS, PANE_REGISTERS, PANE_TIMELINE, PANES };
static const char *const pane_names[PANES] = { "Events", "Findings", "Registers", "Timeline" };

enum { C_NORMAL, C_HEADER, C_SELECT, C_CRASH, C_STATUS, C_CRITICAL, C_DIM };

#define DETAIL_ROWS 5
#define REG_COLUMN 22	/* "BAR2+0x0710 CP_RB_RPTR" */
#define INDEX_SLICE 200000	/* events indexed between two looks at the keyboard */

struct reg_row {
	const struct pt_device *dev;
	const struct pt_reg *reg;
};

struct view {
	struct pt_tui_index *x;
	enum pane focus;
	/* the event list: every entry, a filtered selection, or a timeline span */
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
	size_t mark_entry;
	char search[128];
	char msg[200];
	/* findings */
	int fsel, ftop, evidence;	/* evidence: showing the selected finding's evidence */
	int esel;
	/* registers */
	struct reg_row *regs;
	int nregs, rsel, rtop;
	/* timeline */
	int tcur, tmark;		/* cursor bucket, span start (-1 none) */
	int help;
	int color;
	int rows, cols;
};

static volatile sig_atomic_t quit_signal;

static void on_signal(int sig)
{
	(void)sig;
	quit_signal = 1;
}

/* ---- the visible event list ------------------------------------------ */

static size_t list_count(const struct view *v)
{
	if (!v->x->done)
		return v->x->ntail;
	if (v->filtered)
		return v->nsel;
	return v->have_span ? v->span_hi - v->span_lo : v->x->n;
}

/* The index entry at list position I (only when the index is done). */
static size_t list_entry(const struct view *v, size_t i)
{
	if (v->filtered)
		return v->sel_list[i];
	return v->have_span ? v->span_lo + i : i;
}

/* The list position of entry E, or the nearest after it. */
static size_t list_pos(const struct view *v, size_t e)
{
	size_t lo = 0, hi = list_count(v);

	if (!v->filtered)
		return v->have_span ? (e < v->span_lo ? 0 : e - v->span_lo) : e;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->sel_list[mid] < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int list_event(struct view *v, size_t i, struct pt_event *ev, struct pt_access *acc)
{
	if (!v->x->done) {
		if (i >= v->x->ntail)
			return -1;
		*ev = v->x->tail[i];
		memset(acc, 0, sizeof(*acc));
		acc->bar = -1;
		return 0;
	}
	if (pt_tui_event(v->x, list_entry(v, i), ev))
		return -1;
	pt_tui_access(v->x, list_entry(v, i), ev, acc);
	return 0;
}

static void rebuild_list(struct view *v)
{
	size_t lo = v->have_span ? v->span_lo : 0, hi = v->have_span ? v->span_hi : v->x->n;

	free(v->sel_list);
	v->sel_list = NULL;
	v->nsel = 0;
	if (!v->filtered)
		return;
	v->sel_list = malloc((hi - lo + 1) * sizeof(*v->sel_list));
	if (!v->sel_list) {
		v->filtered = 0;
		snprintf(v->msg, sizeof(v->msg), "out of memory for the filter");
		return;
	}
	for (size_t i = lo; i < hi; i++)
		if (pt_tui_match(v->x, &v->x->entries[i], &v->filter))
			v->sel_list[v->nsel++] = i;
}

static void clamp(struct view *v)
{
	size_t n = list_count(v), page = v->rows > 0 ? (size_t)v->rows : 1;

	if (!n) {
		v->cur = v->top = 0;
		return;
	}
	if (v->cur >= n)
		v->cur = n - 1;
	if (v->cur < v->top)
		v->top = v->cur;
	if (v->cur >= v->top + page)
		v->top = v->cur - page + 1;
}

/* Selects entry E in the event list, lifting the filter and span if they hide it. */
static void goto_entry(struct view *v, size_t e)
{
	size_t p;

	if (!v->x->done)
		return;
	if ((v->have_span && (e < v->span_lo || e >= v->span_hi)) ||
	    (v->filtered && !pt_tui_match(v->x, &v->x->entries[e], &v->filter))) {
		v->have_span = v->filtered = 0;
		rebuild_list(v);
		snprintf(v->msg, sizeof(v->msg), "filter and span cleared to show the event");
	}
	p = list_pos(v, e);
	v->cur = p;
	v->top = p > (size_t)v->rows / 2 ? p - v->rows / 2 : 0;
	/* near the end, fill the screen rather than centre */
	if (v->top + v->rows > list_count(v))
		v->top = list_count(v) > (size_t)v->rows ? list_count(v) - v->rows : 0;
	v->focus = PANE_EVENTS;
	clamp(v);
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

static void put(struct view *v, int y, int x, int attr_pair, int bold, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void put(struct view *v, int y, int x, int attr_pair, int bold, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int w = v->cols - x;

	if (w <= 0 || y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (v->color && attr_pair)
		attron(COLOR_PAIR(attr_pair));
	if (bold)
		attron(A_BOLD);
	mvaddnstr(y, x, line, w);
	if (bold)
		attroff(A_BOLD);
	if (v->color && attr_pair)
		attroff(COLOR_PAIR(attr_pair));
}

static void fill_line(struct view *v, int y, int pair, int reverse)
{
	if (reverse)
		attron(A_REVERSE);
	if (v->color && pair)
		attron(COLOR_PAIR(pair));
	mvhline(y, 0, ' ', v->cols);
	if (v->color && pair)
		attroff(COLOR_PAIR(pair));
	if (reverse)
		attroff(A_REVERSE);
}

/* ---- drawing ---------------------------------------------------------- */

/* The timeline's devices: the busiest, fewer on a small screen. */
static unsigned timeline_devices(const struct view *v, unsigned *devs)
{
	return pt_tui_timeline_devices(v->x, devs, LINES < 30 ? 2 : PT_TUI_TIMELINE_DEVICES);
}

static int timeline_rows(const struct view *v)
{
	unsigned devs[PT_TUI_TIMELINE_DEVICES];

	return timeline_devices(v, devs) + 2;	/* devices, interrupts, the axis */
}

static void draw_header(struct view *v)
{
	int x = 0;

	fill_line(v, 0, C_HEADER, 1);
	attron(A_REVERSE);
	put(v, 0, 0, C_HEADER, 1, " pttrace tui ");
	x = 13;
	for (int p = 0; p < PANES; p++) {
		char tab[24];

		snprintf(tab, sizeof(tab), " %s ", pane_names[p]);
		if (p == (int)v->focus) {
			attroff(A_REVERSE);
			put(v, 0, x, C_SELECT, 1, "%s", tab);
			attron(A_REVERSE);
		} else {
			put(v, 0, x, C_HEADER, 0, "%s", tab);
		}
		x += strlen(tab);
	}
	put(v, 0, x + 1, C_HEADER, 0, "%s", v->x->done ?
	    pt_crash_kind_name(v->x->a->crash.kind) : "indexing...");
	attroff(A_REVERSE);
}

static const char density[] = " .:-=+*#%@";

/* The buckets the trace fills; the timeline stretches them over the width. */
static unsigned used_buckets(const struct pt_tui_index *x)
{
	return x->t0 && x->bucket_ns ? (unsigned)((x->a->crash.ts > x->t0 ? x->a->crash.ts - x->t0 : 0) /
						   x->bucket_ns) + 1 : 1;
}

static void draw_timeline(struct view *v, int y0)
{
	struct pt_tui_index *x = v->x;
	unsigned devs[PT_TUI_TIMELINE_DEVICES];
	int rows = timeline_devices(v, devs), w = v->cols - 9;
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
		put(v, y0 + d, 0, v->focus == PANE_TIMELINE ? C_SELECT : C_DIM, 0, "%-8s", label);
		for (int c = 0; c < w; c++) {
			char ch = col[c] ? density[1 + (int)((uint64_t)col[c] * 8 / max)] : ' ';

			put(v, y0 + d, 9 + c, c == crash_col ? C_CRASH : 0, c == crash_col, "%c",
			    c == crash_col && !col[c] ? '|' : ch);
		}
	}
	/* the axis: crash, cursor and span */
	mvhline(y0 + rows + 1, 0, ' ', v->cols);
	put(v, y0 + rows + 1, 0, C_DIM, 0, "%8.2fs", x->done ? -((double)x->a->crash.ts - x->t0) / 1e9 : 0.0);
	if (crash_col >= 0 && crash_col < w) {
		if (crash_col + 6 <= w)
			put(v, y0 + rows + 1, 9 + crash_col, C_CRASH, 1, "^crash");
		else
			put(v, y0 + rows + 1, 9 + crash_col - 5, C_CRASH, 1, "crash^");
	}
	if (v->focus == PANE_TIMELINE) {
		int a = v->tmark >= 0 ? v->tmark : v->tcur, b = v->tcur;

		if (a > b) {
			int t = a;
			a = b;
			b = t;
		}
		for (int c = a; c <= b && c < w; c++)
			put(v, y0 + rows + 1, 9 + c, C_SELECT, 1, "%c", c == v->tcur ? '^' : '=');
	}
}

static void event_row(struct view *v, int y, size_t i, int selected)
{
	struct pt_event ev;
	struct pt_access acc;
	char dev[16], reg[REG_COLUMN + 1], vcpu[8];
	int crash = 0;

	if (list_event(v, i, &ev, &acc)) {
		put(v, y, 0, 0, 0, "  (cannot read this record)");
		return;
	}
	if (v->x->done)
		crash = ev.ts == v->x->a->crash.ts && list_entry(v, i) == v->x->crash_pos;
	where_str(&ev, &acc, dev, sizeof(dev), reg, sizeof(reg));
	snprintf(vcpu, sizeof(vcpu), ev.vcpu >= 0 ? "%d" : "-", ev.vcpu);
	if (selected)
		fill_line(v, y, C_SELECT, 0), attron(A_REVERSE);
	put(v, y, 0, selected ? C_SELECT : crash ? C_CRASH : 0, crash,
	    "%c%+11.6f %3s %-11s %-7s %-*s %c %u 0x%llx%s%s", selected ? '>' : ' ', rel(v, ev.ts),
	    vcpu, pt_event_kind_name(ev.kind), dev, REG_COLUMN, reg, rw_char(ev.kind), ev.len,
	    (unsigned long long)ev.val, crash ? "  <- crash" : "",
	    v->have_mark && v->mark_ts == ev.ts ? "  <- mark" : "");
	if (selected)
		attroff(A_REVERSE);
}

static void draw_events(struct view *v, int y0, int h)
{
	put(v, y0, 0, C_DIM, 1, "%12s %3s %-11s %-7s %-*s %s %s %s", "time", "cpu", "event", "device",
	    REG_COLUMN, "register", "R/W", "len", "value");
	for (int r = 0; r < h - 1; r++) {
		size_t i = v->top + r;

		if (i >= list_count(v))
			break;
		event_row(v, y0 + 1 + r, i, i == v->cur && v->focus == PANE_EVENTS);
	}
}

static void draw_event_detail(struct view *v, int y0)
{
	struct pt_event ev;
	struct pt_access acc;
	char dev[48] = "", reg[80], where[64], fields[160] = "", code[140], reason[64];
	const char *exitname;

	if (!list_count(v) || list_event(v, v->cur, &ev, &acc))
		return;
	if (acc.dev)
		pt_dev_str(acc.dev, dev, sizeof(dev));
	where_str(&ev, &acc, where, 16, reg, sizeof(reg));
	if (acc.dev && acc.bar >= 0 && ev.kind <= PT_EV_PIO_WRITE &&
	    !pt_reg_value_str(acc.dev, acc.bar, acc.off, ev.val, fields + 2, sizeof(fields) - 2))
		memcpy(fields, "  ", 2);
	put(v, y0, 0, 0, 0, "time %+.9f s (trace clock %.6f)  vcpu %d  thread %u  host cpu %d%s",
	    rel(v, ev.ts), ev.ts / 1e9, ev.vcpu, ev.tid, ev.cpu,
	    ev.flags & PT_EVF_LOST_BEFORE ? "  [events lost before]" : "");
	put(v, y0 + 1, 0, 0, 0, "%s (%s)  addr 0x%llx  len %u  value 0x%llx (%llu)",
	    pt_event_kind_name(ev.kind), pt_event_kind_source(ev.kind), (unsigned long long)ev.addr,
	    ev.len, (unsigned long long)ev.val, (unsigned long long)ev.val);
	exitname = ev.kind == PT_EV_USER_EXIT ? pt_kvm_exit_name(ev.val) : NULL;
	/* the vmx/svm table is known once the analysis has finished; a number till then */
	if (ev.kind == PT_EV_EXIT)
		exitname = pt_exit_reason_str(v->x->a ? v->x->a->exit_isa : PT_ISA_UNKNOWN, ev.val,
					      reason, sizeof(reason));
	put(v, y0 + 2, 0, 0, 0, "%s%s%s%s%s", dev[0] ? "device " : "", dev, dev[0] ? "  " : "",
	    acc.bar >= 0 ? reg : exitname ? exitname : "", fields);
	if (ev.rip) {
		pt_symbols_str(v->x->a->opts.symbols, ev.rip, code, sizeof(code));
		put(v, y0 + 3, 0, 0, 0, "guest code %s  (rip 0x%llx%s)", code,
		    (unsigned long long)ev.rip, ev.flags & PT_EVF_RIP_NEAREST ?
		    ", of the nearest rip record before on this vcpu" : "");
	}
	if (v->have_mark)
		put(v, y0 + 4, 0, C_DIM, 0, "mark at %+.6f s: this is %+.6f s from the mark",
		    rel(v, v->mark_ts), ((double)ev.ts - (double)v->mark_ts) / 1e9);
}

static void draw_findings(struct view *v, int y0, int h)
{
	const struct pt_analysis *a = v->x->a;

	if (!v->x->done) {
		put(v, y0, 0, C_DIM, 0, "the findings come when the whole trace is indexed");
		return;
	}
	if (v->evidence) {
		const struct pt_finding *f = &a->findings[v->fsel];

		put(v, y0, 0, C_DIM, 1, "evidence of: %s   (Enter: go to the event, Esc: back)", f->title);
		for (unsigned e = 0; e < f->nevidence && (int)e < h - 1; e++) {
			char line[200];

			pt_evidence_str(a, &f->evidence[e], line, sizeof(line));
			if ((int)e == v->esel)
				fill_line(v, y0 + 1 + e, C_SELECT, 0), attron(A_REVERSE);
			put(v, y0 + 1 + e, 0, (int)e == v->esel ? C_SELECT : 0, 0, "%c%+11.6f %s  <- %s",
			    (int)e == v->esel ? '>' : ' ', pt_rel(a, f->evidence[e].ev.ts), line,
			    f->evidence[e].note);
			if ((int)e == v->esel)
				attroff(A_REVERSE);
		}
		return;
	}
	if (!a->nfindings)
		put(v, y0, 0, 0, 0, "nothing suspicious found");
	for (int r = 0; r < h && v->ftop + r < (int)a->nfindings; r++) {
		const struct pt_finding *f = &a->findings[v->ftop + r];
		int sel = v->ftop + r == v->fsel;

		if (sel)
			fill_line(v, y0 + r, C_SELECT, 0), attron(A_REVERSE);
		put(v, y0 + r, 0, sel ? C_SELECT : f->severity >= PT_SEV_HIGH ? C_CRITICAL : 0, 0,
		    "%c%2d. %-8s %3u%% %s", sel ? '>' : ' ', v->ftop + r + 1,
		    pt_severity_name(f->severity), f->confidence, f->title);
		if (sel)
			attroff(A_REVERSE);
	}
}

static void draw_finding_detail(struct view *v, int y0)
{
	const struct pt_finding *f;
	char code[140] = "";

	if (!v->x->done || !v->x->a->nfindings)
		return;
	f = &v->x->a->findings[v->fsel];
	if (f->rip) {
		memcpy(code, ", by ", 5);
		pt_symbols_str(v->x->a->opts.symbols, f->rip, code + 5, sizeof(code) - 5);
	}
	if (f->caused_by >= 0)
		snprintf(code + strlen(code), sizeof(code) - strlen(code), ", follows from %d",
			 f->caused_by + 1);
	put(v, y0, 0, 0, 1, "%s: %s (%s, %u%%, %llu events%s)", pt_class_name(f->cls), f->detector,
	    pt_severity_name(f->severity), f->confidence, (unsigned long long)f->count, code);
	put(v, y0 + 1, 0, 0, 0, "why: %s", f->why);
	put(v, y0 + 2, 0, 0, 0, "try: %s", f->advice);
	put(v, y0 + 3, 0, C_DIM, 0, "Enter: its evidence");
}

/* Busiest devices first; in a device, BAR registers before config space. */
static int reg_order(const void *pa, const void *pb)
{
	const struct reg_row *a = pa, *b = pb;
	uint64_t ta = a->dev->mmio_reads + a->dev->mmio_writes;
	uint64_t tb = b->dev->mmio_reads + b->dev->mmio_writes;

	if (a->dev != b->dev) {
		if (ta != tb)
			return ta > tb ? -1 : 1;
		return a->dev->bdf < b->dev->bdf ? -1 : 1;
	}
	return a->reg->key < b->reg->key ? -1 : a->reg->key > b->reg->key;
}

static void build_regs(struct view *v)
{
	unsigned n;
	struct pt_device *const *devs = pt_model_devices(v->x->a->model, &n);
	int cap = 0;

	for (unsigned d = 0; d < n; d++)
		cap += devs[d]->nregs;
	v->regs = calloc(cap + 1, sizeof(*v->regs));
	v->nregs = 0;
	for (unsigned d = 0; d < n && v->regs; d++)
		for (unsigned r = 0; r < PT_MAX_REGS; r++)
			if ((devs[d]->regs[r].reads || devs[d]->regs[r].writes) && v->nregs < cap)
				v->regs[v->nregs++] = (struct reg_row){ devs[d], &devs[d]->regs[r] };
	if (v->regs)
		qsort(v->regs, v->nregs, sizeof(*v->regs), reg_order);
}

static void draw_registers(struct view *v, int y0, int h)
{
	if (!v->x->done) {
		put(v, y0, 0, C_DIM, 0, "the registers come when the whole trace is indexed");
		return;
	}
	put(v, y0, 0, C_DIM, 1, " %-7s %-*s %7s %7s %10s %10s %10s", "device", REG_COLUMN, "register",
	    "reads", "writes", "last value", "first", "last");
	for (int r = 0; r < h - 1 && v->rtop + r < v->nregs; r++) {
		const struct reg_row *row = &v->regs[v->rtop + r];
		char bdf[16], reg[REG_COLUMN + 1];
		int sel = v->rtop + r == v->rsel;

		pt_bdf_str(row->dev->bdf, bdf, sizeof(bdf));
		pt_reg_label(row->dev, row->reg->key >> 32, row->reg->key & 0xffffffff, reg, sizeof(reg));
		if (sel)
			fill_line(v, y0 + 1 + r, C_SELECT, 0), attron(A_REVERSE);
		put(v, y0 + 1 + r, 0, sel ? C_SELECT : 0, 0, "%c%-7s %-*s %7u %7u %10llx %+10.4f %+10.4f",
		    sel ? '>' : ' ', bdf, REG_COLUMN, reg, row->reg->reads, row->reg->writes,
		    (unsigned long long)row->reg->last_val, pt_rel(v->x->a, row->reg->first_ts),
		    pt_rel(v->x->a, row->reg->last_ts));
		if (sel)
			attroff(A_REVERSE);
	}
}

static void draw_status(struct view *v)
{
	char pos[64], when[32] = "", left[512];
	const char *base = strrchr(v->x->path, '/');
	size_t n = list_count(v);
	struct pt_event ev;
	struct pt_access acc;

	if (v->x->done)
		snprintf(pos, sizeof(pos), "%zu/%zu", n ? v->cur + 1 : 0, n);
	else
		snprintf(pos, sizeof(pos), "indexing %zu events", v->x->n);
	if (n && !list_event(v, v->cur, &ev, &acc))
		snprintf(when, sizeof(when), "  t=%+.6f", rel(v, ev.ts));
	/* what moves first, the file's name last: a narrow terminal cuts the name */
	snprintf(left, sizeof(left), " %s%s%s%s%s  %.200s  ? help", pos,
		 v->filtered ? "  filter: " : "", v->filtered ? v->filter_text : "",
		 v->have_span ? "  [span]" : "", when, base ? base + 1 : v->x->path);
	fill_line(v, LINES - 1, C_STATUS, 1);
	attron(A_REVERSE);
	put(v, LINES - 1, 0, C_STATUS, 0, "%s", left);
	attroff(A_REVERSE);
}

static void draw_help(struct view *v)
{
	static const char *const lines[] = {
		"pttrace tui keys",
		"",
		"  up/down j/k  move       PgUp/PgDn  page      g/G  first/last",
		"  /  search (a number, an event kind, 00:03.0, BAR0+0x24)",
		"  n/N  next/previous match    f  filter (kind= dev= reg= vcpu= rw= value=)",
		"  c  the crash    m  mark; the detail shows the time from it",
		"  Tab  next pane (Events, Findings, Registers, Timeline)",
		"  Enter  open: a finding's evidence, go to an event, a register's",
		"         accesses, a timeline span (Space marks its start)",
		"  Esc  back, clear the span    ?  this help    q  quit",
		"  mouse: wheel scrolls, a click selects",
		"",
		"            any key closes this help",
	};
	int h = sizeof(lines) / sizeof(lines[0]) + 2, w = 72;
	int y0 = (LINES - h) / 2, x0 = (v->cols - w) / 2;

	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	for (int r = 0; r < h; r++) {
		mvhline(y0 + r, x0, ' ', w);
		if (r == 0 || r == h - 1)
			mvhline(y0 + r, x0, '-', w);
	}
	for (int r = 0; r < (int)(sizeof(lines) / sizeof(lines[0])); r++)
		put(v, y0 + 1 + r, x0 + 2, 0, r == 0, "%s", lines[r]);
}

static void draw(struct view *v)
{
	int tl = timeline_rows(v), y0 = 1 + tl, h;

	v->cols = COLS;
	erase();
	draw_header(v);
	draw_timeline(v, 1);
	h = LINES - y0 - DETAIL_ROWS - 2;
	v->rows = h - 1 > 1 ? h - 1 : 1;
	clamp(v);
	switch (v->focus) {
	case PANE_EVENTS:
	case PANE_TIMELINE:
		draw_events(v, y0, h);
		mvhline(y0 + h, 0, '-', v->cols);
		draw_event_detail(v, y0 + h + 1);
		break;
	case PANE_FINDINGS:
		draw_findings(v, y0, h);
		mvhline(y0 + h, 0, '-', v->cols);
		draw_finding_detail(v, y0 + h + 1);
		break;
	case PANE_REGISTERS:
		draw_registers(v, y0, h);
		mvhline(y0 + h, 0, '-', v->cols);
		break;
	case PANES:
		break;
	}
	draw_status(v);
	/* messages go on the rule above the detail pane, the status line stays */
	if (v->msg[0])
		put(v, y0 + h, 0, C_CRITICAL, 1, "-- %s ", v->msg);
	if (v->help)
		draw_help(v);
	refresh();	/* the whole frame in one write */
}

/* ---- input ------------------------------------------------------------ */

static int prompt(struct view *v, const char *label, char *buf, size_t size)
{
	int ch;
	size_t n = 0;

	buf[0] = 0;
	timeout(-1);
	for (;;) {
		fill_line(v, LINES - 1, C_STATUS, 0);
		put(v, LINES - 1, 0, 0, 1, "%s%s", label, buf);
		refresh();
		ch = getch();
		if (ch == '\n' || ch == KEY_ENTER)
			return 0;
		if (ch == 27 || quit_signal)
			return -1;
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n)
			buf[--n] = 0;
		else if (ch >= 32 && ch < 127 && n < size - 1) {
			buf[n++] = ch;
			buf[n] = 0;
		}
	}
}

static void search(struct view *v, int dir)
{
	size_t from, hit;

	if (!v->x->done || !v->search[0] || !list_count(v))
		return;
	from = list_entry(v, v->cur);
	if (dir > 0 && from + 1 < v->x->n)
		from++;
	else if (dir < 0 && from > 0)
		from--;
	hit = pt_tui_search(v->x, v->search, from, dir, v->filtered ? &v->filter : NULL);
	if (hit == (size_t)-1) {
		/* wrap around, as less and vim do */
		hit = pt_tui_search(v->x, v->search, dir > 0 ? 0 : v->x->n - 1, dir,
				    v->filtered ? &v->filter : NULL);
		if (hit != (size_t)-1)
			snprintf(v->msg, sizeof(v->msg), "search wrapped %s", dir > 0 ? "to the start" :
				 "to the end");
	}
	if (hit == (size_t)-1 || (v->have_span && (hit < v->span_lo || hit >= v->span_hi))) {
		snprintf(v->msg, sizeof(v->msg), "no match for '%s'", v->search);
		return;
	}
	goto_entry(v, hit);
}

static void apply_filter(struct view *v, const char *text)
{
	struct pt_err err;

	if (!*text) {
		v->filtered = 0;
		v->filter_text[0] = 0;
	} else if (pt_tui_parse_filter(v->x, text, &v->filter, &err)) {
		snprintf(v->msg, sizeof(v->msg), "%.199s", err.msg);
		return;
	} else {
		v->filtered = 1;
		snprintf(v->filter_text, sizeof(v->filter_text), "%s", text);
	}
	{
		size_t keep = list_count(v) ? list_entry(v, v->cur) : 0;

		rebuild_list(v);
		v->cur = list_pos(v, keep);
	}
	if (v->filtered && !v->nsel)
		snprintf(v->msg, sizeof(v->msg), "no event matches '%s'", text);
}

/* Enter on an evidence line: that event in the list. */
static void open_evidence(struct view *v)
{
	const struct pt_finding *f = &v->x->a->findings[v->fsel];
	const struct pt_event *ev;
	size_t e;

	if (v->esel >= (int)f->nevidence)
		return;
	ev = &f->evidence[v->esel].ev;
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
	v->evidence = 0;
	goto_entry(v, e);
}

static void timeline_span(struct view *v)
{
	int w = v->cols - 9, a = v->tmark >= 0 ? v->tmark : v->tcur, b = v->tcur;
	unsigned nb = used_buckets(v->x);
	uint64_t from, to;
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	from = v->x->t0 + (uint64_t)a * nb / w * v->x->bucket_ns;
	to = v->x->t0 + ((uint64_t)(b + 1) * nb / w + 1) * v->x->bucket_ns;
	v->span_lo = pt_tui_find_ts(v->x, from);
	v->span_hi = pt_tui_find_ts(v->x, to);
	v->have_span = v->span_hi > v->span_lo;
	v->tmark = -1;
	rebuild_list(v);
	v->cur = v->top = 0;
	v->focus = PANE_EVENTS;
	snprintf(v->msg, sizeof(v->msg), "span %+.3f s .. %+.3f s: %zu events (Esc clears)",
		 pt_rel(v->x->a, from), pt_rel(v->x->a, to), list_count(v));
}

static void move_by(struct view *v, long delta)
{
	switch (v->focus) {
	case PANE_EVENTS:
		if (delta < 0 && (size_t)-delta > v->cur)
			v->cur = 0;
		else
			v->cur += delta;
		v->following = 0;
		clamp(v);
		break;
	case PANE_FINDINGS:
		if (v->evidence) {
			v->esel += delta;
			if (v->esel < 0)
				v->esel = 0;
			if (v->x->done && v->esel >= (int)v->x->a->findings[v->fsel].nevidence)
				v->esel = v->x->a->findings[v->fsel].nevidence - 1;
		} else if (v->x->done && v->x->a->nfindings) {
			v->fsel += delta;
			if (v->fsel < 0)
				v->fsel = 0;
			if (v->fsel >= (int)v->x->a->nfindings)
				v->fsel = v->x->a->nfindings - 1;
			if (v->fsel < v->ftop)
				v->ftop = v->fsel;
			if (v->fsel >= v->ftop + v->rows)
				v->ftop = v->fsel - v->rows + 1;
		}
		break;
	case PANE_REGISTERS:
		v->rsel += delta;
		if (v->rsel >= v->nregs)
			v->rsel = v->nregs - 1;
		if (v->rsel < 0)
			v->rsel = 0;
		if (v->rsel < v->rtop)
			v->rtop = v->rsel;
		if (v->rsel >= v->rtop + v->rows - 1)
			v->rtop = v->rsel - v->rows + 2;
		break;
	case PANE_TIMELINE:
		v->tcur += delta > 0 ? 1 : -1;
		if (v->tcur < 0)
			v->tcur = 0;
		if (v->tcur >= v->cols - 9)
			v->tcur = v->cols - 10;
		break;
	case PANES:
		break;
	}
}

static void enter(struct view *v)
{
	if (!v->x->done)
		return;
	switch (v->focus) {
	case PANE_FINDINGS:
		if (v->evidence)
			open_evidence(v);
		else if (v->x->a->nfindings) {
			v->evidence = 1;
			v->esel = 0;
		}
		break;
	case PANE_REGISTERS:
		if (v->nregs) {
			const struct reg_row *row = &v->regs[v->rsel];
			char bdf[16], reg[32], text[96];

			pt_bdf_str(row->dev->bdf, bdf, sizeof(bdf));
			pt_reg_str(row->reg->key >> 32, row->reg->key & 0xffffffff, reg, sizeof(reg));
			snprintf(text, sizeof(text), "dev=%s reg=%s", bdf, reg);
			apply_filter(v, text);
			v->focus = PANE_EVENTS;
		}
		break;
	case PANE_TIMELINE:
		timeline_span(v);
		break;
	default:
		break;
	}
}

static void mouse(struct view *v)
{
	MEVENT m;
	int y0 = 1 + timeline_rows(v) + 1;

	if (getmouse(&m) != OK)
		return;
	if (m.bstate & BUTTON4_PRESSED)
		move_by(v, -3);
#ifdef BUTTON5_PRESSED
	else if (m.bstate & BUTTON5_PRESSED)
		move_by(v, 3);
#endif
	else if ((m.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && m.y == 0) {
		int x = 13;

		for (int p = 0; p < PANES; p++) {
			int w = strlen(pane_names[p]) + 2;

			if (m.x >= x && m.x < x + w)
				v->focus = p;
			x += w;
		}
	} else if ((m.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && m.y >= y0 && m.y < y0 + v->rows) {
		if (v->focus == PANE_EVENTS) {
			v->cur = v->top + (m.y - y0);
			clamp(v);
		}
	}
}

/* One key; returns 1 to quit. */
static int key(struct view *v, int ch)
{
	char buf[128];

	v->msg[0] = 0;
	if (v->help) {
		v->help = 0;
		return 0;
	}
	switch (ch) {
	case 'q':
		return 1;
	case '?':
		v->help = 1;
		break;
	case KEY_UP: case 'k':
		move_by(v, -1);
		break;
	case KEY_DOWN: case 'j':
		move_by(v, 1);
		break;
	case KEY_LEFT: case 'h':
		if (v->focus == PANE_TIMELINE)
			move_by(v, -1);
		break;
	case KEY_RIGHT: case 'l':
		if (v->focus == PANE_TIMELINE)
			move_by(v, 1);
		break;
	case KEY_PPAGE:
		move_by(v, -(long)v->rows);
		break;
	case KEY_NPAGE: case ' ':
		if (ch == ' ' && v->focus == PANE_TIMELINE) {
			v->tmark = v->tcur;
			snprintf(v->msg, sizeof(v->msg), "span starts here: move, then Enter");
		} else {
			move_by(v, v->rows);
		}
		break;
	case 'g': case KEY_HOME:
		v->cur = v->top = 0;
		v->fsel = v->ftop = v->rsel = v->rtop = 0;
		v->following = 0;
		break;
	case 'G': case KEY_END:
		move_by(v, 1L << 40);
		break;
	case 'c':
		if (v->x->done)
			goto_entry(v, v->x->crash_pos);
		break;
	case 'm':
		if (list_count(v)) {
			struct pt_event ev;
			struct pt_access acc;

			if (!list_event(v, v->cur, &ev, &acc)) {
				v->have_mark = 1;
				v->mark_ts = ev.ts;
				snprintf(v->msg, sizeof(v->msg), "mark set at %+.6f s", rel(v, ev.ts));
			}
		}
		break;
	case '/':
		if (!prompt(v, "/", buf, sizeof(buf)) && buf[0]) {
			snprintf(v->search, sizeof(v->search), "%s", buf);
			search(v, 1);
		}
		break;
	case 'n':
		search(v, 1);
		break;
	case 'N':
		search(v, -1);
		break;
	case 'f':
		if (!v->x->done)
			snprintf(v->msg, sizeof(v->msg), "filters work once the trace is indexed");
		else if (!prompt(v, "filter (kind= dev= reg= vcpu= rw= value=; empty clears): ", buf, sizeof(buf)))
			apply_filter(v, buf);
		break;
	case '\t':
		v->focus = (v->focus + 1) % PANES;
		v->evidence = 0;
		break;
	case KEY_BTAB:
		v->focus = (v->focus + PANES - 1) % PANES;
		break;
	case '\n': case KEY_ENTER:
		enter(v);
		break;
	case 27:
		if (v->evidence) {
			v->evidence = 0;
		} else if (v->have_span || v->tmark >= 0) {
			size_t keep = list_count(v) ? list_entry(v, v->cur) : 0;

			v->have_span = 0;
			v->tmark = -1;
			rebuild_list(v);
			v->cur = list_pos(v, keep);
		} else {
			v->focus = PANE_EVENTS;
		}
		break;
	case KEY_MOUSE:
		mouse(v);
		break;
	case KEY_RESIZE:
		break;
	}
	return 0;
}

static void start_screen(struct view *v)
{
	initscr();
	cbreak();	/* ^C still signals */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		  | BUTTON5_PRESSED
#endif
		  , NULL);
	v->color = has_colors() && !getenv("NO_COLOR");
	if (v->color) {
		start_color();
		use_default_colors();
		init_pair(C_HEADER, COLOR_BLUE, -1);
		init_pair(C_SELECT, COLOR_CYAN, -1);
		init_pair(C_CRASH, COLOR_RED, -1);
		init_pair(C_STATUS, COLOR_BLUE, -1);
		init_pair(C_CRITICAL, COLOR_YELLOW, -1);
		init_pair(C_DIM, COLOR_GREEN, -1);
	}
}

int pt_tui_run(struct pt_tui_index *x, struct pt_err *err)
{
	struct view v = { .x = x, .following = 1, .tmark = -1 };
	struct sigaction sa = { 0 };
	int rc = 0;

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	start_screen(&v);
	/* until the index is done the list is the file's tail: start at its end */
	v.cur = x->ntail ? x->ntail - 1 : 0;
	draw(&v);
	while (!quit_signal) {
		int ch, dirty = 0;

		if (!x->done) {
			dirty = 1;
			int r = pt_tui_step(x, INDEX_SLICE, err);

			if (r < 0) {
				rc = -1;
				break;
			}
			if (x->done) {
				build_regs(&v);
				v.tcur = COLS - 10;	/* the timeline cursor starts at the crash */
				if (v.following)
					goto_entry(&v, x->crash_pos);
				else
					v.cur = v.top = 0;
			}
			timeout(0);
		} else {
			timeout(250);
		}
		ch = getch();
		if (ch != ERR && key(&v, ch))
			break;
		if (ch != ERR || dirty)
			draw(&v);
	}
	endwin();
	free(v.sel_list);
	free(v.regs);
	return rc;
}
