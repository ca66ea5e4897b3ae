// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace record as a library: arm a private tracefs instance for one VM's
 * kvm events, wait for its crash (in-kernel triggers, QMP, signals, the
 * VM's exit, a duration), and write the trace.dat with the VM's metadata.
 */
#ifndef PT_RECORD_H
#define PT_RECORD_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "pt-vm.h"
#include "pttrace.h"

enum pt_record_stop {
	PT_STOP_TRIGGER,	/* an in-kernel trigger froze the buffer at the crash */
	PT_STOP_QMP_PANIC,	/* QMP GUEST_PANICKED */
	PT_STOP_SIGNAL,
	PT_STOP_DURATION,
	PT_STOP_VM_EXIT,	/* the QEMU process ended */
	PT_STOP_LIBVIRT_CRASH,	/* libvirt's crashed event, or GUEST_PANICKED through libvirt */
};
const char *pt_record_stop_name(enum pt_record_stop stop);

struct pt_record_status {
	double seconds;		/* armed for */
	uint64_t events;	/* written into the buffer so far */
	uint64_t overrun;	/* overwritten (flight recorder) */
	uint64_t dropped;	/* refused by a full buffer (--stream) */
	double events_per_s;
	double fill;		/* 0..1 of the buffer */
};

/*
 * -b: the ring buffer per cpu, KB (one page at least); outside this range,
 * or more than half the host's memory over all its cpus, it is refused
 * before anything is armed.
 */
#define PT_RECORD_MIN_BUFFER_KB 4u
#define PT_RECORD_MAX_BUFFER_KB 1048576u

struct pt_record_opts {
	/*
	 * "" or NULL for /.  Anything else is a fake tree (tests): its pids are
	 * not this machine's, so pt_record only checks and arms nothing
	 * (pt_record_result.checked_only).
	 */
	const char *sysroot;
	const char *vm_name;		/* or pid */
	pid_t pid;
	const char *output;		/* the trace.dat to write */
	const char *tmpdir;		/* scratch space; NULL: $TMPDIR, else next to OUTPUT */
	int stream;			/* write everything, not a flight recorder */
	unsigned buffer_kb;		/* per cpu */
	const char *const *events;	/* -e, NULL-terminated; NULL: the default set */
	double duration;		/* stop after, seconds; 0: never */
	const char *qmp;		/* QMP socket; NULL: from the command line, or libvirt's */
	const volatile sig_atomic_t *stop;
	/* called about every 0.25 s while armed */
	void (*on_status)(void *ctx, const struct pt_record_status *st);
	/* called once per note: a missing event, a stale instance removed, ... */
	void (*on_note)(void *ctx, const char *msg);
	/* called once armed, with the instance's name */
	void (*on_armed)(void *ctx, const struct pt_vm *vm, const char *instance);
	void *ctx;
};

struct pt_record_result {
	enum pt_record_stop stop;
	char trigger[64];	/* which trigger, when one stopped it */
	char event[160];	/* PT_STOP_LIBVIRT_CRASH: libvirt's event, as it said it */
	uint64_t entries, overrun, dropped;
	double armed_seconds;
	double write_seconds;	/* from the stop to crash.dat renamed in place */
	uint64_t file_size;
	char instance[64];
	char written[PATH_MAX];		/* where the file went: OUTPUT, or a second place */
	struct pt_err not_written;	/* when not to OUTPUT: why */
	int checked_only;		/* a fake sysroot: every check passed, nothing was armed */
	char vm_name[128];		/* the VM found (with checked_only) */
	pid_t vm_pid;
};

/* The default event set (kvm_emulate_insn is left out: see README). */
extern const char *const pt_record_default_events[];

/*
 * Removes what pttrace runs that died left: their tracefs instances and
 * scratch directories; a capture kept because it could not be written is
 * only named (NOTE says how to recover it), or with ALL removed too.
 * Returns how many were removed.
 */
int pt_record_cleanup(int all, void (*note)(void *ctx, const char *msg), void *ctx);

/*
 * -1 with ERR when OUTPUT is '-': a trace.dat is read by seeking, never
 * written to standard output (pt_record's output and --recover's); else 0.
 */
int pt_record_refuse_stdout(const char *output, struct pt_err *err);

/*
 * Finishes the file from the scratch directory DIR a recorder left (a write
 * that failed, a recorder killed with its watchdog): drains its instances if
 * they still exist, writes OUTPUT (NULL: the file it was recording to).
 * Returns 0, 1 when written to a second place (WRITTEN; ERR says why), -1.
 */
int pt_record_recover(const char *dir, const char *output, char *written, size_t wsize,
		      struct pt_err *err);

int pt_record(const struct pt_record_opts *opts, struct pt_record_result *res, struct pt_err *err);

#endif
