// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace report: every kvm event, decoded, one a line.  The file is read
 * twice, streaming both times: first the analysis finds the crash (times are
 * relative to it) and the devices; then each event goes through a device
 * model of its own, as the trace had it at that moment, and out as text
 * (the words of analyze's evidence, analyzer/describe.c), CSV or JSON lines.
 * Filters are the TUI's (tui/index.c), so they mean the same in both.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pt-analyze.h"
#include "pt-describe.h"
#include "pt-json.h"
#include "pt-plugins.h"
#include "pt-reader.h"
#include "pt-symbols.h"
#include "pt-tui.h"

enum format { FMT_TEXT, FMT_CSV, FMT_JSON };

struct report {
	const struct pt_analysis *crash;	/* pass 1: the crash, the VM */
	struct pt_analysis *live;		/* pass 2: the model as the trace goes */
	struct pt_tui_index *x;			/* device indexes for the filter */
	struct pt_tui_filter filter;
	int64_t from, to;			/* trace clock, ns, inclusive */
	int vm;					/* the VM's events only; -1 all */
	enum format format;
	FILE *out;
	uint64_t shown;
};

/* A time option as trace clock ns; REL is relative to the crash at CRASH_TS. */
static int64_t absolute(int64_t ns, int rel, uint64_t crash_ts)
{
	return rel ? (int64_t)crash_ts + ns : ns;
}

static void csv_put(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The decoded parts of one event, for CSV and JSON. */
struct parts {
	char bdf[16], bar[16], off[24], reg[64], fields[160], func[128];
	int target;
};

static void decode(const struct report *r, const struct pt_event *ev, const struct pt_access *acc,
		   struct parts *p)
{
	memset(p, 0, sizeof(*p));
	if (acc->dev && acc->type != PT_ACC_NONE && acc->type != PT_ACC_PLATFORM)
		pt_bdf_str(acc->dev->bdf, p->bdf, sizeof(p->bdf));
	p->target = acc->dev && (acc->type == PT_ACC_BAR || acc->type == PT_ACC_CONFIG);
	if (p->target) {
		if (acc->bar == PT_REG_CONFIG)
			snprintf(p->bar, sizeof(p->bar), "config");
		else
			snprintf(p->bar, sizeof(p->bar), "BAR%d", acc->bar);
		snprintf(p->off, sizeof(p->off), "0x%llx", (unsigned long long)acc->off);
		if (pt_reg_name(acc->dev, acc->bar, acc->off, p->reg, sizeof(p->reg)))
			p->reg[0] = 0;
		if (ev->kind <= PT_EV_PIO_WRITE &&
		    pt_reg_value_str(acc->dev, acc->bar, acc->off, ev->val, p->fields, sizeof(p->fields)))
			p->fields[0] = 0;
	}
	if (ev->rip && r->live->opts.symbols)
		pt_symbols_str(r->live->opts.symbols, ev->rip, p->func, sizeof(p->func));
}

static const char csv_header[] =
	"time,time_rel,vcpu,kind,device,bar,offset,register,addr,len,value,fields,rip,function\n";

static void print_csv(const struct report *r, const struct pt_event *ev, const struct parts *p)
{
	FILE *f = r->out;

	fprintf(f, "%llu.%09llu,%+.9f,", (unsigned long long)(ev->ts / 1000000000),
		(unsigned long long)(ev->ts % 1000000000), pt_rel(r->crash, ev->ts));
	if (ev->vcpu >= 0)
		fprintf(f, "%d", ev->vcpu);
	fprintf(f, ",%s,%s,%s,%s,", pt_event_kind_name(ev->kind), p->bdf, p->bar, p->off);
	csv_put(f, p->reg);
	fprintf(f, ",0x%llx,%u,0x%llx,", (unsigned long long)ev->addr, ev->len,
		(unsigned long long)ev->val);
	csv_put(f, p->fields);
	if (ev->rip)
		fprintf(f, ",0x%llx,", (unsigned long long)ev->rip);
	else
		fputs(",,", f);
	csv_put(f, p->func);
	fputc('\n', f);
}

static void json_str(FILE *f, const char *key, const char *val)
{
	if (!*val)
		return;
	fprintf(f, ",\"%s\":", key);
	pt_json_put_str(f, val);
}

/* 64-bit values as hex strings: a JSON number loses bits past 2^53 */
static void print_json(const struct report *r, const struct pt_event *ev, const struct parts *p)
{
	FILE *f = r->out;

	fprintf(f, "{\"time\":\"%llu.%09llu\",\"time_rel\":%.9f,\"vcpu\":",
		(unsigned long long)(ev->ts / 1000000000), (unsigned long long)(ev->ts % 1000000000),
		pt_rel(r->crash, ev->ts));
	if (ev->vcpu >= 0)
		fprintf(f, "%d", ev->vcpu);
	else
		fputs("null", f);
	fprintf(f, ",\"kind\":\"%s\"", pt_event_kind_name(ev->kind));
	json_str(f, "device", p->bdf);
	json_str(f, "bar", p->bar);
	json_str(f, "offset", p->off);
	json_str(f, "register", p->reg);
	fprintf(f, ",\"addr\":\"0x%llx\",\"len\":%u,\"value\":\"0x%llx\"", (unsigned long long)ev->addr,
		ev->len, (unsigned long long)ev->val);
	json_str(f, "fields", p->fields);
	if (ev->rip)
		fprintf(f, ",\"rip\":\"0x%llx\"", (unsigned long long)ev->rip);
	json_str(f, "function", p->func);
	fputs("}\n", f);
}

/* As analyze prints its evidence: time from the crash, vcpu, the evidence words. */
static void print_text(const struct report *r, const struct pt_event *ev, const struct pt_access *acc)
{
	struct pt_evidence e = { .ev = *ev, .bar = -1 };
	char line[512];

	if (acc->dev && (acc->type == PT_ACC_BAR || acc->type == PT_ACC_CONFIG)) {
		e.has_target = 1;
		e.bdf = acc->dev->bdf;
		e.bar = acc->bar;
		e.off = acc->off;
	}
	pt_evidence_str(r->live, &e, line, sizeof(line));
	fprintf(r->out, "%+11.6f %llu.%09llu ", pt_rel(r->crash, ev->ts),
		(unsigned long long)(ev->ts / 1000000000), (unsigned long long)(ev->ts % 1000000000));
	if (ev->vcpu >= 0)
		fprintf(r->out, "vcpu %-2d %s\n", ev->vcpu, line);
	else
		fprintf(r->out, "        %s\n", line);
}

static void one_event(struct report *r, struct pt_event *ev, const struct pt_position *pos)
{
	struct pt_access acc;
	struct pt_tui_entry e;

	if (r->vm >= 0 && ev->vm < PT_MAX_VMS && ev->vm != r->vm)
		return;
	/* the model sees every event; what is shown is filtered after */
	pt_analysis_feed_access(r->live, ev, &acc);
	if ((int64_t)ev->ts < r->from || (int64_t)ev->ts > r->to)
		return;
	pt_tui_entry_set(r->x, &e, ev, pos, &acc);
	if (!pt_tui_match(r->x, &e, &r->filter))
		return;
	/* an access's guest code: the nearest rip before it on its vcpu, as analyze has it */
	if (ev->kind <= PT_EV_PIO_WRITE && !ev->rip && ev->vcpu >= 0 && ev->vcpu < PT_MAX_VCPUS &&
	    r->live->vcpu[ev->vcpu].last_rip) {
		ev->rip = r->live->vcpu[ev->vcpu].last_rip;
		ev->flags |= PT_EVF_RIP_NEAREST;
	}
	r->shown++;
	if (r->format == FMT_TEXT) {
		print_text(r, ev, &acc);
	} else {
		struct parts p;

		decode(r, ev, &acc, &p);
		(r->format == FMT_CSV ? print_csv : print_json)(r, ev, &p);
	}
}

/* Pass 2: the events again, through a model of their own that never stops at the crash. */
static int report_events(struct report *r, const char *path, const struct pt_analysis_opts *aopts,
			 struct pt_err *err)
{
	struct pt_analysis_opts opts = *aopts;
	struct pt_reader *rd;
	struct pt_event ev;
	struct pt_position pos;
	int rc = -1;

	opts.have_at = 1;
	opts.at_ts = UINT64_MAX;
	opts.vm = NULL;
	rd = pt_reader_open(path, err);
	if (!rd)
		return -1;
	pt_reader_set_jobs(rd, opts.jobs);
	r->live = pt_analysis_new(&opts, err);
	if (!r->live || pt_analysis_set_meta(r->live, pt_reader_meta(rd)))
		goto out;
	r->live->exit_isa = r->crash->exit_isa;
	r->x->a = r->live;
	if (r->format == FMT_CSV)
		fputs(csv_header, r->out);
	while (pt_reader_next(rd, &ev, &pos))
		one_event(r, &ev, &pos);
	rc = 0;
out:
	pt_reader_close(rd);
	return rc;
}

/* "kind=mmio kind=msi": --kind mmio,msi as the TUI's filter says it; KEY NULL: VAL is terms */
static int add_term(char *buf, size_t size, const char *key, const char *val)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, "%s%s%s%s", len ? " " : "", key ? key : "",
			 key ? "=" : "", val);

	return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

static int add_kinds(char *buf, size_t size, const char *list)
{
	char copy[128], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		for (char *p = k; *p; p++)	/* "mmio read": one term, "mmio-read" */
			if (*p == ' ')
				*p = '-';
		if (add_term(buf, size, "kind", k))
			return -1;
	}
	return 0;
}

static int report_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "vcpu", required_argument, NULL, 'c' },
		{ "vm", required_argument, NULL, 'v' },
		{ "kind", required_argument, NULL, 'k' },
		{ "reg", required_argument, NULL, 'r' },
		{ "filter", required_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'o' },
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "guest-elf", required_argument, NULL, 'g' },
		{ "ecam", required_argument, NULL, 'e' },
		{ "jobs", required_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct pt_analysis_opts opts = { .vcpu = -1 };
	struct report r = { .vm = -1, .format = FMT_TEXT, .out = stdout };
	struct pt_symbols *symbols = NULL;
	struct pt_analysis *a = NULL;
	const char *hints[16], *elf_specs[16];
	unsigned nelf = 0, ndevs = 0, nvcpus = 0;
	uint16_t devs_given[16];	/* --device and --vcpu, said when the trace has none such */
	int vcpus_given[16];
	char filter[256] = "", *end, buf[1 << 16];
	int64_t from = 0, to = 0;
	int have_from = 0, have_to = 0, from_rel = 0, to_rel = 0, c, rc = PT_EXIT_ERROR;
	struct pt_err err;
	const struct pt_cmd *me = &pt_cmd_report;

	opts.hints = hints;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:k:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
		case 't':
			if (pt_parse_time_arg(optarg, c == 'f' ? &from : &to, c == 'f' ? &from_rel : &to_rel)) {
				/* one line: the example says what to write */
				fprintf(stderr, "pttrace report: --%s wants a time: -2s, +150ms, 0 (from the "
					"crash) or 1234.5678 (the trace clock), not '%s'\n",
					c == 'f' ? "from" : "to", optarg);
				return PT_EXIT_ERROR;
			}
			*(c == 'f' ? &have_from : &have_to) = 1;
			break;
		case 'd':
			if (strchr(optarg, '=')) {
				if (opts.nhints == 16)
					return pt_die_usage(me, "at most 16 --device BARs");
				hints[opts.nhints++] = optarg;
				break;
			}
			{
				uint16_t bdf;
				const char *e;

				if (pt_bdf_parse(optarg, &bdf, &e) || *e)
					return pt_die_usage(me, "--device wants a BDF like 00:03.0, not '%s'",
							    optarg);
				if (ndevs < 16)
					devs_given[ndevs++] = bdf;
			}
			if (add_term(filter, sizeof(filter), "dev", optarg))
				return pt_die_usage(me, "too many filters");
			break;
		case 'c':
			if (!*optarg || strtol(optarg, &end, 10) < 0 || *end)
				return pt_die_usage(me, "--vcpu wants a vcpu number, not '%s'", optarg);
			if (nvcpus < 16)
				vcpus_given[nvcpus++] = (int)strtol(optarg, NULL, 10);
			if (add_term(filter, sizeof(filter), "vcpu", optarg))
				return pt_die_usage(me, "too many filters");
			break;
		case 'k':
			if (add_kinds(filter, sizeof(filter), optarg))
				return pt_die_usage(me, "too many filters");
			break;
		case 'r':
			if (add_term(filter, sizeof(filter), "reg", optarg))
				return pt_die_usage(me, "too many filters");
			break;
		case 'F':
			if (add_term(filter, sizeof(filter), NULL, optarg))
				return pt_die_usage(me, "too many filters");
			break;
		case 'o':
			if (!strcmp(optarg, "text"))
				r.format = FMT_TEXT;
			else if (!strcmp(optarg, "csv"))
				r.format = FMT_CSV;
			else if (!strcmp(optarg, "json"))
				r.format = FMT_JSON;
			else
				return pt_die_usage(me, "--format wants text, csv or json, not '%s'", optarg);
			break;
		case 'C':
			r.format = FMT_CSV;
			break;
		case 'j':
			r.format = FMT_JSON;
			break;
		case 'g':
			if (nelf == 16)
				return pt_die_usage(me, "at most 16 --guest-elf files");
			elf_specs[nelf++] = optarg;
			break;
		case 'v':
			opts.vm = optarg;
			break;
		case 'e':
		case 'J':
			if (pt_cli_analysis_opt(me, c, optarg, &opts))
				return PT_EXIT_ERROR;
			break;
		default:
			return pt_die_usage(me, NULL);	/* getopt said why */
		}
	}
	if (optind != argc - 1)
		return pt_die_usage(me, "report wants one trace file");
	if (!strcmp(argv[optind], "-")) {
		pt_error("report reads its file twice (the crash first): give a file, not standard input");
		return PT_EXIT_ERROR;
	}
	for (unsigned i = 0; i < nelf; i++)
		if (pt_cli_guest_elf(&symbols, elf_specs[i]))
			goto out;
	opts.symbols = symbols;
	r.x = calloc(1, sizeof(*r.x));
	if (!r.x) {
		pt_error("out of memory");
		goto out;
	}
	/* pass 1: the crash, the VM, the devices */
	a = pt_analyze_file(argv[optind], &opts, &err);
	if (!a) {
		pt_error("%s", err.msg);
		goto out;
	}
	r.crash = a;
	if (a->info.nvms > 1)
		r.vm = a->vm;
	{
		unsigned n;
		struct pt_device *const *devs = pt_model_devices(a->model, &n);

		r.x->a = a;
		for (unsigned i = 0; i < n; i++)
			pt_tui_device_index(r.x, devs[i]->bdf);
	}
	if (pt_tui_parse_filter(r.x, filter, &r.filter, &err)) {
		pt_error("%s", err.msg);
		goto out;
	}
	r.from = have_from ? absolute(from, from_rel, a->crash.ts) : INT64_MIN;
	r.to = have_to ? absolute(to, to_rel, a->crash.ts) : INT64_MAX;
	if (r.from > r.to) {
		pt_error("--from is after --to: nothing between %.6f and %.6f", r.from / 1e9, r.to / 1e9);
		goto out;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	if (report_events(&r, argv[optind], &opts, &err)) {
		fflush(stdout);
		pt_error("%s", err.msg);
		goto out;
	}
	fflush(stdout);
	for (unsigned i = 0; i < ndevs; i++)
		pt_cli_note_filters(a, -1, 1, devs_given[i]);
	for (unsigned i = 0; i < nvcpus; i++)
		pt_cli_note_filters(a, vcpus_given[i], 0, 0);
	pt_cli_note_rips(a);
	rc = PT_EXIT_OK;
	if (!r.shown) {
		pt_error("no event matches%s%s%s", filter[0] || have_from || have_to ? " the filters" : "",
			 filter[0] ? ": " : "", filter);
		rc = PT_EXIT_FAILURE;
	}
out:
	if (r.x)
		r.x->a = NULL;
	free(r.x);
	pt_analysis_free(r.live);
	pt_analysis_free(a);
	pt_symbols_free(symbols);
	return rc;
}

const struct pt_cmd pt_cmd_report = {
	.name = "report",
	.summary = "every kvm event decoded, one a line: text, CSV or JSON lines",
	.usage =
	"usage: pttrace report <file> [--from <time>] [--to <time>] [--device <bdf>] [--vcpu <n>]\n"
	"                      [--kind <kind>[,<kind>]...] [--reg <name>|<reg>] [--filter <terms>]\n"
	"                      [--vm <pid>|<name>] [--guest-elf <file>[@<bias>]]...\n"
	"                      [--device <bdf>:<bar>=<gpa>[+<size>]] [--ecam <gpa>]\n"
	"                      [--format <fmt>] [--csv] [--json] [--jobs <n>]\n"
	"\n"
	"Prints every kvm event of a trace (what analyze reads: a trace.dat or a\n"
	"text trace) in time order, one a line, decoded as analyze and the TUI\n"
	"decode it: the time from the crash, the vcpu, the kind, the device, BAR\n"
	"and offset, the register's name and fields, the value and, with\n"
	"--guest-elf, the guest function that made the access.  The text is the\n"
	"words of analyze's evidence lines, after the time from the crash and the\n"
	"trace clock; CSV has a header row; JSON has one object a line, its 64-bit\n"
	"values (addr, value, rip) as hex strings.  The file is read twice,\n"
	"streaming: once to find the crash, once to print.\n"
	"\n"
	"Options:\n"
	"    --from <time>, --to <time>\n"
	"                        only events from, to <time> (both included): with a\n"
	"                        sign, a unit (s, ms, us, ns) or 0, from the crash\n"
	"                        (--from -2s --to 0); a bare number is the trace clock in\n"
	"                        seconds, as trace-cmd report shows it (1234.567890)\n"
	"    --device <bdf>      only events on this device (00:03.0)\n"
	"    --vcpu <n>          only events of vcpu <n>\n"
	"    --kind <kind>       only events of these kinds, comma separated: mmio read,\n"
	"                        mmio, pio, msr, msi, exit, ... or the kvm event's name\n"
	"                        (kvm_mmio); repeatable\n"
	"    --reg <reg>         only accesses to this register: its name (PMCSR, STATUS),\n"
	"                        BAR0+0x24 or config+0x44\n"
	"    --filter <terms>    the TUI's filter: \"kind=mmio dev=00:03.0 reg=BAR0+0x24\n"
	"                        vcpu=0 rw=r value=0x100\"; every term must hold; key=a,b\n"
	"                        is any of the values, key!=a,b none (kind!=emulate)\n"
	"    --vm <pid>|<name>   in a host-wide recording, the VM to report (as analyze)\n"
	"    --guest-elf <file>[@<bias>]\n"
	"                        the guest's kernel or module with symbols: rips print as\n"
	"                        function+0xoff (as analyze). Repeatable\n"
	"    --device <bdf>:<bar>=<gpa>[+<size>], --ecam <gpa>\n"
	"                        BARs and the ECAM base the trace does not show (as analyze)\n"
	"    --jobs <n>          threads reading the file (default: one per cpu online):\n"
	"                        the cpus' records are decoded on <n> - 1 and merged in\n"
	"                        time order on one; 1 reads on one. Same output either way\n"
	"    --format <fmt>      the output format: text (the default), csv or json\n"
	"    --csv, --json       --format csv, --format json\n"
	"\n"
	"Exit status: 0 events printed, 1 no event matches the filters, 2 error.\n",
	.run = report_run,
	.uses_plugins = 1,
};
