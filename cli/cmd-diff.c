// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pt-diff.h"

static const char *side_name[2] = { "baseline", "crash" };

/* "-1.030112 vcpu 0 pio write port 0xcfc len 2 val 0x3" */
static void event_str(const struct pt_diff_side *s, char *buf, size_t size)
{
	const struct pt_event *ev = &s->ev;
	size_t len = snprintf(buf, size, "%.6f ", s->rel);

	if (ev->vcpu >= 0)
		len += snprintf(buf + len, size - len, "vcpu %d ", ev->vcpu);
	len += snprintf(buf + len, size - len, "%s", pt_event_kind_name(ev->kind));
	if (len >= size)
		return;
	switch (ev->kind) {
	case PT_EV_MMIO_READ:
	case PT_EV_MMIO_WRITE:
		snprintf(buf + len, size - len, " gpa 0x%llx len %u val 0x%llx",
			 (unsigned long long)ev->addr, ev->len, (unsigned long long)ev->val);
		break;
	case PT_EV_PIO_READ:
	case PT_EV_PIO_WRITE:
		snprintf(buf + len, size - len, " port 0x%llx len %u val 0x%llx",
			 (unsigned long long)ev->addr, ev->len, (unsigned long long)ev->val);
		break;
	default:
		snprintf(buf + len, size - len, " addr 0x%llx val 0x%llx",
			 (unsigned long long)ev->addr, (unsigned long long)ev->val);
	}
}

static void print_trace(const char *label, const char *path, const struct pt_diff_trace_info *t)
{
	printf("%-10s%s: %s, %.3f s before it, %llu kvm events, %u devices\n", label, path,
	       pt_crash_kind_name(t->crash.kind), t->seconds, (unsigned long long)t->events,
	       t->devices);
}

static void print_text(const struct pt_diff *d, const char *const path[2], unsigned limit)
{
	char buf[256];
	unsigned shown = d->nitems < limit ? d->nitems : limit;

	print_trace("BASELINE:", path[0], &d->trace[0]);
	print_trace("CRASH:", path[1], &d->trace[1]);
	if (d->reason[0])
		printf("NOTE:     %s\n", d->reason);
	printf("\nDIFFERENCES (most likely to matter first)\n"
	       "-----------\n");
	if (!d->nitems)
		printf("none: the two traces show the same device state, registers and rates\n");
	for (unsigned i = 0; i < shown; i++) {
		const struct pt_diff_item *it = &d->items[i];

		printf("%2u. [%s, %u] %s: %s  (%s)\n", i + 1, pt_diff_level(it->score), it->score,
		       it->what, it->title, pt_diff_kind_name(it->kind));
		for (int w = 0; w < 2; w++) {
			const struct pt_diff_side *s = &it->side[w];

			printf("      %-9s ", side_name[w]);
			if (!s->seen) {
				printf("none\n");
				continue;
			}
			if (s->count)
				printf("%llu (%.1f/s)", (unsigned long long)s->count, s->rate);
			if (s->reads || s->writes)
				printf(": %llu reads, %llu writes", (unsigned long long)s->reads,
				       (unsigned long long)s->writes);
			if (s->values[0])
				printf("%s%s", s->count ? "; " : "", s->values);
			putchar('\n');
			if (s->has_event) {
				event_str(s, buf, sizeof(buf));
				printf("                %s %s\n", s->last ? "last: " : "first:", buf);
			}
		}
	}
	if (shown < d->nitems)
		printf("... %u more (--limit 0 shows all)\n", d->nitems - shown);
}

static void json_str(const char *key, const char *v)
{
	printf("\"%s\": ", key);
	pt_json_put_str(stdout, v);
}

static void json_trace(const char *path, const struct pt_diff_trace_info *t)
{
	printf("{");
	json_str("file", path);
	printf(", ");
	json_str("crash", pt_crash_kind_name(t->crash.kind));
	printf(", \"crash_ts\": %.9f, \"seconds\": %.6f, \"events\": %llu, \"devices\": %u}",
	       t->crash.ts / 1e9, t->seconds, (unsigned long long)t->events, t->devices);
}

static void json_side(const struct pt_diff_side *s)
{
	char buf[32];

	if (!s->seen) {
		printf("null");
		return;
	}
	printf("{\"count\": %llu, \"rate\": %.3f, \"reads\": %llu, \"writes\": %llu, ",
	       (unsigned long long)s->count, s->rate, (unsigned long long)s->reads,
	       (unsigned long long)s->writes);
	json_str("values", s->values);
	printf(", \"event\": ");
	if (!s->has_event) {
		printf("null}");
		return;
	}
	printf("{\"which\": \"%s\", \"rel\": %.6f, \"ts\": %.9f, \"vcpu\": %d, ",
	       s->last ? "last" : "first", s->rel, s->ev.ts / 1e9, s->ev.vcpu);
	json_str("kind", pt_event_kind_name(s->ev.kind));
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)s->ev.addr);
	printf(", ");
	json_str("addr", buf);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)s->ev.val);
	printf(", ");
	json_str("val", buf);
	printf("}}");
}

static void print_json(const struct pt_diff *d, const char *const path[2])
{
	char buf[32];

	printf("{\"baseline\": ");
	json_trace(path[0], &d->trace[0]);
	printf(", \"crash\": ");
	json_trace(path[1], &d->trace[1]);
	printf(", \"comparable\": %s, ", d->comparable ? "true" : "false");
	json_str("note", d->reason);
	printf(", \"common_devices\": %u, \"differences\": [", d->common_devices);
	for (unsigned i = 0; i < d->nitems; i++) {
		const struct pt_diff_item *it = &d->items[i];

		printf("%s\n  {\"rank\": %u, ", i ? "," : "", i + 1);
		json_str("kind", pt_diff_kind_name(it->kind));
		printf(", ");
		json_str("level", pt_diff_level(it->score));
		printf(", \"score\": %u, ", it->score);
		json_str("what", it->what);
		printf(", ");
		json_str("title", it->title);
		printf(", \"device\": ");
		if (it->has_device) {
			pt_bdf_str(it->bdf, buf, sizeof(buf));
			pt_json_put_str(stdout, buf);
			snprintf(buf, sizeof(buf), "%04x:%04x", it->vendor, it->device);
			printf(", ");
			json_str("id", buf);
		} else {
			printf("null, \"id\": null");
		}
		printf(", \"register\": ");
		if (it->bar >= 0) {
			pt_reg_str(it->bar, it->off, buf, sizeof(buf));
			pt_json_put_str(stdout, buf);
		} else {
			printf("null");
		}
		printf(", \"detector\": ");
		if (it->detector[0])
			pt_json_put_str(stdout, it->detector);
		else
			printf("null");
		printf(", \"vector\": ");
		if (it->vector >= 0)
			printf("%d", it->vector);
		else
			printf("null");
		for (int w = 0; w < 2; w++) {
			printf(", \"%s\": ", side_name[w]);
			json_side(&it->side[w]);
		}
		printf("}");
	}
	printf("%s]}\n", d->nitems ? "\n" : "");
}

static int diff_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		{ "vm", required_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct pt_analysis_opts opts = { .vcpu = -1 };
	const char *path[2];
	struct pt_diff *d;
	struct pt_err err;
	int json = 0, c, rc = PT_EXIT_OK;
	unsigned long limit = 20;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'n':
			limit = strtoul(optarg, &end, 10);
			if (!*optarg || *end || *optarg == '-')
				return pt_die_usage(&pt_cmd_diff, "--limit wants a number, not '%s'", optarg);
			break;
		case 'v':
			opts.vm = optarg;
			break;
		case 'J':
			if (pt_cli_analysis_opt(&pt_cmd_diff, c, optarg, &opts))
				return PT_EXIT_ERROR;
			break;
		default:
			return pt_die_usage(&pt_cmd_diff, NULL);	/* getopt said why */
		}
	}
	if (optind != argc - 2)
		return pt_die_usage(&pt_cmd_diff, "diff wants two trace files: the baseline, then the crash");
	path[0] = argv[optind];
	path[1] = argv[optind + 1];
	d = pt_diff_files(path[0], path[1], &opts, &err);
	if (!d) {
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	if (json)
		print_json(d, path);
	else
		print_text(d, path, limit ? (unsigned)(limit > d->nitems ? d->nitems : limit)
				    : d->nitems);
	if (!d->comparable)
		rc = PT_EXIT_FAILURE;
	for (unsigned i = 0; i < d->nitems; i++)
		if (d->items[i].score >= 80)
			rc = PT_EXIT_FAILURE;
	pt_diff_free(d);
	return rc;
}

const struct pt_cmd pt_cmd_diff = {
	.name = "diff",
	.summary = "what a crashed run's trace shows that a good run's does not",
	.usage =
	"usage: pttrace diff <baseline> <crash> [--json] [--limit <n>] [--vm <pid>|<name>]\n"
	"                    [--jobs <n>]\n"
	"\n"
	"Compares a trace of a run that did not crash (<baseline>) with a trace of\n"
	"the same VM and devices that did (<crash>), and lists what differs, most\n"
	"likely to matter first: device state (power state and BAR accesses in\n"
	"D3hot, decode and bus master, MSI/MSI-X programming, link control ASPM:\n"
	"the last value written and the state each trace ends in), MMIO to no\n"
	"BAR, config-space writes in one run only, registers touched in one run\n"
	"only or written with other values, then interrupt rates and latencies\n"
	"per vector and access rates per device, each normalised by its trace's\n"
	"length.  Each difference shows what both traces have of it: how many\n"
	"events, how often, which values, and the first event (seconds from that\n"
	"trace's crash).\n"
	"\n"
	"The findings pttrace analyze makes of the crash are ranked with them: one\n"
	"whose detector does not fire in the baseline ranks high; one that fires\n"
	"in the baseline too is marked \"also in baseline\" and ranks low, and one\n"
	"only the baseline has is listed last, \"only in the baseline\".\n"
	"\n"
	"Registers are matched by device (vendor:device and BDF), BAR and offset,\n"
	"so BARs placed at other addresses in the two runs still match.  Traces\n"
	"that share no device are said to differ and are not compared.\n"
	"\n"
	"Options:\n"
	"    --json              the differences as JSON, all of them\n"
	"    --limit <n>         show the first <n> differences (default 20, 0 all)\n"
	"    --vm <pid>|<name>   in host-wide recordings, the VM to compare\n"
	"    --jobs <n>          threads reading the file (default: one per cpu online):\n"
	"                        the cpus' records are decoded on <n> - 1 and merged in\n"
	"                        time order on one; 1 reads on one. Same output either way\n"

	"\n"
	"Exit status: 0 no difference ranked high, 1 some (or the traces are not\n"
	"of the same devices), 2 error.\n",
	.run = diff_run,
	.uses_plugins = 1,
};
