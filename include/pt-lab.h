// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab: QEMU VMs whose tiny guest drives an emulated PCI device the
 * way a broken pass-through driver does, until the guest crashes.  Started
 * as users start VMs (qemu-system-x86_64 -name NAME ...), so that the
 * recorder finds them like any other.
 */
#ifndef PT_LAB_H
#define PT_LAB_H

#include <signal.h>
#include <sys/types.h>
#include "pttrace.h"

enum pt_lab_crash {
	PT_LAB_NO_CRASH,
	PT_LAB_PANIC,		/* pvpanic: QMP GUEST_PANICKED */
	PT_LAB_TRIPLE_FAULT,	/* QMP SHUTDOWN, reason guest-reset (with -no-reboot) */
};

struct pt_lab_scenario {
	const char *name;
	const char *device;	/* the device the driver misuses, e.g. "edu" */
	const char *summary;	/* one line: what the driver does wrong */
	const char *qemu_devices[4];	/* -device arguments, NULL-terminated */
	enum pt_lab_crash expect;
	int benchmark;		/* a load for benchmarks, not a failure to study */
	int hv_crash;		/* asks for QEMU's hv-crash CPU flag where KVM has it */
};

const struct pt_lab_scenario *pt_lab_scenarios(size_t *count);
const struct pt_lab_scenario *pt_lab_find(const char *name);
const char *pt_lab_crash_name(enum pt_lab_crash crash);

/*
 * Does this host's KVM emulate the Hyper-V guest crash MSRs (what QEMU's
 * hv-crash needs)?  1 yes; 0 no, with WHY.  QEMU itself says nothing when
 * KVM lacks them: it drops every hv-* flag and the guest sees plain KVM.
 */
int pt_lab_hv_crash_probe(char *why, size_t size);

enum pt_lab_hv {
	PT_LAB_HV_PROBE,	/* hv-crash where pt_lab_hv_crash_probe says yes */
	PT_LAB_HV_ON,
	PT_LAB_HV_OFF,
};

enum pt_lab_outcome {
	PT_LAB_CRASHED,		/* result.crash says how */
	PT_LAB_RAN_OUT,		/* no crash within opts.seconds */
	PT_LAB_EXITED,		/* QEMU ended without a crash event */
	PT_LAB_STOPPED,		/* *opts.stop was set (a signal) */
};

struct pt_lab_opts {
	const char *name;	/* the VM's -name; default "pttrace-lab" */
	const char *qemu;	/* default: $PTTRACE_QEMU or qemu-system-x86_64 */
	const char *guest;	/* default: pt_lab_guest_path() */
	unsigned seconds;	/* give up (crash scenarios) or stop (healthy) after */
	int paused;		/* start with -S; continue when *resume is set */
	enum pt_lab_hv hv_crash;	/* for scenarios that ask for hv-crash */
	const volatile sig_atomic_t *resume;
	const volatile sig_atomic_t *stop;
	/* called with the VM's pid once QEMU answers on QMP */
	void (*on_start)(void *ctx, pid_t pid, const char *qmp_path);
	/* called for each line the guest writes to its serial port */
	void (*on_serial)(void *ctx, const char *line);
	void *ctx;
};

struct pt_lab_result {
	enum pt_lab_outcome outcome;
	enum pt_lab_crash crash;
	double seconds;		/* from continuing the VM to the outcome */
	int qemu_status;	/* waitpid status of QEMU */
	char detail[128];	/* e.g. the SHUTDOWN reason */
};

/*
 * The QEMU command line for SCENARIO as a NULL-terminated argv.  QMP_PATH
 * may be NULL (no -qmp).  Free with pt_lab_argv_free.
 */
char **pt_lab_argv(const struct pt_lab_scenario *scenario, const struct pt_lab_opts *opts,
		   const char *qmp_path, struct pt_err *err);
void pt_lab_argv_free(char **argv);

/* Where the guest kernel is: $PTTRACE_LAB_GUEST, the build tree, then the install. */
const char *pt_lab_guest_path(void);

/*
 * Starts the VM, waits for its crash (or for opts.seconds), and ends QEMU.
 * QEMU never outlives the call: not on errors, not on signals, not when
 * the caller dies (PR_SET_PDEATHSIG).
 */
int pt_lab_run(const struct pt_lab_scenario *scenario, const struct pt_lab_opts *opts,
	       struct pt_lab_result *result, struct pt_err *err);

#endif
