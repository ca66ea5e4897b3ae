// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pt-analyze.h"
#include "pt-symbols.h"
#include "report.h"

static void progress(void *ctx, uint64_t events, double seconds)
{
	(void)ctx;
	fprintf(stderr, "\rpttrace: reading... %llu events, %.1f s of trace", (unsigned long long)events,
		seconds);
}

static int parse_seconds(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	/* a trace clock in ns fits 64 bits: about 584 years */
	return *s && !*end && *out >= 0 && *out < 1.8e10;
}

/*
 * --color=auto|always|never, as git and ls take it (--color alone is
 * always): auto colours when stdout is a terminal that is not dumb and
 * NO_COLOR (no-color.org) is unset or empty; always wins over NO_COLOR.
 * Returns 0 or 1, or -1 for a word it does not know.
 */
static int want_color(const char *when)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	if (!when || !strcmp(when, "always"))
		return 1;
	if (!strcmp(when, "never"))
		return 0;
	if (strcmp(when, "auto"))
		return -1;
	return isatty(1) && term && *term && strcmp(term, "dumb") && !(no && *no);
}

int pt_cli_analysis_opt(const struct pt_cmd *cmd, int c, const char *arg,
			struct pt_analysis_opts *opts)
{
	double secs;
	char *end;

	switch (c) {
	case 'w':
		if (!parse_seconds(arg, &secs) || secs == 0)
			return pt_die_usage(cmd, "--window wants seconds, not '%s'", arg);
		opts->window_ns = secs * 1e9;
		return PT_EXIT_OK;
	case 'd':
		if (strchr(arg, '=')) {
			if (opts->nhints == 16)
				return pt_die_usage(cmd, "at most 16 --device BARs");
			opts->hints[opts->nhints++] = arg;
		} else {
			if (pt_bdf_parse(arg, &opts->device, (const char **)&end) || *end)
				return pt_die_usage(cmd, "--device wants a BDF like 00:03.0, not '%s'",
					    arg);
			opts->have_device = 1;
		}
		return PT_EXIT_OK;
	case 'c':
		opts->vcpu = strtol(arg, &end, 10);
		if (!*arg || *end || opts->vcpu < 0)
			return pt_die_usage(cmd, "--vcpu wants a vcpu number, not '%s'", arg);
		return PT_EXIT_OK;
	case 'a':
		if (!parse_seconds(arg, &secs))
			return pt_die_usage(cmd, "--at wants a time in seconds as trace-cmd report "
					    "shows it, not '%s'", arg);
		opts->have_at = 1;
		opts->at_ts = secs * 1e9 + 0.5;
		return PT_EXIT_OK;
	case 'J': {
		/* as make -j: threads; 1 reads on one, 0 is not a count */
		unsigned long n = strtoul(arg, &end, 10);

		if (!isdigit((unsigned char)*arg) || *end || n < 1 || n > 1024)
			return pt_die_usage(cmd, "--jobs wants a number of threads from 1 to 1024, "
					    "not '%s'", arg);
		opts->jobs = (unsigned)n;
		return PT_EXIT_OK;
	}
	case 'e':
		opts->model.ecam_base = strtoull(arg, &end, 0);
		if (!*arg || *end)
			return pt_die_usage(cmd, "--ecam wants an address, not '%s'", arg);
		return PT_EXIT_OK;
	default:
		return pt_die_usage(cmd, NULL);	/* getopt said why */
	}
}

/* One a line: name, what it looks for, and the plugin that added it. */
static int print_detectors(void)
{
	struct pt_detector_info dets[64];
	unsigned n = pt_analysis_detectors(dets, 64);

	for (unsigned i = 0; i < n && i < 64; i++) {
		printf("%-19s %s", dets[i].name, dets[i].summary);
		if (dets[i].plugin)
			printf(" (plugin %s)", dets[i].plugin);
		putchar('\n');
	}
	return PT_EXIT_OK;
}

static int analyze_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		PT_CLI_ANALYSIS_LONGOPTS,
		{ "stats", no_argument, NULL, 's' },
		{ "tui", no_argument, NULL, 't' },
		{ "guest-elf", required_argument, NULL, 'g' },
		{ "vm", required_argument, NULL, 'v' },
		{ "list-detectors", no_argument, NULL, 'L' },
		{ "color", optional_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct pt_analysis_opts opts = { .vcpu = -1 };
	struct pt_symbols *symbols = NULL;
	const char *hints[16], *elf_specs[16];
	unsigned nelf = 0;
	struct pt_analysis *a;
	struct pt_err err;
	int json = 0, stats = 0, tui = 0, list_detectors = 0, c, rc = PT_EXIT_OK;
	int color = want_color("auto"), color_given = 0;

	opts.hints = hints;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jw:d:c:a:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 's':
			stats = 1;
			break;
		case 't':
			tui = 1;
			break;
		case 'g':
			if (nelf == 16)
				return pt_die_usage(&pt_cmd_analyze, "at most 16 --guest-elf files");
			elf_specs[nelf++] = optarg;
			break;
		case 'v':
			opts.vm = optarg;
			break;
		case 'L':
			list_detectors = 1;
			break;
		case 'C':
			color = want_color(optarg);
			color_given = 1;
			if (color < 0)
				return pt_die_usage(&pt_cmd_analyze, "--color wants auto, always or never, "
						    "not '%s'", optarg);
			break;
		default:
			if (pt_cli_analysis_opt(&pt_cmd_analyze, c, optarg, &opts))
				return PT_EXIT_ERROR;
			break;
		}
	}
	if (list_detectors) {
		if (optind != argc)
			return pt_die_usage(&pt_cmd_analyze, "--list-detectors takes no trace file");
		return print_detectors();
	}
	if (optind != argc - 1)
		return pt_die_usage(&pt_cmd_analyze, "analyze wants one trace file");
	if (tui && (json || stats || color_given))
		return pt_die_usage(&pt_cmd_analyze, "--tui browses the analysis; --%s is the report's",
				    json ? "json" : stats ? "stats" : "color");
	for (unsigned i = 0; i < nelf; i++) {
		if (pt_cli_guest_elf(&symbols, elf_specs[i])) {
			pt_symbols_free(symbols);
			return PT_EXIT_ERROR;
		}
	}
	opts.symbols = symbols;
	if (tui) {	/* the same analysis, browsed */
		rc = pt_cli_tui(argv[optind], &opts);
		pt_symbols_free(symbols);
		return rc;
	}
	if (isatty(2)) {
		opts.progress = progress;
	}
	a = pt_analyze_file(argv[optind], &opts, &err);
	if (opts.progress)
		fprintf(stderr, "\r\033[K");
	if (!a) {
		pt_error("%s", err.msg);
		pt_symbols_free(symbols);
		return PT_EXIT_ERROR;
	}
	pt_cli_note_filters(a, a->opts.vcpu, a->opts.have_device, a->opts.device);
	pt_cli_note_rips(a);
	if (stats)
		fprintf(stderr, "pttrace: open %.3f s, %llu records in %.3f s (%.1f M records/s), "
			"finish %.3f s; cpu reading: %.3f s merging and analysing, %.3f s in all\n",
			a->open_ns / 1e9, (unsigned long long)a->info.records, a->read_ns / 1e9,
			a->read_ns ? a->info.records * 1e3 / a->read_ns : 0.0, a->finish_ns / 1e9,
			a->read_cpu_own_ns / 1e9, a->read_cpu_all_ns / 1e9);
	if (json)
		pt_report_json(stdout, a, argv[optind]);
	else
		pt_report_text(stdout, a, argv[optind], color);
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].severity > PT_SEV_INFO)
			rc = PT_EXIT_FAILURE;
	pt_analysis_free(a);
	pt_symbols_free(symbols);
	return rc;
}

const struct pt_cmd pt_cmd_analyze = {
	.name = "analyze",
	.summary = "name the suspicious driver behaviour in a recorded crash",
	.usage =
	"usage: pttrace analyze <file> [--json] [--window <s>] [--device <bdf>] [--vcpu <n>]\n"
	"                       [--at <time>] [--device <bdf>:<bar>=<gpa>[+<size>]] [--ecam <gpa>]\n"
	"                       [--guest-elf <file>[@<bias>]]... [--vm <pid>|<name>] [--stats]\n"
	"                       [--color=<when>] [--jobs <n>]\n"
	"       pttrace analyze --list-detectors\n"
	"\n"
	"Reads a trace.dat recorded around a guest crash (by pttrace record,\n"
	"trace-cmd record or trace-cmd extract, v6 or v7, uncompressed, zstd or\n"
	"zlib, any instance buffer, cut short or damaged: what can be read is\n"
	"analysed, with a WARNING), or the same events as text (trace-cmd report,\n"
	"ftrace's trace or trace_pipe, perf script; <file> - is standard input),\n"
	"rebuilds what the guest drivers did to their PCI devices and reports what\n"
	"looks wrong, most probable cause first, each finding with its evidence:\n"
	"accesses to a device in D3hot or with decode off, reads of all-ones,\n"
	"polling a register that never changes, resets that do not recover the\n"
	"device, interrupt storms and level interrupts never acknowledged, MSIs\n"
	"programmed to nowhere, MMIO to no BAR (stale BARs), exceptions right after\n"
	"a device access, what changed just before the crash, and devices whose\n"
	"accesses are invisible (mmapped BARs).\n"
	"\n"
	"The crash is found in the trace: a pvpanic write, the triple fault's\n"
	"KVM_EXIT_SHUTDOWN, the Hyper-V crash MSRs (the Windows bugcheck code and\n"
	"parameters; when KVM refused the writes with #GP the report says so), an\n"
	"injected double fault or machine check, a guest reset; otherwise the end\n"
	"of the trace, said plainly.\n"
	"\n"
	"Options:\n"
	"    --json              the report as JSON (schema: docs/analyze-json.md)\n"
	"    --window <s>        only findings whose last evidence is in the last <s>\n"
	"                        seconds before the crash.  It narrows the findings, not\n"
	"                        the events: the detectors still read the whole trace (a\n"
	"                        device put in D3hot long before is in D3hot still), and\n"
	"                        a finding's evidence and counts, and the DEVICES, VCPUS\n"
	"                        and INTERRUPTS summaries, cover the whole trace\n"
	"    --device <bdf>      only this device's findings and summary (00:03.0)\n"
	"    --vcpu <n>          only events of vcpu <n> (the device model sees all)\n"
	"    --at <time>         the crash is at <time> (seconds, trace-cmd report's clock)\n"
	"    --device <bdf>:<bar>=<gpa>[+<size>]\n"
	"                        a BAR the trace does not show being programmed\n"
	"    --ecam <gpa>        the ECAM (MMCONFIG) base, if not q35's 0xb0000000\n"
	"    --guest-elf <file>[@<bias>]\n"
	"                        the guest's kernel or driver module with symbols: the\n"
	"                        guest rips in the trace (kvm_exit, kvm_emulate_insn,\n"
	"                        the nearest before each MMIO or port access on its vcpu)\n"
	"                        print as function+0xoff; <bias> is where the guest\n"
	"                        loaded it (a module's .text). Repeatable\n"
	"    --vm <pid>|<name>   in a host-wide recording (trace-cmd record -e kvm without\n"
	"                        -P), the VM to analyse: its QEMU pid, one of its thread\n"
	"                        ids, or its threads' name; by default the VM with a crash\n"
	"                        signal (the report lists the VMs found)\n"
	"    --color, --color=<when>\n"
	"                        severities in colour: <when> is auto (the default: on a\n"
	"                        terminal, unless TERM is dumb or NO_COLOR is set), always\n"
	"                        (--color alone; also with NO_COLOR) or never\n"
	"    --jobs <n>          threads reading the file (default: one per cpu online):\n"
	"                        the cpus' records are decoded on <n> - 1 and merged in\n"
	"                        time order on one; 1 reads on one. Same output either way\n"
	"    --stats             time spent opening the file and reading its records, on stderr\n"
	"    --tui               browse it instead, with the same options: pttrace tui\n"
	"    --list-detectors    the detectors analyze runs (the plugins' too), one a line\n"
	"\n"
	"Exit status: 0 nothing suspicious, 1 suspicious findings, 2 error.\n",
	.run = analyze_run,
	.uses_plugins = 1,
};
