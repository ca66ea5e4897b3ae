// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reports over a constructed event stream: 64-bit numbers above 2^53
 * (guest kernel rips, 64-bit register values) come out exactly as hex
 * strings, and exit reasons come out by name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-json.h"
#include "report.h"
#include "stream.h"

#define GPU	BDF(0, 5, 0)
#define GPU_BAR	0xfd000000u
#define RIP	0xffffffffc0401235ull	/* odd: a double cannot hold it */
#define WIDE	0xfedcba9876543211ull

/* A driver polling a register on an Intel host, each read an EPT_MISCONFIG exit. */
static struct pt_analysis *polling_stream(void)
{
	struct pt_analysis_opts o = { .vcpu = -1 };
	struct stream s = { .ts = 1000000000ull, .step = 50000 };
	struct pt_err err;

	s.a = pt_analysis_new(&o, &err);
	assert_non_null(s.a);
	probe_device(&s, GPU, 0x1002, 0x5159, 0x030000, GPU_BAR, 0x10000);
	emit(&s, PT_EV_MMIO_READ, GPU_BAR + 0x800, WIDE, 8);
	{
		struct pt_event irq = { .ts = s.ts, .kind = PT_EV_EXIT, .val = 1, .tid = 100 };

		pt_analysis_feed(s.a, &irq);
	}
	for (int i = 0; i < 3000; i++) {
		struct pt_event ev = { .ts = s.ts, .kind = PT_EV_EXIT, .val = 49, .rip = RIP,
				       .tid = 100, .vcpu = 0 };

		pt_analysis_feed(s.a, &ev);
		s.ts += 1000;
		mmio(&s, 0, GPU_BAR + 0x710, 0);
	}
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);	/* pvpanic */
	pt_analysis_finish(s.a);
	return s.a;
}

static char *report(struct pt_analysis *a, int json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (json)
		pt_report_json(f, a, "constructed");
	else
		pt_report_text(f, a, "constructed", 0);
	fclose(f);
	return text;
}

static const struct pt_json *find_member(const struct pt_json *j, const char *key, const char *str)
{
	for (const struct pt_json *c = j ? j->child : NULL; c; c = c->next) {
		const struct pt_json *hit;

		if (c->key && !strcmp(c->key, key) && c->type == PT_JSON_STRING && !strcmp(c->str, str))
			return c;
		if ((hit = find_member(c, key, str)))
			return hit;
	}
	return NULL;
}

static void test_u64_above_2_53_exact_as_hex(void **state)
{
	struct pt_analysis *a = polling_stream();
	char *text = report(a, 1);
	struct pt_err err;
	struct pt_json *j = pt_json_parse(text, strlen(text), &err);
	const struct pt_json *finding;

	(void)state;
	assert_non_null(j);
	assert_true(pt_json_get(j, "schema")->num == 2);
	/* the double the parser reads is not the rip; the string is */
	assert_true((uint64_t)1 << 53 < RIP);
	finding = pt_json_get(j, "findings")->child;
	assert_non_null(finding);
	assert_string_equal(pt_json_get_str(finding, "detector"), "polling");
	assert_string_equal(pt_json_get_str(finding, "rip_hex"), "0xffffffffc0401235");
	assert_non_null(find_member(j, "rip_hex", "0xffffffffc0401235"));	/* evidence events */
	assert_non_null(find_member(j, "last_value_hex", "0xfedcba9876543211"));
	assert_non_null(find_member(j, "addr_hex", "0xfd000710"));
	assert_non_null(find_member(j, "base_hex", "0xfd000000"));
	/* and the number next to it has every digit */
	assert_non_null(strstr(text, "\"rip\": 18446744072640008757, \"rip_hex\": \"0xffffffffc0401235\""));
	assert_non_null(strstr(text, "\"last_value\": 18364758544493064721, "
				     "\"last_value_hex\": \"0xfedcba9876543211\""));
	pt_json_free(j);
	free(text);
	pt_analysis_free(a);
}

static void test_exit_reasons_by_name(void **state)
{
	struct pt_analysis *a = polling_stream();
	char *json = report(a, 1), *text = report(a, 0);
	struct pt_err err;
	struct pt_json *j = pt_json_parse(json, strlen(json), &err);

	(void)state;
	assert_non_null(j);
	/* reason 1 is EXTERNAL_INTERRUPT on VMX and a read of CR1 (no such thing) on SVM */
	assert_int_equal(a->exit_isa, PT_ISA_VMX);
	assert_true(a->exit_isa_guessed);
	assert_string_equal(pt_json_get_str(pt_json_get(j, "trace"), "exit_isa"), "vmx");
	assert_non_null(find_member(j, "name", "EPT_MISCONFIG"));
	assert_non_null(strstr(text, "kvm_exit reasons (VMX, judged from the reasons): "
				     "EXTERNAL_INTERRUPT 1, EPT_MISCONFIG 3000"));
	pt_json_free(j);
	free(json);
	free(text);
	pt_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_above_2_53_exact_as_hex),
		cmocka_unit_test(test_exit_reasons_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
