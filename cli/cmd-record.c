// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pt-analyze.h"
#include "pt-record.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct ui {
	int tty;
	int quiet;
};

static void on_note(void *p, const char *msg)
{
	struct ui *ui = p;

	if (!ui->quiet)
		fprintf(stderr, "pttrace: %s\n", msg);
}

static void on_armed(void *p, const struct pt_vm *vm, const char *instance)
{
	struct ui *ui = p;

	if (ui->quiet)
		return;
	fprintf(stderr, "pttrace: recording VM '%s' (pid %d, %u threads) in tracefs instance '%s'\n",
		vm->name, (int)vm->pid, vm->nthreads, instance);
	fprintf(stderr, "pttrace: armed; waiting for the crash (Ctrl-C stops and writes)\n");
}

static void on_status(void *p, const struct pt_record_status *st)
{
	struct ui *ui = p;

	/* one line, rewritten: only on a terminal */
	if (!ui->tty || ui->quiet)
		return;
	fprintf(stderr, "\r\033[K  %7.1f s armed  %9.0f events/s  buffer %3.0f%% full  %llu overwritten",
		st->seconds, st->events_per_s, st->fill * 100, (unsigned long long)st->overrun);
}

static int record_recover(const char *dir, const char *output, struct ui *ui)
{
	char written[PATH_MAX];
	struct pt_err err;
	int rc;

	if (pt_record_refuse_stdout(output, &err))
		return pt_error("%s", err.msg), PT_EXIT_ERROR;
	if (geteuid())
		return pt_error("recovering needs root (the capture and its instances are root's)"),
		       PT_EXIT_ERROR;
	rc = pt_record_recover(dir, output, written, sizeof(written), &err);
	if (rc < 0) {
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	if (!ui->quiet && rc > 0)
		pt_error("%s; wrote '%s' instead", err.msg, written);
	printf("wrote:    %s\n", written);
	printf("next:     pttrace analyze %s\n", written);
	return rc ? PT_EXIT_ERROR : PT_EXIT_OK;
}

static void say_removed(void *p, const char *msg)
{
	(void)p;
	printf("%s\n", msg);
}

static int record_cleanup(struct ui *ui)
{
	int n;

	if (geteuid())
		return pt_error("cleaning up needs root (tracefs instances and root's scratch files)"),
		       PT_EXIT_ERROR;
	n = pt_record_cleanup(1, ui->quiet ? NULL : say_removed, NULL);
	if (!ui->quiet && !n)
		printf("nothing to clean up: no instance or scratch directory of a dead pttrace\n");
	return PT_EXIT_OK;
}

/* -b: digits only (strtoul takes "-5" and wraps it), within the range pt_record accepts. */
static int parse_buffer(const char *arg, unsigned *kb)
{
	unsigned long long v = 0;

	if (!*arg)
		return -1;
	for (const char *p = arg; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > PT_RECORD_MAX_BUFFER_KB)
			return -1;
	}
	if (v < PT_RECORD_MIN_BUFFER_KB)
		return -1;
	*kb = v;
	return 0;
}

/* --sysroot: every check made, nothing armed. */
static int say_checked(const struct pt_record_result *res, const struct pt_record_opts *opts)
{
	printf("checked:  VM '%s' (pid %d), output '%s': nothing armed (--sysroot reads a fake "
	       "/proc and /sys: a dry run for tests)\n", res->vm_name, (int)res->vm_pid, opts->output);
	return PT_EXIT_OK;
}

static int record_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "event", required_argument, NULL, 'e' },
		{ "stream", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "qmp", required_argument, NULL, 'Q' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'l' },
		{ "sysroot", required_argument, NULL, 'S' },
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "recover", required_argument, NULL, 'R' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct pt_record_opts opts = { .output = "crash.dat", .buffer_kb = 8192 };
	const char *events[65];
	unsigned nevents = 0;
	struct ui ui = { .tty = isatty(2) };
	struct pt_record_result res;
	struct sigaction sa = { 0 };
	struct pt_analysis_opts aopts = { .vcpu = -1 };
	struct pt_analysis *a;
	struct pt_err err;
	const char *recover = NULL;
	int cleanup = 0, c, output_given = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "v:p:o:b:e:d:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			opts.vm_name = optarg;
			break;
		case 'p':
			opts.pid = strtol(optarg, &end, 10);
			if (*end || opts.pid <= 0)
				return pt_die_usage(&pt_cmd_record, "--pid wants a process id, not '%s'", optarg);
			break;
		case 'o':
			opts.output = optarg;
			output_given = 1;
			break;
		case 's':
			opts.output = optarg;
			opts.stream = 1;
			break;
		case 'b':
			if (parse_buffer(optarg, &opts.buffer_kb))
				return pt_die_usage(&pt_cmd_record, "-b wants KB per cpu, from %u to %u, not '%s'",
						    PT_RECORD_MIN_BUFFER_KB, PT_RECORD_MAX_BUFFER_KB, optarg);
			break;
		case 'e':
			if (nevents == 64)
				return pt_die_usage(&pt_cmd_record, "at most 64 events");
			events[nevents++] = optarg;
			break;
		case 'd':
			opts.duration = strtod(optarg, &end);
			if (*end || opts.duration <= 0)
				return pt_die_usage(&pt_cmd_record, "--duration wants seconds, not '%s'", optarg);
			break;
		case 'Q':
			opts.qmp = optarg;
			break;
		case 'q':
			ui.quiet = 1;
			break;
		case 'l':
			return pt_cmd_vms.run(1, (char *[]){ "vms", NULL });
		case 'S':
			opts.sysroot = optarg;
			break;
		case 'T':
			opts.tmpdir = optarg;
			break;
		case 'R':
			recover = optarg;
			break;
		case 'C':
			cleanup = 1;
			break;
		default:
			return pt_die_usage(&pt_cmd_record, NULL);	/* getopt said why */
		}
	}
	if (optind != argc)
		return pt_die_usage(&pt_cmd_record, "unexpected argument '%s'", argv[optind]);
	if (recover && cleanup)
		return pt_die_usage(&pt_cmd_record, "--recover and --cleanup go alone");
	if (recover)
		return record_recover(recover, output_given ? opts.output : NULL, &ui);
	if (cleanup)
		return record_cleanup(&ui);
	if (opts.vm_name && opts.pid)
		return pt_die_usage(&pt_cmd_record, "--vm and --pid are exclusive: give one");
	if (!opts.vm_name && !opts.pid)
		return pt_die_usage(&pt_cmd_record, "record wants --vm NAME or --pid PID (see 'pttrace vms')");
	if (nevents) {
		events[nevents] = NULL;
		opts.events = events;
	}
	opts.stop = &stop_requested;
	opts.on_note = on_note;
	opts.on_armed = on_armed;
	opts.on_status = on_status;
	opts.ctx = &ui;
	sa.sa_handler = on_signal;	/* no SA_RESTART: the wait sees it at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (pt_record(&opts, &res, &err)) {
		if (ui.tty && !ui.quiet)
			fprintf(stderr, "\r\033[K");
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	if (ui.tty && !ui.quiet)
		fprintf(stderr, "\r\033[K");
	if (res.checked_only)
		return say_checked(&res, &opts);
	printf("stopped:  %s%s%s%s after %.1f s armed\n", pt_record_stop_name(res.stop),
	       res.event[0] ? " (" : "", res.event, res.event[0] ? ")" : "", res.armed_seconds);
	a = pt_analyze_file(res.written, &aopts, &err);
	if (a) {
		printf("crash:    %s\n", pt_crash_kind_name(a->crash.kind));
		printf("events:   %llu kvm events, %.3f s before the crash; %llu older ones "
		       "overwritten (flight recorder), %llu lost\n", (unsigned long long)a->info.events,
		       (a->crash.ts - a->window_start) / 1e9, (unsigned long long)res.overrun,
		       (unsigned long long)a->info.lost);
		pt_analysis_free(a);
	} else {
		printf("events:   none read back: %s\n", err.msg);
	}
	if (res.dropped)
		printf("WARNING:  %llu events were dropped: the buffer was full (-b bigger, or fewer -e)\n",
		       (unsigned long long)res.dropped);
	printf("wrote:    %s, %.1f MB, in %.2f s after the stop\n", res.written, res.file_size / 1e6,
	       res.write_seconds);
	printf("next:     pttrace analyze %s\n", res.written);
	if (strcmp(res.written, opts.output)) {
		/* the file is whole, but not where a script looks for it */
		pt_error("%s; wrote '%s' instead", res.not_written.msg, res.written);
		return PT_EXIT_ERROR;
	}
	return PT_EXIT_OK;
}

const struct pt_cmd pt_cmd_record = {
	.name = "record",
	.summary = "record a VM's kvm events until its guest crashes",
	.usage =
	"usage: pttrace record (--vm <name> | --pid <pid>) [-o <file>] [-b <kb>] [-e <event>]...\n"
	"                      [--stream <file>] [--duration <s>] [--qmp <socket>]\n"
	"                      [--tmpdir <dir>] [-q] [--sysroot <dir>]\n"
	"       pttrace record --recover <dir> [-o <file>]\n"
	"       pttrace record --cleanup\n"
	"       pttrace record --list\n"
	"\n"
	"Finds the VM (a QEMU process started with -name <name>, by hand or by\n"
	"libvirt), arms its kvm events in a private tracefs instance with only the\n"
	"VM's threads (set_event_pid, event-fork) in a flight-recorder buffer, and\n"
	"waits, for hours if need be. In-kernel triggers freeze the buffer at the\n"
	"crash itself: a pvpanic write, the triple fault's KVM_EXIT_SHUTDOWN (and\n"
	"KVM_EXIT_INTERNAL_ERROR), the Hyper-V crash-control MSR write (also one\n"
	"KVM refuses), a write to pvpanic-pci. It also stops at QMP GUEST_PANICKED\n"
	"(kept in the file, with hv-crash's bugcheck), Ctrl-C or SIGTERM,\n"
	"--duration, and the VM's exit; for a libvirt domain also at libvirt's\n"
	"crashed event. Then it writes the file (trace.dat v7,\n"
	"zstd) with the VM's devices and BARs inside, read by pttrace analyze and\n"
	"trace-cmd report alike.\n"
	"\n"
	"    --vm <name>         the VM's -name, or a libvirt domain's name, UUID or id\n"
	"    --pid <pid>         the QEMU process\n"
	"    -o <file>           the output (default crash.dat), written whole or not at all;\n"
	"                        a directory, a device or '-' (standard output: readers\n"
	"                        seek in a trace.dat) is refused before anything is armed\n"
	"    -b <kb>             ring buffer per cpu, KB (default 8192; 4 to 1048576, and\n"
	"                        at most half the host's memory over all cpus)\n"
	"    -e <event>          record this event instead of the default set (repeatable;\n"
	"                        kvm:kvm_mmio or kvm_mmio); -e +<event> adds it to the set\n"
	"                        (-e +kvm_emulate_insn gives guest rips on hosts without\n"
	"                        kvm_exit, for --guest-elf)\n"
	"    --stream <file>     record everything into <file>, not only the last buffer-full\n"
	"    --duration <s>      stop after <s> seconds\n"
	"    --qmp <socket>      the VM's QMP socket, if not on its command line; one\n"
	"                        that cannot be used is an error, before arming; a\n"
	"                        libvirt domain's QMP goes through libvirt without it\n"
	"    --tmpdir <dir>      scratch space for the raw capture (default $TMPDIR, else\n"
	"                        the output's directory); it must hold the ring buffers\n"
	"    -q                  no notes and no live status\n"
	"    --recover <dir>     finish the file from a capture that was kept (see below)\n"
	"    --cleanup           remove every instance and scratch directory a dead\n"
	"                        pttrace left, kept captures too\n"
	"    --list              list the running VMs (pttrace vms)\n"
	"    --sysroot <dir>     for tests: find the VM in <dir>/proc and <dir>/sys, make\n"
	"                        every check above, and stop before arming anything (a\n"
	"                        fake tree's pids are not this machine's threads)\n"
	"\n"
	"Default events: kvm_mmio kvm_fast_mmio kvm_pio kvm_msr kvm_userspace_exit\n"
	"kvm_exit kvm_entry kvm_page_fault kvm_inj_exception kvm_inj_virq\n"
	"kvm_msi_set_irq kvm_set_irq kvm_ioapic_set_irq kvm_pic_set_irq\n"
	"kvm_apic_accept_irq kvm_eoi kvm_ack_irq kvm_apic_ipi kvm_hv_hypercall, and on\n"
	"the host side iommu:io_page_fault, ras:aer_event and vfio interrupt handlers.\n"
	"kvm_emulate_insn is left out: on hosts without VMX/SVM it fires for every\n"
	"emulated instruction and floods the buffer. kvm_page_fault is filtered to the\n"
	"guest-physical ranges of the BARs QMP query-pci shows (the passed-through\n"
	"devices', or every device's when none is), armed once the guest has programmed\n"
	"them: without QMP it is not recorded. The host's resets of the passed-through\n"
	"devices are kprobes on the kernel's PCI reset functions (pttrace_<pid>_*,\n"
	"enabled in the host instance only, removed on every way out), where the kernel\n"
	"has kprobe events; without them record says so, and analyze does not guess\n"
	"whether a device was reset.\n"
	"\n"
	"Nothing captured is lost. The raw pages go to a scratch directory\n"
	"(.pttrace-record.<pid>.*) before the file is written; when the output\n"
	"cannot be written (a full disk), the file goes to a second place on\n"
	"another file system (the scratch's directory, $TMPDIR, /var/tmp, /tmp) and\n"
	"record says where; when nowhere takes it, the scratch (and, if it could not\n"
	"be drained, the stopped instance) is kept, and --recover <dir> finishes the\n"
	"file once there is room.\n"
	"\n"
	"Nothing is left armed. A watchdog process (pttrace-watch, spared by the OOM\n"
	"killer) outlives the recorder only to finish its work: when the recorder is\n"
	"killed (kill -9, the OOM killer), it stops the instances, writes the file\n"
	"from what was captured, and removes the instances and the scratch. If both\n"
	"are killed, the next record removes what they left (as --cleanup does,\n"
	"except kept captures); /run/pttrace lists each recording's scratch.\n"
	"\n"
	"Needs root. Exit status: 0 written, 2 error (also when the file was written\n"
	"to a second place).\n",
	.run = record_run,
};
