// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pt-json.h"
#include "pt-lab.h"

static volatile sig_atomic_t stop_requested, resume_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_resume_signal(int sig)
{
	(void)sig;
	resume_requested = 1;
}

struct run_ctx {
	int quiet;
	const char *pid_file;
	const char *name;
	const struct pt_lab_scenario *scenario;
	int paused;
	char hv[256];		/* what became of hv-crash, for scenarios that ask for it */
};

static void write_pid_file(const char *path, pid_t pid)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (!f) {
		pt_error("cannot write '%s': %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "%d\n", (int)pid);
	if (fclose(f) || rename(tmp, path))
		pt_error("cannot write '%s': %s", path, strerror(errno));
}

static void on_start(void *p, pid_t pid, const char *qmp_path)
{
	struct run_ctx *ctx = p;

	printf("lab: VM '%s' is qemu pid %d, QMP %s\n", ctx->name, (int)pid, qmp_path);
	printf("lab: %s: %s\n", ctx->scenario->name, ctx->scenario->summary);
	if (ctx->hv[0])
		printf("lab: %s\n", ctx->hv);
	if (ctx->paused)
		printf("lab: paused; send SIGUSR1 to pid %d to start the guest\n", (int)getpid());
	fflush(stdout);
	if (ctx->pid_file)
		write_pid_file(ctx->pid_file, pid);
}

static void on_serial(void *p, const char *line)
{
	struct run_ctx *ctx = p;

	if (!ctx->quiet) {
		printf("guest| %s\n", line);
		fflush(stdout);
	}
}

static int lab_list(int argc, char **argv)
{
	size_t n;
	const struct pt_lab_scenario *s = pt_lab_scenarios(&n);
	int json = argc == 2 && !strcmp(argv[1], "--json");
	int w = (int)strlen("SCENARIO");

	if (argc > 2 || (argc == 2 && !json))
		return pt_die_usage(&pt_cmd_lab, "usage: pttrace lab list [--json]");
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s\n  {\"name\": ", i ? "," : "");
			pt_json_put_str(stdout, s[i].name);
			printf(", \"device\": ");
			pt_json_put_str(stdout, s[i].device);
			printf(", \"crash\": ");
			pt_json_put_str(stdout, pt_lab_crash_name(s[i].expect));
			printf(", \"summary\": ");
			pt_json_put_str(stdout, s[i].summary);
			printf(", \"benchmark\": %s}", s[i].benchmark ? "true" : "false");
		}
		printf("\n]\n");
		return PT_EXIT_OK;
	}
	/* the name column as wide as the longest name */
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(s[i].name) > w)
			w = strlen(s[i].name);
	printf("%-*s %-20s %-22s %s\n", w, "SCENARIO", "DEVICE", "ENDS IN", "WHAT THE DRIVER DOES");
	for (size_t i = 0; i < n; i++)
		printf("%-*s %-20s %-22s %s\n", w, s[i].name, s[i].device,
		       pt_lab_crash_name(s[i].expect), s[i].summary);
	return PT_EXIT_OK;
}

static void print_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		printf("%s%s", a == argv ? "" : " ", *a);
	printf("\n");
}

static int report(const struct pt_lab_scenario *s, const struct pt_lab_result *r,
		  unsigned seconds)
{
	switch (r->outcome) {
	case PT_LAB_CRASHED:
		printf("lab: %s: %s after %.2f s (%s)\n", s->name, pt_lab_crash_name(r->crash),
		       r->seconds, r->detail);
		if (r->crash == s->expect)
			return PT_EXIT_OK;
		printf("lab: %s was expected to end in: %s\n", s->name, pt_lab_crash_name(s->expect));
		return PT_EXIT_FAILURE;
	case PT_LAB_RAN_OUT:
		printf("lab: %s: no crash in %u s\n", s->name, seconds);
		return s->expect == PT_LAB_NO_CRASH ? PT_EXIT_OK : PT_EXIT_FAILURE;
	case PT_LAB_EXITED:
		printf("lab: %s: QEMU ended without a crash after %.2f s (%s)\n", s->name,
		       r->seconds, r->detail[0] ? r->detail : "no event");
		return PT_EXIT_FAILURE;
	case PT_LAB_STOPPED:
		printf("lab: %s: stopped by a signal\n", s->name);
		return PT_EXIT_FAILURE;
	}
	return PT_EXIT_FAILURE;
}

static int lab_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "paused", no_argument, NULL, 'P' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "guest", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	struct pt_lab_opts opts = { .name = "pttrace-lab" };
	struct run_ctx ctx = { 0 };
	struct sigaction sa = { 0 };
	struct pt_lab_result result;
	struct pt_err err;
	int dry_run = 0, c, rc;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:d:p:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts.name = optarg;
			break;
		case 'd':
			opts.seconds = strtoul(optarg, &end, 10);
			if (*end || !*optarg || !opts.seconds)
				return pt_die_usage(&pt_cmd_lab, "--duration wants a number of seconds, not '%s'", optarg);
			break;
		case 'P':
			opts.paused = 1;
			break;
		case 'p':
			ctx.pid_file = optarg;
			break;
		case 'q':
			ctx.quiet = 1;
			break;
		case 'D':
			dry_run = 1;
			break;
		case 'Q':
			opts.qemu = optarg;
			break;
		case 'g':
			opts.guest = optarg;
			break;
		default:
			return pt_die_usage(&pt_cmd_lab, NULL);	/* getopt said why */
		}
	}
	if (optind != argc - 1)
		return pt_die_usage(&pt_cmd_lab, "lab run wants one scenario (see 'pttrace lab list')");
	ctx.scenario = pt_lab_find(argv[optind]);
	if (!ctx.scenario) {
		pt_error("no such lab scenario: '%s' (see 'pttrace lab list')", argv[optind]);
		return PT_EXIT_ERROR;
	}
	if (strlen(opts.name) == 0 || strpbrk(opts.name, " ,=")) {
		pt_error("bad VM name '%s': use letters, digits, '-' and '_'", opts.name);
		return PT_EXIT_ERROR;
	}
	if (!opts.seconds)
		opts.seconds = ctx.scenario->expect == PT_LAB_NO_CRASH ? 5 : 30;
	if (ctx.scenario->hv_crash) {
		char why[160];

		/* probed once, so that what is said is what QEMU gets */
		if (pt_lab_hv_crash_probe(why, sizeof(why))) {
			opts.hv_crash = PT_LAB_HV_ON;
			snprintf(ctx.hv, sizeof(ctx.hv), "hv-crash on: the guest's crash MSR writes end "
				 "the VM");
		} else {
			opts.hv_crash = PT_LAB_HV_OFF;
			snprintf(ctx.hv, sizeof(ctx.hv), "hv-crash off: %s; the guest's crash MSR "
				 "writes will be refused (#GP)", why);
		}
	}
	if (dry_run) {
		char **qargv = pt_lab_argv(ctx.scenario, &opts, "QMP.sock", &err);

		if (!qargv) {
			pt_error("%s", err.msg);
			return PT_EXIT_ERROR;
		}
		print_argv(qargv);
		pt_lab_argv_free(qargv);
		return PT_EXIT_OK;
	}
	ctx.name = opts.name;
	ctx.paused = opts.paused;
	opts.stop = &stop_requested;
	opts.resume = &resume_requested;
	opts.on_start = on_start;
	opts.on_serial = on_serial;
	opts.ctx = &ctx;
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: waits see EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_resume_signal;
	sigaction(SIGUSR1, &sa, NULL);

	rc = pt_lab_run(ctx.scenario, &opts, &result, &err);
	if (ctx.pid_file)
		unlink(ctx.pid_file);
	if (rc) {
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	return report(ctx.scenario, &result, opts.seconds);
}

static int lab_main(int argc, char **argv)
{
	if (argc < 2)
		return pt_die_usage(&pt_cmd_lab, "lab wants a subcommand: list or run");
	if (!strcmp(argv[1], "list"))
		return lab_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return lab_run(argc - 1, argv + 1);
	return pt_die_usage(&pt_cmd_lab, "unknown lab subcommand '%s'", argv[1]);
}

const struct pt_cmd pt_cmd_lab = {
	.name = "lab",
	.summary = "crash a small lab VM the way broken pass-through drivers do",
	.usage =
	"usage: pttrace lab list [--json]\n"
	"       pttrace lab run <scenario> [--name <vm>] [--duration <s>] [--paused]\n"
	"                       [--pid-file <file>] [-q] [--dry-run]\n"
	"                       [--qemu <binary>] [--guest <elf>]\n"
	"\n"
	"The lab needs KVM but no pass-through hardware. It starts QEMU as users do\n"
	"(qemu-system-x86_64 -name <vm> -enable-kvm -machine q35 ...) with an emulated\n"
	"PCI device (edu, e1000e, ati-vga) and a tiny 32-bit guest whose driver makes\n"
	"one classic pass-through mistake and crashes the guest. Every BAR access of\n"
	"an emulated device traps, as it does for a vfio-pci device with\n"
	"x-no-mmap=on, so 'pttrace record --vm <vm>' sees all of them.\n"
	"\n"
	"list\n"
	"    Shows the scenarios, the device each misuses and how each ends.\n"
	"\n"
	"run <scenario>\n"
	"    Starts the VM, prints the guest's console, waits for the crash (QMP\n"
	"    GUEST_PANICKED for a pvpanic, SHUTDOWN for a triple fault), then ends\n"
	"    QEMU. QEMU never outlives pttrace. bugcheck's guest writes the Hyper-V\n"
	"    crash MSRs: QEMU gets -cpu qemu64,hv-crash where this host's KVM has\n"
	"    them; elsewhere KVM refuses the writes (#GP) and the guest goes on to\n"
	"    pvpanic.\n"
	"\n"
	"Options of run:\n"
	"    -n, --name <vm>         the VM's -name (default pttrace-lab)\n"
	"    -d, --duration <s>      give up after <s> seconds (default 30; healthy\n"
	"                            runs 5 s and passes if it did not crash)\n"
	"        --paused            start QEMU with -S and start the guest on SIGUSR1,\n"
	"                            so a recorder can be armed first\n"
	"    -p, --pid-file <file>   write QEMU's pid there while it runs\n"
	"    -q, --quiet             do not print the guest's console\n"
	"        --dry-run           print the QEMU command line and exit\n"
	"        --qemu <binary>     QEMU to run ($PTTRACE_QEMU, qemu-system-x86_64)\n"
	"        --guest <elf>       the guest kernel ($PTTRACE_LAB_GUEST, else the one\n"
	"                            installed or built)\n"
	"\n"
	"Exit status of run: 0 the scenario ended as it should (its crash, or for\n"
	"healthy none), 1 it ended otherwise, 2 it could not run.\n",
	.run = lab_main,
};
