// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recorder's parts, private to collector/: one recording's state
 * (struct rec) and what each file does with it.
 *
 *   record.c     pt_record(): checks, arming, the wait for a stop, the write
 *   instance.c   the tracefs instances: create, events, pids, triggers, disarm
 *   pagefault.c  kvm_page_fault, filtered on the device BARs and following them
 *   monitor.c    the VM's QMP monitor: connect, query-pci, GUEST_PANICKED
 *   watchdog.c   the child that finishes the file when the recorder is killed
 *
 * The pure functions (no tracefs, no process) are declared here for the
 * unit tests, tests/unit/test_record.c.
 */
#ifndef PT_RECORD_INT_H
#define PT_RECORD_INT_H

#include <sys/types.h>
#include <tracefs.h>

#include "meta-build.h"
#include "pt-barfilter.h"
#include "pt-qmp.h"
#include "pt-record.h"
#include "scratch.h"
#include "virt.h"

#define PT_REC_MAX_CPUS 256
#define PT_REC_MAX_EVENTS 64
#define PT_REC_MAX_TRIGGERS 8
#define PT_REC_TRIGGER_LEN 128
#define PT_REC_HOST_BUFFER_KB 1024

/*
 * kvm_page_fault, armed with a filter on the device BARs' guest-physical
 * ranges (pt-barfilter.h) once query-pci shows them, and re-filtered when
 * the guest moves them.  Unfiltered it records every RAM fault too.
 */
struct page_faults {
	const char *spec;		/* as asked for ("kvm:kvm_page_fault"); NULL: not asked */
	int armed;
	int said;			/* the note that it waits for BARs was given */
	char field[32];
	unsigned field_size;
	const char *paging;		/* pt_pf_paging() */
	enum pt_bar_scope scope;
	struct pt_bar_range cur[PT_BAR_RANGES_MAX];
	size_t ncur;			/* the ranges the filter has now */
	char filter[PT_BAR_FILTER_MAX];
	struct pt_meta_bar_filter hist[PT_META_BAR_FILTERS];
	unsigned nhist;
	int hist_full;			/* later filters were set but not kept */
	char reason[sizeof(((struct pt_err *)0)->msg)];	/* why it is not armed */
};

#define PT_KP_NAME_MAX 64
#define PT_KP_MAX_DEVS 16
#define PT_KP_MAX_FUNCS 16

/* The host's resets of the assigned devices (kprobes.c), for the metadata's "host_resets". */
struct host_resets {
	int tried;			/* the VM has assigned devices: probes were wanted */
	int armed;			/* at least one probe is on */
	int defined;			/* some probe was written to kprobe_events: remove at the end */
	int named;			/* every probe on records the device's name */
	char reason[256];		/* why none is on */
	char unnamed_why[192];		/* why some record no name */
	const char *probes[PT_KP_MAX_FUNCS], *missing[PT_KP_MAX_FUNCS];
	unsigned nprobes, nmissing;
	char devs[PT_KP_MAX_DEVS][16];	/* the assigned devices' host BDFs */
	char bridge[PT_KP_MAX_DEVS][16];	/* the bridge above each, "" when none */
	unsigned ndevs;
	double vm_started;		/* the QEMU process's start, trace clock (s); -1 unknown */
};

struct rec {
	const struct pt_record_opts *opts;
	struct pt_vm vm;
	struct tracefs_instance *inst, *host;
	int have_host;			/* host events were recorded (outlives r->host) */
	char name[64], host_name[72];
	int cpus;
	const char *enabled[PT_REC_MAX_EVENTS], *missing[PT_REC_MAX_EVENTS];
	const char *triggers[PT_REC_MAX_TRIGGERS];
	unsigned nenabled, nmissing, ntriggers;
	char trigger_text[PT_REC_MAX_TRIGGERS][PT_REC_TRIGGER_LEN];
	struct pt_qmp qmp;
	int qmp_up;
	struct pt_virt *virt;		/* a libvirt VM's QMP and events, through libvirt */
	char virt_event[160];		/* the crash event libvirt sent, once it did */
	char qmp_via[16];		/* "socket", "libvirt", "" (none answered) */
	struct pt_json *query_pci;
	struct pt_json *panic_msg;	/* the first GUEST_PANICKED, whole (its "data" goes to the metadata) */
	struct pt_scratch sc;		/* the raw pages, the metadata, the state */
	int have_scratch;
	pid_t watchdog;
	int watch_fd;			/* closed without a word: the watchdog takes over */
	char *meta_saved;		/* the metadata as last put in the scratch */
	double armed_at, stopped_at;	/* CLOCK_MONOTONIC, seconds */
	struct page_faults pf;
	struct host_resets hr;
};

/* record.c */

/* Hands a note to the caller's on_note, if it gave one. */
void pt_rec_note(struct rec *r, const char *fmt, ...) PT_PRINTF(2, 3);

/* What the wait for a stop looks at, each time round. */
struct pt_rec_probe {
	int tracing;		/* the instance's tracing_on: 0 once a trigger fired */
	int signalled;		/* the caller's stop flag */
	double armed_for;	/* seconds */
	double duration;	/* --duration, 0: none */
	int vm_gone;		/* the QEMU process ended */
	int panicked;		/* QMP said GUEST_PANICKED */
	int libvirt_crashed;	/* libvirt said the domain crashed */
};
/*
 * 1 with *STOP when P is a reason to stop, else 0.  Of several, the trigger
 * wins (it froze the buffer on the crash itself), then the signal, the
 * duration, libvirt's crash event (libvirt's on_crash=destroy ends the VM
 * right after it), the VM's exit and last QMP's panic.
 */
int pt_rec_stop_decide(const struct pt_rec_probe *p, enum pt_record_stop *stop);

/* instance.c */

/* Mounts tracefs where it is missing. */
int pt_inst_ensure_tracefs(struct pt_err *err);
/* "pttrace-PID-NAME", NAME cut to 39 characters of [A-Za-z0-9_-], the rest '_'. */
void pt_inst_name(char *buf, size_t size, pid_t pid, const char *vm_name);
/* "sys:event" into SYS and *EVENT (inside SPEC); without a colon the system is kvm. */
void pt_inst_event_split(const char *spec, char *sys, size_t ssize, const char **event);
/*
 * The events to ask for, in order, into OUT (pointers into GIVEN or the
 * defaults, a '+' skipped): -e EVENT replaces the default set, -e +EVENT
 * adds to it, no -e at all is the default set.  Returns how many (at most MAX).
 */
size_t pt_inst_events_wanted(const char *const *given, const char **out, size_t max);
/* Is EVENT ("kvm_pio" or "kvm:kvm_pio") among the N specs of LIST. */
int pt_inst_events_have(const char *const *list, unsigned n, const char *event);

struct pt_inst_trigger {
	const char *sys, *event;
	char text[PT_REC_TRIGGER_LEN];
};
/*
 * The in-kernel crash triggers for the N ENABLED events of VM, with the
 * pvpanic-pci BAR PVPANIC_BAR (0: none) into OUT.  Returns how many.
 */
unsigned pt_inst_triggers(const struct pt_vm *vm, const char *const *enabled, unsigned n,
			  unsigned long long pvpanic_bar,
			  struct pt_inst_trigger out[PT_REC_MAX_TRIGGERS]);

/* The counters of per_cpu/cpuN/stats, summed over the cpus. */
struct pt_inst_stats {
	unsigned long long entries, overrun, bytes, dropped;
};
/* Adds one cpu's stats TEXT to SUM. */
void pt_inst_stats_add(struct pt_inst_stats *sum, const char *text);
/* SUM as the status the caller sees, for CPUS buffers of BUFFER_KB each. */
void pt_inst_stats_status(const struct pt_inst_stats *sum, unsigned buffer_kb, int cpus,
			  struct pt_record_status *st);
/* The trace clock ("now ts") in one cpu's stats TEXT, seconds; -1 when absent. */
double pt_inst_stats_now(const char *text);

/* Creates r->name stopped, with the buffer size and the overwrite mode of the options. */
int pt_inst_create(struct rec *r, struct pt_err *err);
int pt_inst_set_pids(struct rec *r, struct pt_err *err);
int pt_inst_enable_events(struct rec *r, struct pt_err *err);
void pt_inst_set_triggers(struct rec *r);
/* The host instance (iommu, AER, vfio interrupts): 1 armed, 0 none of its events exists. */
int pt_inst_arm_host(struct rec *r);
/* Stops both instances; destroys them unless the capture is kept for --recover. */
void pt_inst_disarm(struct rec *r);
void pt_inst_status(struct rec *r, struct pt_record_status *st);
/* The instance's trace clock now, seconds; -1 when unknown. */
double pt_inst_clock_now(struct rec *r);

/* kprobes.c */

/* "pttrace_<PID>_<SYMBOL>": the kprobe event of recorder PID on SYMBOL. */
void pt_kp_name(char *buf, size_t size, pid_t pid, const char *symbol);
/* The kprobe_events line for F's probe ("p:kprobes/NAME SYMBOL ..."); NAMED: the device's name too. */
struct pt_hr_func;
void pt_kp_define(char *buf, size_t size, pid_t pid, const struct pt_hr_func *f, int named);
/* A kprobe_events LINE of a pttrace probe: its recorder's *PID and EVENT name; -1 when not one. */
int pt_kp_parse(const char *line, pid_t *pid, char *event, size_t size);
/* The instance filter of F's probe: only DEVS (with NAMED), never a "probe" call; "" for none. */
void pt_kp_filter(char *buf, size_t size, const struct pt_hr_func *f, int named,
		  const char *const *devs, unsigned ndev);
/* Can TRACING's kprobe_events be written?  1, or 0 with WHY. */
int pt_kp_available(const char *tracing, char *why, size_t size);
/*
 * Removes from TRACING/kprobe_events each pttrace probe whose recorder's
 * pid DROP(pid, CTX) says to, calling REMOVED (may be NULL) for each one
 * removed.  Returns how many.
 */
int pt_kp_remove(const char *tracing, int (*drop)(pid_t pid, void *ctx), void *ctx,
		 void (*removed)(void *ctx, const char *event));
/* Removes recorder PID's probes (TRACING NULL: nothing). */
int pt_kp_remove_pid(const char *tracing, pid_t pid);
/*
 * The start of a process whose /proc/PID/stat is STAT_TEXT on the trace's
 * clock (s), from the boot clock's and the trace clock's now and the clock
 * ticks per second; -1 when unknown.
 */
double pt_kp_started(const char *stat_text, double boot_now, double trace_now, long ticks);
/* Defines and enables the reset probes in r->host for the VM's assigned devices, or notes why not. */
void pt_kp_arm(struct rec *r);
/* Removes this recorder's probes, unless its capture is kept (they go with its instances). */
void pt_kp_disarm(struct rec *r);

/* pagefault.c */

/* "ept", "npt", "shadow" or "unknown": how KVM maps guest memory under SYSROOT. */
const char *pt_pf_paging(const char *sysroot);
/* Arms kvm_page_fault on the BARs r->query_pci shows, or moves its filter with them. */
void pt_pf_update(struct rec *r);
/* Frees the filters kept for the metadata. */
void pt_pf_release(struct page_faults *pf);

/* monitor.c */

/*
 * The socket the user gave with --qmp, before anything is armed: connected
 * (r->qmp_up), or -1 with ERR naming it and why ("cannot connect to QMP
 * socket '/x.sock': No such file or directory").  0 when none was given.
 */
int pt_mon_connect_given(struct rec *r, struct pt_err *err);
/* The command line's QMP sockets, when --qmp gave none; notes say why none answered. */
void pt_mon_connect(struct rec *r);
/* query-pci again into r->query_pci; the last answer is kept when this one fails. */
void pt_mon_refresh_pci(struct rec *r, int timeout_ms);
/*
 * 1 when QMP says the guest panicked, keeping the first GUEST_PANICKED in
 * r->panic_msg; drops everything else it says.
 */
int pt_mon_panicked(struct rec *r);
/*
 * After a trigger stop: waits up to TIMEOUT_MS for the GUEST_PANICKED that
 * follows the crash (QEMU sends it once the vcpu's exit reaches it).
 */
void pt_mon_await_panic(struct rec *r, int timeout_ms);
/*
 * 1 when libvirt says the domain crashed (lifecycle "crashed", or QEMU's
 * GUEST_PANICKED through libvirt), into r->virt_event; waits up to WAIT_MS
 * for it (the VM exited: was it libvirt's on_crash?).  0 without libvirt.
 */
int pt_mon_libvirt_crashed(struct rec *r, int wait_ms);
/* The last query-pci, at the stop; CRASHED: the guest crashed (libvirt may be tearing it down). */
void pt_mon_refresh_pci_at_stop(struct rec *r, int crashed);
/* The pvpanic-pci BAR0 in query-pci's BUSES: 0 when there is none. */
unsigned long long pt_mon_pvpanic_bar(const struct pt_json *buses);

/* watchdog.c */

int pt_watchdog_start(struct rec *r, struct pt_err *err);
/* Tells the watchdog the recorder finished, and reaps it. */
void pt_watchdog_stop(struct rec *r);
/* Starts another when the watchdog died. */
void pt_watchdog_keep(struct rec *r);

#endif
