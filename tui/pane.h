// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The panes of pttrace tui, on tig's view_ops: one file each
 * (pane-events.c, pane-findings.c, pane-registers.c, pane-timeline.c), each
 * exporting one struct pt_pane_ops and owning its state; view.c has the
 * screen, the main loop, the prompt, the status line and the key table.
 * Private to tui/.
 */
#ifndef PT_TUI_PANE_H
#define PT_TUI_PANE_H

#include <stddef.h>
#include "pt-tui.h"

#define PT_PANES 4		/* Events, Findings, Registers, Timeline */
#define REG_COLUMN 22		/* "BAR2+0x0710 CP_RB_RPTR" */
#define DETAIL_ROWS 5		/* under the pane, above the status line */

struct pt_pane_ops;

/* colour pairs */
enum { C_NORMAL, C_HEADER, C_SELECT, C_CRASH, C_STATUS, C_CRITICAL, C_DIM };

/* The screen, which every pane may read; each pane's own state is in state[]. */
struct view {
	struct pt_tui_index *x;
	const struct pt_pane_ops *focus;
	void *state[PT_PANES];	/* each pane's, made by view.c: pt_view_state() */
	char msg[200];		/* on the rule above the detail area, until the next key */
	int help;		/* the help overlay is up */
	int color;
	int rows, cols;		/* a page of the pane area, in rows; the screen's width */
};

/*
 * One pane.  The view makes its state (SIZE bytes, zeroed) before the
 * screen and passes it as ST; every function but draw and move_by may be NULL.
 */
struct pt_pane_ops {
	const char *name;	/* its tab in the header, where a click opens it */
	size_t size;
	void (*init)(struct view *v, void *st);		/* the index has only the file's tail */
	void (*ready)(struct view *v, void *st);	/* the whole trace is indexed */
	void (*release)(void *st);			/* frees what ST holds, not ST */
	/* rows Y0 to Y0+H-1, then the detail area from Y0 (the view draws the rule) */
	void (*draw)(struct view *v, void *st, int y0, int h);
	void (*detail)(struct view *v, void *st, int y0);
	void (*move_by)(struct view *v, void *st, long delta);	/* rows; a page is v->rows */
	void (*first)(struct view *v, void *st);	/* g, which sends every pane to its top */
	void (*click)(struct view *v, void *st, int row);	/* on the ROWth row under the columns */
	void (*enter)(struct view *v, void *st);	/* only once the trace is indexed */
	int (*escape)(struct view *v, void *st);	/* 1 if it used the Esc */
	void (*leave)(struct view *v, void *st);	/* the focus goes to another pane */
};

extern const struct pt_pane_ops pt_pane_events, pt_pane_findings, pt_pane_registers,
	pt_pane_timeline;

/* view.c: the panes' state, focus and drawing */
void *pt_view_state(struct view *v, const struct pt_pane_ops *pane);
void pt_view_focus(struct view *v, const struct pt_pane_ops *pane);	/* the old one's leave */
/* FMT at Y, X, clipped to the screen; PAIR (C_*) when colours are on */
void pt_view_put(struct view *v, int y, int x, int pair, int bold, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void pt_view_fill(struct view *v, int y, int pair, int reverse);	/* a blank row */
/* A row of a list: '>' and the whole row highlighted when SELECTED, else PAIR. */
void pt_view_row(struct view *v, int y, int selected, int pair, int bold, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/*
 * TEXT over rows Y to YMAX-1 (never the status line), cut at spaces, rows
 * after the first indented by INDENT, each a list row (pt_view_row) that
 * SELECTED says is selected or not, or plain text from column 0 when
 * SELECTED is -1; returns the rows used.
 */
int pt_view_wrap(struct view *v, int y, int ymax, int indent, int selected, const char *text);
/* *SEL moved by DELTA within N rows; *TOP (may be NULL) keeps it on a page of PAGE rows. */
void pt_view_scroll(int *sel, int *top, long delta, int n, int page);

/* pane-events.c: the event list, which keys and the other panes act on too */
size_t pt_events_count(struct view *v);
void pt_events_fit(struct view *v);	/* the cursor on a page of v->rows */
/* Selects index entry E, lifting a filter or span that hides it, in the Events pane. */
void pt_events_goto(struct view *v, size_t e);
void pt_events_search(struct view *v, const char *text, int dir);	/* TEXT NULL: again */
void pt_events_filter(struct view *v, const char *text);	/* "" clears */
void pt_events_span(struct view *v, size_t lo, size_t hi);	/* entries LO to HI-1 only */
int pt_events_unspan(struct view *v);	/* 1 if there was a span */
void pt_events_mark(struct view *v);
/* "7474/10321  filter: ...  [span]  t=-1.020073" for the status line */
void pt_events_status(struct view *v, char *buf, size_t size);

/* pane-timeline.c: the strip at the top of the screen, and its span */
int pt_timeline_rows(struct view *v);
void pt_timeline_strip(struct view *v, int y0);
void pt_timeline_start_span(struct view *v);
int pt_timeline_clear_span(struct view *v);	/* the span and its start; 1 if there was one */

#endif
