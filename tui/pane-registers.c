// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Registers pane: every register the guest touched, with its reads,
 * writes, last value and first and last access; Enter lists its accesses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-plugins.h"
#include "pane.h"

struct reg_row {
	const struct pt_device *dev;
	const struct pt_reg *reg;
};

struct registers {
	struct reg_row *rows;	/* made when the trace is indexed */
	int n, sel, top;
};

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

static void ready(struct view *v, void *st)
{
	struct registers *s = st;
	unsigned n;
	struct pt_device *const *devs = pt_model_devices(v->x->a->model, &n);
	int cap = 0;

	for (unsigned d = 0; d < n; d++)
		cap += devs[d]->nregs;
	s->rows = calloc(cap + 1, sizeof(*s->rows));
	s->n = 0;
	for (unsigned d = 0; d < n && s->rows; d++)
		for (unsigned r = 0; r < PT_MAX_REGS; r++)
			if ((devs[d]->regs[r].reads || devs[d]->regs[r].writes) && s->n < cap)
				s->rows[s->n++] = (struct reg_row){ devs[d], &devs[d]->regs[r] };
	if (s->rows)
		qsort(s->rows, s->n, sizeof(*s->rows), reg_order);
}

static void release(void *st)
{
	free(((struct registers *)st)->rows);
}

/* ">00:03.0 " and " %7u %7u %10llx %+10.4f %+10.4f" */
#define REG_OTHER_COLUMNS (9 + 50)

static void draw(struct view *v, void *st, int y0, int h)
{
	struct registers *s = st;
	/* the register column as wide as its longest name, in what the other columns leave */
	int width = REG_COLUMN, room = v->cols - REG_OTHER_COLUMNS;
	char reg[80];

	if (!v->x->done) {
		pt_view_put(v, y0, 0, C_DIM, 0, "the registers come when the whole trace is indexed");
		return;
	}
	for (int r = 0; r < h - 1 && s->top + r < s->n; r++) {
		const struct reg_row *row = &s->rows[s->top + r];

		pt_reg_label(row->dev, row->reg->key >> 32, row->reg->key & 0xffffffff, reg, sizeof(reg));
		if ((int)strlen(reg) > width)
			width = strlen(reg);
	}
	if (width > room)
		width = room > REG_COLUMN ? room : REG_COLUMN;
	pt_view_put(v, y0, 0, C_DIM, 1, " %-7s %-*s %7s %7s %10s %10s %10s", "device", width,
		    "register", "reads", "writes", "last value", "first", "last");
	for (int r = 0; r < h - 1 && s->top + r < s->n; r++) {
		const struct reg_row *row = &s->rows[s->top + r];
		char bdf[16];

		pt_bdf_str(row->dev->bdf, bdf, sizeof(bdf));
		pt_reg_label(row->dev, row->reg->key >> 32, row->reg->key & 0xffffffff, reg, sizeof(reg));
		pt_view_row(v, y0 + 1 + r, s->top + r == s->sel, 0, 0,
			    "%-7s %-*.*s %7u %7u %10llx %+10.4f %+10.4f", bdf, width, width, reg,
			    row->reg->reads, row->reg->writes, (unsigned long long)row->reg->last_val,
			    pt_rel(v->x->a, row->reg->first_ts), pt_rel(v->x->a, row->reg->last_ts));
	}
}

/* the columns' names take a row: a page is one row shorter */
static void move_by(struct view *v, void *st, long delta)
{
	struct registers *s = st;

	pt_view_scroll(&s->sel, &s->top, delta, s->n, v->rows - 1);
}

static void first(struct view *v, void *st)
{
	struct registers *s = st;

	(void)v;
	s->sel = s->top = 0;
}

/* The register's accesses: the event list filtered to them. */
static void enter(struct view *v, void *st)
{
	struct registers *s = st;
	const struct reg_row *row;
	char bdf[16], reg[32], text[96];

	if (!s->n)
		return;
	row = &s->rows[s->sel];
	pt_bdf_str(row->dev->bdf, bdf, sizeof(bdf));
	pt_reg_str(row->reg->key >> 32, row->reg->key & 0xffffffff, reg, sizeof(reg));
	snprintf(text, sizeof(text), "dev=%s reg=%s", bdf, reg);
	pt_events_filter(v, text);
	pt_view_focus(v, &pt_pane_events);
}

const struct pt_pane_ops pt_pane_registers = {
	.name = "Registers",
	.size = sizeof(struct registers),
	.ready = ready,
	.release = release,
	.draw = draw,
	.move_by = move_by,
	.first = first,
	.enter = enter,
};
