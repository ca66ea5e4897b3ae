// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace analyze as a library: reads a trace.dat recorded around a guest
 * crash, rebuilds what the guest driver did to its devices and returns
 * the suspicious behaviour as ranked findings with evidence.  It streams:
 * memory stays bounded whatever the trace's length.
 */
#ifndef PT_ANALYZE_H
#define PT_ANALYZE_H

#include <stdint.h>
#include "pt-event.h"
#include "pt-exit-reasons.h"
#include "pt-advice.h"
#include "pt-json.h"
#include "pt-model.h"
#include "pt-reader.h"
#include "pt-symbols.h"
#include "pttrace.h"

enum pt_crash_kind {
	PT_CRASH_END_OF_TRACE,	/* no crash signal: the end of the trace */
	PT_CRASH_PVPANIC,
	PT_CRASH_TRIPLE_FAULT,	/* KVM_EXIT_SHUTDOWN */
	PT_CRASH_HYPERV,	/* Hyper-V crash MSRs: a Windows bugcheck */
	PT_CRASH_DOUBLE_FAULT,
	PT_CRASH_MACHINE_CHECK,
	PT_CRASH_RESET,		/* the guest reset itself (0xCF9, 0x64, system event) */
	PT_CRASH_INTERNAL_ERROR,	/* KVM_EXIT_INTERNAL_ERROR: KVM gave up */
	PT_CRASH_GIVEN,		/* --at */
};

struct pt_crash {
	enum pt_crash_kind kind;
	uint64_t ts;
	int vcpu;
	struct pt_event event;	/* the event that says so (not for END_OF_TRACE/GIVEN) */
	int has_bugcheck;
	uint64_t bugcheck, params[4];
	/*
	 * The Hyper-V crash MSRs the trace shows written, bits 0-4 P0-P4 and
	 * bit 5 CRASH_CTL, and which of those writes KVM refused with #GP:
	 * a host whose KVM has no Hyper-V crash MSRs.
	 */
	unsigned hv_written, hv_refused;
	int bugcheck_from_qmp;	/* the bugcheck is QMP's GUEST_PANICKED (metadata), not the trace's */
};

const char *pt_crash_kind_name(enum pt_crash_kind kind);
/*
 * When C has no bugcheck and META (pttrace's metadata, may be NULL) holds
 * QMP's GUEST_PANICKED with Hyper-V details, the bugcheck is taken from it.
 */
void pt_crash_apply_meta(struct pt_crash *c, const struct pt_json *meta);
/* "VIDEO_TDR_FAILURE"; NULL for codes it does not know */
const char *pt_bugcheck_name(uint64_t code);

enum pt_severity { PT_SEV_INFO, PT_SEV_LOW, PT_SEV_MEDIUM, PT_SEV_HIGH, PT_SEV_CRITICAL };
const char *pt_severity_name(enum pt_severity sev);

/*
 * What kind of failure a finding names, as the README lists them.  The
 * rank orders causes before their consequences: a device state that makes
 * the awaited event impossible (rank 1, and a reset or power transition
 * done wrong, rank 0, explains that) explains a device that stopped
 * answering (2), which explains a value the guest consumed (3), which
 * explains a poll or a fault (4); context comes last.
 */
#define PT_FINDING_CLASSES(X) \
	X(TOO_SOON,		"too-soon",		0) \
	X(INTERRUPT_PATH,	"interrupt-path",	1) \
	X(POWERED_DOWN,		"powered-down",		1) \
	X(NOT_RESET,		"not-reset",		1) \
	X(STRAY_MMIO,		"stray-mmio",		1) \
	X(DEVICE_GONE,		"device-gone",		2) \
	X(RESET_HANG,		"reset-hang",		2) \
	X(IRQ_STORM,		"irq-storm",		2) \
	X(BAD_VALUE,		"bad-value",		3) \
	X(POLLING,		"polling",		4) \
	X(FAULT_AFTER_ACCESS,	"fault-after-access",	4) \
	X(CONTEXT,		"context",		5)

enum pt_finding_class {
#define PT_CLASS_ENUM(c, name, rank) PT_CLASS_##c,
	PT_FINDING_CLASSES(PT_CLASS_ENUM)
#undef PT_CLASS_ENUM
	PT_CLASSES
};
const char *pt_class_name(enum pt_finding_class c);
unsigned pt_class_rank(enum pt_finding_class c);

#define PT_MAX_EVIDENCE 8

struct pt_evidence {
	struct pt_event ev;
	char note[96];		/* what this event shows, "PMCSR: D0 -> D3hot" */
	int has_target;		/* bdf/bar/off below are set */
	uint16_t bdf;
	int bar;		/* PT_REG_CONFIG for config space, -1 for none */
	uint64_t off;
};

struct pt_finding {
	const char *detector;	/* its name; pt_finding_add sets it */
	char title[256];
	enum pt_severity severity;
	unsigned confidence;	/* percent */
	int has_device;
	uint16_t bdf;
	uint16_t vendor, device;
	int bar;		/* -1 when the finding is about no one register */
	uint64_t off;
	uint64_t count;		/* how many events show it */
	uint64_t rip;		/* guest code that made the access, 0 when unknown */
	char function[128];	/* RIP as "function+0xoff" with --guest-elf, else "" */
	uint64_t first_ts, last_ts;
	/*
	 * It rests on BARs the trace does not show (begun after boot, no
	 * pttrace metadata, no --device): its severity is lowered, and the
	 * reports say how to give them.
	 */
	int unknown_bars;
	char why[320];		/* why it matters */
	char advice[512];	/* what to try, in the VM's terms (pt-advice.h) */
	struct pt_evidence evidence[PT_MAX_EVIDENCE];
	unsigned nevidence;
	enum pt_finding_class cls;
	/*
	 * The finding (index into pt_analysis.findings) this one follows
	 * from, -1 when none: set by pt_analysis_finish once all are in.
	 */
	int caused_by;
};

struct pt_analysis;

struct pt_analysis_opts {
	int have_at;
	uint64_t at_ts;		/* --at: the crash is here (trace clock, ns) */
	uint64_t window_ns;	/* --window: only the last part before the crash; 0 all */
	int have_device;
	uint16_t device;	/* --device BDF: only this device's findings */
	int vcpu;		/* --vcpu: only this vcpu's events; -1 all */
	const char **hints;	/* --device BDF:BAR=GPA[+SIZE] */
	unsigned nhints;
	struct pt_model_opts model;
	const struct pt_symbols *symbols;	/* --guest-elf: names guest rips; may be NULL */
	const char *vm;		/* --vm PID|NAME: the VM of a host-wide trace; NULL: the crashed one */
	unsigned jobs;		/* --jobs: threads reading the file (pt_reader_set_jobs); 0 one a cpu */
	/* called now and then while reading; events so far, seconds of trace read */
	void (*progress)(void *ctx, uint64_t events, double trace_seconds);
	void *progress_ctx;
	/*
	 * called for every event analysed, with what the model resolved it to
	 * (pttrace diff keeps registers' values this way); may be NULL
	 */
	void (*on_access)(void *ctx, const struct pt_analysis *a, const struct pt_event *ev,
			  const struct pt_access *acc);
	void *access_ctx;
};

#define PT_MAX_VCPUS 64
#define PT_MAX_VECTORS 256

struct pt_vcpu_stats {
	uint64_t events;
	uint64_t by_kind[PT_EV_KINDS];
	uint64_t user_exits[40];	/* by KVM_EXIT_* reason */
	uint64_t exits_other;		/* kvm_exit reasons are too many to keep each */
	uint32_t exit_reasons[64];	/* kvm_exit: the first 64 distinct reasons */
	uint64_t exit_counts[64];
	unsigned nexit_reasons;
	uint64_t last_rip;		/* of the latest kvm_exit, emulate or page fault */
	/*
	 * MMIO exits, whether kvm_mmio was recorded or not: EPT_MISCONFIG on
	 * VMX (KVM's MMIO SPTEs; set by pt_analysis_finish once the ISA is
	 * known), NPFs whose kvm_page_fault has the reserved bit on SVM.
	 */
	uint64_t mmio_exits;
	/* EPT violations and NPFs whose kvm_page_fault GPA is in a device BAR */
	uint64_t bar_faults;
};

struct pt_vector_stats {
	uint64_t raised;	/* MSIs and line asserts for this vector */
	uint64_t accepted, eois;
	uint64_t lat_count;	/* raise -> accept pairs measured */
	uint64_t lat_sum_ns, lat_max_ns;
	uint64_t ack_count;	/* accept -> EOI pairs measured */
	uint64_t ack_sum_ns, ack_max_ns;
	uint64_t pending_raise_ts, pending_accept_ts;
};

struct pt_analysis {
	struct pt_reader_info info;
	struct pt_crash crash;
	struct pt_finding *findings;
	unsigned nfindings;
	struct pt_model *model;
	uint64_t by_kind[PT_EV_KINDS];
	uint64_t after_crash;		/* events after the crash point, not analysed */
	uint64_t before_window;		/* events before --window, not analysed */
	uint64_t analysed;
	struct pt_vcpu_stats vcpu[PT_MAX_VCPUS];
	unsigned nvcpus;
	uint8_t vcpu_seen[PT_MAX_VCPUS];	/* every vcpu with an event, whatever --vcpu says */
	struct pt_vector_stats vector[PT_MAX_VECTORS];
	/*
	 * enum pt_exit_isa of the kvm_exit reasons, set by pt_analysis_finish:
	 * the reader's (info.exit_isa), else guessed from the reasons seen
	 * (exit_isa_guessed), else PT_ISA_UNKNOWN and reasons are numbers.
	 */
	int exit_isa;
	int exit_isa_guessed;
	uint64_t window_start;		/* ts of the first event analysed */
	/*
	 * From when every host cpu's buffer has events: a flight recorder
	 * overwrites each cpu's oldest events on its own, so before this
	 * the trace holds only some cpus' (the latest of the cpus' first events).
	 */
	uint64_t complete_from;
	struct pt_analysis_opts opts;
	unsigned vm;			/* which of info.vms this is */
	uint64_t unattributed;		/* events of a host-wide trace no VM's thread raised */
	/* pttrace's metadata from the file (pt-meta.h), NULL when it has none */
	struct pt_json *meta;
	char *meta_text;
	int meta_damaged;		/* the file has metadata that does not parse */
	/* where the time went (CLOCK_MONOTONIC ns), for --stats and the benchmark */
	uint64_t open_ns, read_ns, finish_ns;
	/* CPU time reading took: the caller's thread (merge, model, detectors), all threads */
	uint64_t read_cpu_own_ns, read_cpu_all_ns;
};

/*
 * Analyses the trace at PATH.  Returns the analysis (free with
 * pt_analysis_free) or NULL with ERR set.
 */
struct pt_analysis *pt_analyze_file(const char *path, const struct pt_analysis_opts *opts,
				    struct pt_err *err);
void pt_analysis_free(struct pt_analysis *a);

/* A detector the analysis runs, as a user sees it. */
struct pt_detector_info {
	const char *name;
	const char *summary;
	const char *plugin;	/* the plugin that added it; NULL: built in */
};

/*
 * The detectors an analysis runs, in their order (the built-in ones, then
 * those of the plugins loaded): fills LIST with up to MAX of them and
 * returns how many there are.  The one list behind `pttrace plugins`,
 * `analyze --list-detectors` and the README's table (a test compares them).
 */
unsigned pt_analysis_detectors(struct pt_detector_info *list, unsigned max);

/* The same over events given in time order, for tests and other readers. */
struct pt_analysis *pt_analysis_new(const struct pt_analysis_opts *opts, struct pt_err *err);
void pt_analysis_feed(struct pt_analysis *a, const struct pt_event *ev);
/* The same, telling what the model resolved EV to (type NONE after the crash). */
void pt_analysis_feed_access(struct pt_analysis *a, const struct pt_event *ev, struct pt_access *acc);
/*
 * Gives the analysis pttrace's metadata (pt_reader_meta's text; NULL for
 * none).  A text that does not parse sets meta_damaged.  0, or -1 when out
 * of memory.
 */
int pt_analysis_set_meta(struct pt_analysis *a, const char *text);
void pt_analysis_finish(struct pt_analysis *a);

/*
 * Whether events of KIND are missing from the trace, so that what they
 * show is hidden (pt_reader_missing_consequence says what); *HOW says why.
 */
int pt_analysis_missing(const struct pt_analysis *a, enum pt_event_kind kind, const char **how);

/*
 * MMIO seen through exits where kvm_mmio (the values) is missing: sums of
 * the vcpus' mmio_exits and bar_faults.  Returns 1 when kvm_mmio is
 * missing and either is non-zero, else 0.
 */
int pt_analysis_mmio_by_exits(const struct pt_analysis *a, uint64_t *exits, uint64_t *faults);

/*
 * The terms advice speaks for the trace's VM (pt-advice.h): libvirt's
 * domain XML when pttrace's metadata says libvirt ran it, else QEMU's
 * command line.
 */
enum pt_vm_terms pt_analysis_terms(const struct pt_analysis *a);
/* The -device id (libvirt's alias) of the passed-through host device HOST, or NULL. */
const char *pt_analysis_device_id(const struct pt_analysis *a, const char *host);

/* Seconds from the crash (negative before it). */
double pt_rel(const struct pt_analysis *a, uint64_t ts);

/*
 * The guest code behind finding F: the rip of its first evidence on its
 * own register, else of its first evidence with one; 0 when none has.
 */
uint64_t pt_finding_rip(const struct pt_finding *f);

/*
 * With --guest-elf (opts.symbols), whether its files name none of the
 * guest rips the analysis shows (the findings', their evidence's, each
 * vcpu's last): a wrong file or bias.  Then the warning is in BUF (for
 * analyze, report and the TUI to show alike) and it returns 1; else 0.
 */
int pt_analysis_rips_unnamed(const struct pt_analysis *a, char *buf, size_t size);

/* "BAR2+0x0710" or "config+0x44" */
void pt_reg_str(int bar, uint64_t off, char *buf, size_t size);

#endif
