// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The curses screen of pttrace tui, on tig's model: each pane (Events,
 * Findings, Registers, Timeline) is a file of its own behind struct
 * pt_pane_ops (pane.h); this file has the screen, the main loop, the
 * prompt, the status line and the keys.  Every frame is drawn into
 * curses' virtual screen and written in one refresh; keys map to actions
 * in one table, which also makes the help overlay and the key list of
 * pttrace tui --help.
 */
#include <curses.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pane.h"
#include "pt-plugins.h"
#include "pt-tui-screen.h"

#define MIN_COLS 60		/* the event list's columns, cut but readable */
#define MIN_LINES 16		/* header, timeline, 2 events, the detail, the status line */
#define INDEX_SLICE 200000	/* events indexed between two looks at the keyboard */

/* in the order of the header's tabs, and of Tab */
static const struct pt_pane_ops *const panes[PT_PANES] = {
	&pt_pane_events, &pt_pane_findings, &pt_pane_registers, &pt_pane_timeline,
};

static const char title[] = " pttrace tui ";

static volatile sig_atomic_t quit_signal;

static void on_signal(int sig)
{
	quit_signal = sig;
}

/* ---- panes ------------------------------------------------------------ */

static int pane_index(const struct pt_pane_ops *pane)
{
	for (int p = 0; p < PT_PANES; p++)
		if (panes[p] == pane)
			return p;
	return 0;
}

void *pt_view_state(struct view *v, const struct pt_pane_ops *pane)
{
	return v->state[pane_index(pane)];
}

void pt_view_focus(struct view *v, const struct pt_pane_ops *pane)
{
	if (v->focus == pane)
		return;
	if (v->focus->leave)
		v->focus->leave(v, pt_view_state(v, v->focus));
	v->focus = pane;
}

/* ---- drawing ---------------------------------------------------------- */

static void vput(struct view *v, int y, int x, int pair, int bold, const char *fmt, va_list ap)
{
	char line[1024];
	int w = v->cols - x;

	if (w <= 0 || y < 0 || y >= LINES)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (v->color && pair)
		attron(COLOR_PAIR(pair));
	if (bold)
		attron(A_BOLD);
	mvaddnstr(y, x, line, w);
	if (bold)
		attroff(A_BOLD);
	if (v->color && pair)
		attroff(COLOR_PAIR(pair));
}

void pt_view_put(struct view *v, int y, int x, int pair, int bold, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(v, y, x, pair, bold, fmt, ap);
	va_end(ap);
}

void pt_view_fill(struct view *v, int y, int pair, int reverse)
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

void pt_view_row(struct view *v, int y, int selected, int pair, int bold, const char *fmt, ...)
{
	va_list ap;

	if (selected) {
		pt_view_fill(v, y, C_SELECT, 0);
		attron(A_REVERSE);
		pair = C_SELECT;
	}
	pt_view_put(v, y, 0, pair, bold, "%c", selected ? '>' : ' ');
	va_start(ap, fmt);
	vput(v, y, 1, pair, bold, fmt, ap);
	va_end(ap);
	if (selected)
		attroff(A_REVERSE);
}

int pt_view_wrap(struct view *v, int y, int ymax, int indent, int selected, const char *text)
{
	int rows = 0, w = v->cols - (selected >= 0) - indent;	/* a list row has its '>' */

	if (ymax > LINES - 1)
		ymax = LINES - 1;	/* the status line */
	if (w < 20)
		w = 20;
	while (*text && y + rows < ymax) {
		int n = strlen(text), first = !rows;
		int room = first ? w + indent : w;

		if (n > room) {		/* the last space that fits, or cut a word too long */
			for (n = room; n > room / 2 && text[n] != ' '; n--)
				;
			if (text[n] != ' ')
				n = room;
		}
		if (selected < 0)
			pt_view_put(v, y + rows, 0, 0, 0, "%*s%.*s", first ? 0 : indent, "", n, text);
		else
			pt_view_row(v, y + rows, selected, 0, 0, "%*s%.*s", first ? 0 : indent, "", n, text);
		text += n;
		while (*text == ' ')
			text++;
		rows++;
	}
	return rows;
}

void pt_view_scroll(int *sel, int *top, long delta, int n, int page)
{
	long s = *sel + delta;

	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	*sel = s;
	if (!top)
		return;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + page)
		*top = *sel - page + 1;
}

static void draw_header(struct view *v)
{
	int x = sizeof(title) - 1;

	pt_view_fill(v, 0, C_HEADER, 1);
	attron(A_REVERSE);
	pt_view_put(v, 0, 0, C_HEADER, 1, "%s", title);
	for (int p = 0; p < PT_PANES; p++) {
		char tab[24];

		snprintf(tab, sizeof(tab), " %s ", panes[p]->name);
		if (panes[p] == v->focus) {
			attroff(A_REVERSE);
			pt_view_put(v, 0, x, C_SELECT, 1, "%s", tab);
			attron(A_REVERSE);
		} else {
			pt_view_put(v, 0, x, C_HEADER, 0, "%s", tab);
		}
		x += strlen(tab);
	}
	pt_view_put(v, 0, x + 1, C_HEADER, 0, "%s", v->x->done ?
		    pt_crash_kind_name(v->x->a->crash.kind) : "indexing...");
	attroff(A_REVERSE);
}

static void draw_status(struct view *v)
{
	char list[320], left[600];
	const char *base = strrchr(v->x->path, '/');

	pt_events_status(v, list, sizeof(list));
	/* what moves first, the file's name last: a narrow terminal cuts the name */
	snprintf(left, sizeof(left), " %s  %.200s  ? help", list, base ? base + 1 : v->x->path);
	pt_view_fill(v, LINES - 1, C_STATUS, 1);
	attron(A_REVERSE);
	pt_view_put(v, LINES - 1, 0, C_STATUS, 0, "%s", left);
	attroff(A_REVERSE);
}

static void draw_help(struct view *v);

static void draw(struct view *v)
{
	int y0, h;
	void *st = pt_view_state(v, v->focus);

	v->cols = COLS;
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {	/* the panes would overlap */
		pt_view_put(v, 0, 0, 0, 1, "terminal too small: %dx%d", COLS, LINES);
		pt_view_put(v, 1, 0, 0, 0, "pttrace tui wants %dx%d;", MIN_COLS, MIN_LINES);
		pt_view_put(v, 2, 0, 0, 0, "enlarge it, or q quits");
		refresh();
		return;
	}
	y0 = 1 + pt_timeline_rows(v);
	draw_header(v);
	pt_timeline_strip(v, 1);
	h = LINES - y0 - DETAIL_ROWS - 2;
	v->rows = h - 1 > 1 ? h - 1 : 1;
	pt_events_fit(v);	/* the page may have changed */
	v->focus->draw(v, st, y0, h);
	mvhline(y0 + h, 0, '-', v->cols);
	if (v->focus->detail)
		v->focus->detail(v, st, y0 + h + 1);
	draw_status(v);
	/* messages go on the rule above the detail pane, the status line stays */
	if (v->msg[0])
		pt_view_put(v, y0 + h, 0, C_CRITICAL, 1, "-- %s ", v->msg);
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
		pt_view_fill(v, LINES - 1, C_STATUS, 0);
		pt_view_put(v, LINES - 1, 0, 0, 1, "%s%s", label, buf);
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

static void move_focus(struct view *v, long delta)
{
	v->focus->move_by(v, pt_view_state(v, v->focus), delta);
}

static void mouse(struct view *v)
{
	MEVENT m;
	int y0 = 1 + pt_timeline_rows(v) + 1;	/* the pane's first row under its columns */

	if (getmouse(&m) != OK)
		return;
	if (m.bstate & BUTTON4_PRESSED)
		move_focus(v, -3);
#ifdef BUTTON5_PRESSED
	else if (m.bstate & BUTTON5_PRESSED)
		move_focus(v, 3);
#endif
	else if ((m.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && m.y == 0) {
		int x = sizeof(title) - 1;

		for (int p = 0; p < PT_PANES; p++) {
			int w = strlen(panes[p]->name) + 2;

			if (m.x >= x && m.x < x + w)
				pt_view_focus(v, panes[p]);
			x += w;
		}
	} else if ((m.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && m.y >= y0 && m.y < y0 + v->rows) {
		if (v->focus->click)
			v->focus->click(v, pt_view_state(v, v->focus), m.y - y0);
	}
}

/* ---- the keys: actions, and the table ---------------------------------- */

/* An action of a key, given the argument of that key; returns 1 to quit. */
typedef int (*pt_action)(struct view *v, long arg);

static int act_move(struct view *v, long arg)
{
	move_focus(v, arg);
	return 0;
}

static int act_page(struct view *v, long arg)
{
	move_focus(v, arg * (long)v->rows);
	return 0;
}

/* g sends every pane to its top, G the focused one to its end */
static int act_ends(struct view *v, long arg)
{
	if (arg > 0) {
		move_focus(v, 1L << 40);
		return 0;
	}
	for (int p = 0; p < PT_PANES; p++)
		if (panes[p]->first)
			panes[p]->first(v, v->state[p]);
	return 0;
}

static int act_span_start(struct view *v, long arg)
{
	(void)arg;
	pt_timeline_start_span(v);
	return 0;
}

/* 0: ask for the text; 1, -1: the next, the previous match */
static int act_search(struct view *v, long arg)
{
	char buf[128];

	if (arg)
		pt_events_search(v, NULL, arg);
	else if (!prompt(v, "/", buf, sizeof(buf)) && buf[0])
		pt_events_search(v, buf, 1);
	return 0;
}

static int act_filter(struct view *v, long arg)
{
	char buf[128];

	(void)arg;
	if (!v->x->done)
		snprintf(v->msg, sizeof(v->msg), "filters work once the trace is indexed");
	else if (!prompt(v, "filter (kind=a,b kind!=c dev= reg= vcpu= rw= value=): ", buf, sizeof(buf)))
		pt_events_filter(v, buf);
	return 0;
}

static int act_crash(struct view *v, long arg)
{
	(void)arg;
	if (v->x->done)
		pt_events_goto(v, v->x->crash_pos);
	return 0;
}

static int act_mark(struct view *v, long arg)
{
	(void)arg;
	pt_events_mark(v);
	return 0;
}

static int act_pane(struct view *v, long arg)
{
	pt_view_focus(v, panes[(pane_index(v->focus) + PT_PANES + arg) % PT_PANES]);
	return 0;
}

static int act_enter(struct view *v, long arg)
{
	(void)arg;
	if (v->x->done && v->focus->enter)
		v->focus->enter(v, pt_view_state(v, v->focus));
	return 0;
}

/* the pane's own back (a finding's evidence), else the span, else to the Events */
static int act_escape(struct view *v, long arg)
{
	(void)arg;
	if (v->focus->escape && v->focus->escape(v, pt_view_state(v, v->focus)))
		return 0;
	if (!pt_timeline_clear_span(v))
		pt_view_focus(v, &pt_pane_events);
	return 0;
}

static int act_help(struct view *v, long arg)
{
	(void)arg;
	v->help = 1;
	return 0;
}

static int act_quit(struct view *v, long arg)
{
	(void)v;
	(void)arg;
	return 1;
}

static int act_mouse(struct view *v, long arg)
{
	(void)arg;
	mouse(v);
	return 0;
}

/*
 * Every key: what the help shows (KEYS, and HELP after the pane's name
 * when it works in one PANE only), the action, and the keys with the
 * argument each passes.  A pane's own binding wins over one for all panes.
 */
static const struct pt_key {
	const char *keys, *help;
	const struct pt_pane_ops *pane;
	pt_action act;
	struct {
		int ch;
		long arg;
	} bind[4];
} keys[] = {
	{ "up/down j/k", "move", NULL, act_move,
	  { { KEY_UP, -1 }, { 'k', -1 }, { KEY_DOWN, 1 }, { 'j', 1 } } },
	{ "left/right h/l", "move the cursor", &pt_pane_timeline, act_move,
	  { { KEY_LEFT, -1 }, { 'h', -1 }, { KEY_RIGHT, 1 }, { 'l', 1 } } },
	{ "PgUp/PgDn Space", "a page up, down", NULL, act_page,
	  { { KEY_PPAGE, -1 }, { KEY_NPAGE, 1 }, { ' ', 1 } } },
	{ "Space", "a span starts here; move, then Enter", &pt_pane_timeline, act_span_start,
	  { { ' ', 0 } } },
	{ "g/G Home/End", "first, last", NULL, act_ends,
	  { { 'g', -1 }, { 'G', 1 }, { KEY_HOME, -1 }, { KEY_END, 1 } } },
	{ "/", "search: a number, an event kind, 00:03.0, BAR0+0x24", NULL, act_search,
	  { { '/', 0 } } },
	{ "n/N", "the next, the previous match (a search wraps)", NULL, act_search,
	  { { 'n', 1 }, { 'N', -1 } } },
	{ "f", "filter: kind=a,b dev!=c reg= vcpu= rw= value= (empty clears)", NULL, act_filter,
	  { { 'f', 0 } } },
	{ "c", "back to the crash", NULL, act_crash, { { 'c', 0 } } },
	{ "m", "mark; the detail shows the time from it", NULL, act_mark, { { 'm', 0 } } },
	{ "Tab/Shift-Tab", "the next, the previous pane", NULL, act_pane,
	  { { '\t', 1 }, { KEY_BTAB, -1 } } },
	{ "Enter", "open: a finding's evidence, its event, a register, a span", NULL, act_enter,
	  { { '\n', 0 }, { KEY_ENTER, 0 } } },
	{ "Esc", "back; clears the span", NULL, act_escape, { { 27, 0 } } },
	{ "?", "this help", NULL, act_help, { { '?', 0 } } },
	{ "q", "quit", NULL, act_quit, { { 'q', 0 } } },
	{ "mouse", "the wheel scrolls, a click selects a row or a pane", NULL, act_mouse,
	  { { KEY_MOUSE, 0 } } },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define NBIND (sizeof(keys[0].bind) / sizeof(keys[0].bind[0]))

/* One line of the key list: the keys right-aligned in a column, then what they do. */
static int key_line(const struct pt_key *k, char *buf, size_t size)
{
	int width = 0;

	for (size_t i = 0; i < NKEYS; i++)
		if ((int)strlen(keys[i].keys) > width)
			width = strlen(keys[i].keys);
	return snprintf(buf, size, "%*s  %s%s%s", width, k->keys, k->pane ? k->pane->name : "",
			k->pane ? ": " : "", k->help);
}

void pt_tui_print_keys(FILE *f)
{
	char line[160];

	fputs("\nKeys (? shows them in the browser too):\n", f);
	for (size_t i = 0; i < NKEYS; i++) {
		key_line(&keys[i], line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
}

static void draw_help(struct view *v)
{
	static const char head[] = "pttrace tui keys", foot[] = "any key closes this help";
	char line[160];
	int h = NKEYS + 6, w = 0, y0, x0;	/* rule, head, blank, keys, blank, foot, rule */

	for (size_t i = 0; i < NKEYS; i++) {
		int n = key_line(&keys[i], line, sizeof(line));

		if (n > w)
			w = n;
	}
	w += 4;
	y0 = (LINES - h) / 2;
	x0 = (v->cols - w) / 2;
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	for (int r = 0; r < h; r++)
		mvhline(y0 + r, x0, r == 0 || r == h - 1 ? '-' : ' ', w);
	pt_view_put(v, y0 + 1, x0 + 2, 0, 1, "%s", head);
	for (size_t i = 0; i < NKEYS; i++) {
		key_line(&keys[i], line, sizeof(line));
		pt_view_put(v, y0 + 3 + i, x0 + 2, 0, 0, "%s", line);
	}
	pt_view_put(v, y0 + h - 2, x0 + (w - (int)strlen(foot)) / 2, 0, 0, "%s", foot);
}

/* The table's row for CH in the focused pane, and the argument of CH; NULL if none. */
static const struct pt_key *find_key(const struct view *v, int ch, long *arg)
{
	const struct pt_key *any = NULL;

	for (size_t i = 0; i < NKEYS; i++) {
		for (size_t b = 0; b < NBIND && keys[i].bind[b].ch; b++) {
			if (keys[i].bind[b].ch != ch)
				continue;
			if (keys[i].pane == v->focus) {
				*arg = keys[i].bind[b].arg;
				return &keys[i];
			}
			if (!keys[i].pane && !any) {
				*arg = keys[i].bind[b].arg;
				any = &keys[i];
			}
		}
	}
	return any;
}

/* One key; returns 1 to quit. */
static int key(struct view *v, int ch)
{
	const struct pt_key *k;
	long arg = 0;

	v->msg[0] = 0;
	if (v->help) {
		v->help = 0;
		return 0;
	}
	k = find_key(v, ch, &arg);
	return k ? k->act(v, arg) : 0;
}

/* ---- the screen and the loop ------------------------------------------ */

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
	struct view v = { .x = x, .focus = &pt_pane_events };
	struct sigaction sa = { 0 };
	int rc = 0;

	for (int p = 0; p < PT_PANES; p++) {
		v.state[p] = calloc(1, panes[p]->size);
		if (!v.state[p]) {
			rc = pt_err_set(err, "out of memory for the screen");
			goto out;
		}
	}
	for (int p = 0; p < PT_PANES; p++)
		if (panes[p]->init)
			panes[p]->init(&v, v.state[p]);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	start_screen(&v);
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
			if (x->done)	/* just now */
				for (int p = 0; p < PT_PANES; p++)
					if (panes[p]->ready)
						panes[p]->ready(&v, v.state[p]);
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
	if (!rc && quit_signal)
		rc = quit_signal;
out:
	for (int p = 0; p < PT_PANES; p++) {
		if (v.state[p] && panes[p]->release)
			panes[p]->release(v.state[p]);
		free(v.state[p]);
	}
	return rc;
}
