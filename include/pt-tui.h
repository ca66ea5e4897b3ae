// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model behind pttrace tui, without curses: an index of every kvm
 * event in the trace, built a slice at a time so the screen stays live,
 * 16 bytes per event (where the record is, its kind, vcpu and device, and
 * the low halves of its address and value, enough to filter and search
 * without reading the file again); records are read again on demand for
 * display.  It also runs the analysis, for findings and the device model.
 */
#ifndef PT_TUI_H
#define PT_TUI_H

#include <stddef.h>
#include <stdint.h>
#include "pt-analyze.h"
#include "pt-reader.h"

#define PT_TUI_NO_DEVICE 0xff
#define PT_TUI_BUCKETS 256
#define PT_TUI_TIMELINE_DEVICES 6

/*
 * where: the record's offset:37, access type:3 (enum pt_access_type),
 * buffer:4, kind:4, vcpu:8 (0xff unknown), device index:8.  addr is the
 * low half of the GPA, port or MSR, or for a config access the config
 * offset; val the low half of the value.
 */
struct pt_tui_entry {
	uint64_t where;
	uint32_t addr, val;
};

/* Registers named in a search or filter ("STATUS"): device index, BAR (or config), offset */
#define PT_TUI_NAMED_REGS 32
struct pt_tui_regs {
	unsigned n;
	struct { int device, bar; uint64_t off; } r[PT_TUI_NAMED_REGS];
};

/*
 * A filter: every key's condition holds.  Each key has [0], key=a,b (one of
 * them; repeating the key adds values) and [1], key!=a,b (none of them);
 * n == 0 says nothing.  All zero passes every event.
 */
#define PT_TUI_FILTER_VALUES 8
struct pt_tui_filter_ints {
	unsigned n;
	int64_t v[PT_TUI_FILTER_VALUES];
};

struct pt_tui_filter_regs {
	unsigned n;
	struct {
		int bar;		/* PT_REG_CONFIG for config space */
		uint64_t off;
		char name[48];		/* reg=PMCSR: by name, bar and off unused; "" not */
	} r[PT_TUI_FILTER_VALUES];
};

struct pt_tui_filter {
	uint32_t kinds;		/* bit per kind that passes; 0 means all */
	int none;		/* the terms leave no kind (kind=msi kind!=msi) */
	uint8_t rw[2];		/* bit 0 reads, bit 1 writes */
	struct pt_tui_filter_ints device[2];	/* device indexes; -2 a device not in the trace */
	struct pt_tui_filter_ints vcpu[2];
	struct pt_tui_filter_ints value[2];
	struct pt_tui_filter_regs reg[2];
};

struct pt_tui_index {
	char path[4096];
	const char *vm;		/* --vm: only this VM's events (PID or thread name); NULL all */
	int8_t vm_wanted[PT_MAX_VMS];	/* per VM index: 1 shown, 0 not, -1 not decided yet */
	struct pt_reader *seq;		/* builds the index, front to back */
	struct pt_reader *rnd;		/* reads records again, anywhere */
	struct pt_analysis *a;
	struct pt_tui_entry *entries;
	size_t n, cap;
	struct pt_tui_store *store;	/* ENTRIES' memory (tui/index-store.c) */
	size_t room;			/* entries written before asking the store again */
	int done;
	size_t crash_pos;		/* the first event at or after the crash */
	uint16_t dev_bdf[255];		/* device index -> bdf */
	unsigned ndevs;
	unsigned last_dev;		/* the device index found last */
	/* the timeline: counts per bucket, buckets widened as the trace goes on */
	uint64_t t0, bucket_ns;
	unsigned bucket;		/* the last event's, which began BUCKET_SINCE ns after t0 */
	uint64_t bucket_since;
	uint32_t dev_counts[PT_TUI_NO_DEVICE][PT_TUI_BUCKETS];	/* BAR accesses */
	uint32_t irq_counts[PT_TUI_BUCKETS];
	uint64_t dev_total[PT_TUI_NO_DEVICE];	/* BAR accesses */
	/* the last events of the file, read backwards at once: shown until the index is done */
	struct pt_event tail[256];
	unsigned ntail;
};

/*
 * OPTS (NULL: none) as pttrace analyze takes them: symbols names guest rips
 * and vm picks the VM (both must outlive the index); at, window, device and
 * vcpu go to the analysis, and device and vcpu are the filter the event
 * list opens with (pt_tui_start_filter).
 */
int pt_tui_open(struct pt_tui_index *x, const char *path, const struct pt_analysis_opts *opts,
		struct pt_err *err);
/* "dev=00:03.0 vcpu=1", the filter of the open's --device and --vcpu, or "" */
void pt_tui_start_filter(const struct pt_tui_index *x, char *buf, size_t size);
void pt_tui_close(struct pt_tui_index *x);

/* Indexes up to BUDGET more events; 1 while there are more, 0 when done, -1 on error. */
int pt_tui_step(struct pt_tui_index *x, size_t budget, struct pt_err *err);

static inline uint64_t pt_tui_offset(const struct pt_tui_entry *e) { return e->where & ((1ull << 37) - 1); }
static inline unsigned pt_tui_type(const struct pt_tui_entry *e) { return (e->where >> 37) & 7; }
static inline unsigned pt_tui_buffer(const struct pt_tui_entry *e) { return (e->where >> 40) & 0xf; }
static inline unsigned pt_tui_kind(const struct pt_tui_entry *e) { return (e->where >> 44) & 0xf; }
static inline int pt_tui_vcpu(const struct pt_tui_entry *e)
{
	unsigned v = (e->where >> 48) & 0xff;

	return v == 0xff ? -1 : (int)v;
}
static inline unsigned pt_tui_device(const struct pt_tui_entry *e) { return e->where >> 56; }

/*
 * Fills E for EV at POS, which the model resolved to ACC, as the index
 * keeps it (a device gets its index here); for a reader that matches
 * events with pt_tui_match without keeping them.  Returns the device
 * index, -1 for none.
 */
int pt_tui_entry_set(struct pt_tui_index *x, struct pt_tui_entry *e, const struct pt_event *ev,
		     const struct pt_position *pos, const struct pt_access *acc);

/* Up to MAX device indexes with BAR traffic, busiest first. */
int pt_tui_timeline_devices(const struct pt_tui_index *x, unsigned *out, unsigned max);

/*
 * Reads entry I's event again, with its vcpu from the index and, for an
 * access, the rip of the nearest rip record before it on that vcpu.  0, or -1.
 */
int pt_tui_event(struct pt_tui_index *x, size_t i, struct pt_event *ev);
/* What entry I touched (device, BAR, offset), as the final device model maps it. */
void pt_tui_access(struct pt_tui_index *x, size_t i, const struct pt_event *ev, struct pt_access *acc);
const struct pt_device *pt_tui_device_of(struct pt_tui_index *x, unsigned device_index);
int pt_tui_device_index(struct pt_tui_index *x, uint16_t bdf);

/* The first entry at or after TS (binary search, reading a few records). */
size_t pt_tui_find_ts(struct pt_tui_index *x, uint64_t ts);

int pt_tui_match(struct pt_tui_index *x, const struct pt_tui_entry *e, const struct pt_tui_filter *f);

/*
 * Search: QUERY is a number (an address, port, MSR or value), an event
 * kind ("mmio read", "msi"), a BDF ("00:03.0"), a register ("BAR0+0x24") or
 * a register's name ("IRQ_STATUS"; a part of it, "STATUS", finds every
 * register whose name has it unless one is named just that).
 * From entry FROM in direction DIR (+1/-1), among entries passing F.
 * Returns the entry, or (size_t)-1.
 */
size_t pt_tui_search(struct pt_tui_index *x, const char *query, size_t from, int dir,
		     const struct pt_tui_filter *f);

/*
 * Parses "kind=mmio dev=00:03.0 reg=BAR0+0x24 vcpu=0 rw=r value=0x100"
 * (reg= also takes a name: reg=PMCSR): space-separated terms, all of which
 * must hold.  Every key also takes a comma list, any of whose values
 * passes (kind=mmio,pio), and != for none of them (kind!=emulate,exit).
 * -1 with ERR.
 */
int pt_tui_parse_filter(struct pt_tui_index *x, const char *text, struct pt_tui_filter *f,
			struct pt_err *err);

#endif
