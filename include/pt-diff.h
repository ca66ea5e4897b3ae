// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace diff as a library: what a trace of a run that crashed shows
 * that a trace of the same VM's run that did not crash does not, ranked
 * most likely to matter first.  Device state (power state, decode and bus
 * master, MSI/MSI-X, ASPM), accesses to no BAR, then registers touched in
 * one run only or with other values, then rates (normalised by each
 * trace's length), and the findings pttrace analyze makes of each: one
 * only the crash has ranks high, one the baseline has too is said to be
 * "also in the baseline" and ranks low.  Registers are keyed by device
 * (vendor:device and BDF), BAR and offset, never by address, so BARs
 * placed elsewhere still match.  It prints nothing.
 */
#ifndef PT_DIFF_H
#define PT_DIFF_H

#include <stdint.h>
#include "pt-analyze.h"

#define PT_DIFF_KINDS(X) \
	X(DEVICES,		"devices") \
	X(POWER,		"power-state") \
	X(COMMAND,		"command") \
	X(MSI,			"msi") \
	X(ASPM,			"aspm") \
	X(STRAY,		"stray-mmio") \
	X(CONFIG,		"config-write") \
	X(REGISTER_ONLY,	"register-only") \
	X(REGISTER_VALUES,	"register-values") \
	X(REGISTER_RATE,	"register-rate") \
	X(VECTOR_RATE,		"vector-rate") \
	X(VECTOR_LATENCY,	"vector-latency") \
	X(DEVICE_RATE,		"device-rate") \
	X(FINDING,		"finding")

enum pt_diff_kind {
#define PT_DIFF_ENUM(k, name) PT_DIFF_##k,
	PT_DIFF_KINDS(PT_DIFF_ENUM)
#undef PT_DIFF_ENUM
	PT_DIFF_NKINDS
};
const char *pt_diff_kind_name(enum pt_diff_kind kind);

/* "high" (score 80 and more), "medium" (50), "low" */
const char *pt_diff_level(unsigned score);

/* What one trace shows of a difference. */
struct pt_diff_side {
	int seen;		/* the trace has it at all */
	uint64_t count;		/* events behind it (accesses, interrupts) */
	uint64_t reads, writes;
	double rate;		/* count per second of that trace */
	char values[128];	/* "0x3, 0x0" or "D3hot", "" when none */
	int has_event;
	struct pt_event ev;	/* the first event that shows it (a value the other has not) */
	int last;		/* ev is the last write, which left the state it ends in */
	double rel;		/* ev's time, seconds from that trace's crash */
};

struct pt_diff_item {
	enum pt_diff_kind kind;
	unsigned score;		/* 0-100: higher matters more; the order */
	int has_device;
	uint16_t bdf, vendor, device;
	int bar;		/* PT_REG_CONFIG for config space, -1 none */
	uint64_t off;
	int vector;		/* -1 none */
	char detector[32];	/* a FINDING's detector, "" for the other kinds */
	char what[128];		/* "00:04.0 [8086:10d3] config+0xcc PM.PMCSR" */
	char title[256];
	struct pt_diff_side side[2];	/* [0] the baseline, [1] the crash */
};

/* One trace as the diff saw it. */
struct pt_diff_trace_info {
	struct pt_crash crash;
	double seconds;		/* analysed, to the crash */
	uint64_t events;	/* analysed */
	unsigned devices;	/* present */
};

struct pt_diff {
	/*
	 * 0 when the traces are not of the same VM and devices: REASON says
	 * why and ITEMS hold only the devices that differ.
	 */
	int comparable;
	char reason[256];
	struct pt_diff_trace_info trace[2];
	unsigned common_devices;
	struct pt_diff_item *items;	/* most likely to matter first */
	unsigned nitems;
};

/*
 * What the diff keeps of one trace while it is analysed: every register's
 * accesses and values, BAR accesses in D3hot, MMIO to no BAR.
 */
struct pt_diff_trace;

/* NULL with ERR set when out of memory.  Free with pt_diff_trace_free. */
struct pt_diff_trace *pt_diff_trace_new(struct pt_err *err);
void pt_diff_trace_free(struct pt_diff_trace *t);
/* Makes an analysis with OPTS (pt_analysis_new, pt_analyze_file) feed T. */
void pt_diff_trace_attach(struct pt_diff_trace *t, struct pt_analysis_opts *opts);

/*
 * Compares two finished analyses and what was kept of them.  Returns the
 * differences (free with pt_diff_free), or NULL with ERR set.
 */
struct pt_diff *pt_diff_compare(const struct pt_diff_trace *base, const struct pt_analysis *ba,
				const struct pt_diff_trace *crash, const struct pt_analysis *ca,
				struct pt_err *err);

/* Analyses the two files with OPTS (may be NULL) and compares them. */
struct pt_diff *pt_diff_files(const char *baseline, const char *crash,
			      const struct pt_analysis_opts *opts, struct pt_err *err);
void pt_diff_free(struct pt_diff *d);

#endif
