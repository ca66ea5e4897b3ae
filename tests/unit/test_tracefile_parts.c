// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parts of the trace.dat reader on their own (analyzer/tracefile-local.h):
 * bounded reads, the event formats rewritten before libtraceevent sees
 * them, the header contents both versions share, and a cpu's data checked
 * against the file.  Whole files are tested by tests/cli (corrupt.sh,
 * field.sh, traces.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event-parse.h>

#include "../../analyzer/tracefile-local.h"

/* A buffer built a field at a time, little-endian. */
struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b->b[b->n++] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void test_src_memory(void **state)
{
	static const uint8_t mem[] = { 0x01, 0x02, 0x03, 0x04, 'a', 'b', 0, 'x', 'y', 'z' };
	struct pt_tracefile tf = { .fd = -1 };
	struct pt_tf_src s = pt_tf_mem_src(&tf, mem, sizeof(mem));
	char str[3], *blob;

	(void)state;
	assert_int_equal(pt_tf_read_num(&s, 2), 0x0201);
	tf.big_endian = 1;
	assert_int_equal(pt_tf_read_num(&s, 2), 0x0304);
	assert_int_equal(pt_tf_read_string(&s, str, sizeof(str)), 0);
	assert_string_equal(str, "ab");
	assert_false(s.bad);
	/* "xyz" has no NUL within 3 bytes: damage */
	assert_int_equal(pt_tf_read_string(&s, str, sizeof(str)), -1);
	assert_true(s.bad);
	assert_false(s.cut);	/* memory, not the file */

	s = pt_tf_mem_src(&tf, mem, sizeof(mem));
	pt_tf_skip(&s, 7);
	assert_null(pt_tf_read_blob(&s, 4));	/* 3 left */
	assert_true(s.bad);
	s.bad = 0;
	blob = pt_tf_read_blob(&s, 3);
	assert_non_null(blob);
	assert_string_equal(blob, "xyz");
	free(blob);
	/* nothing is read once S is bad */
	pt_tf_skip(&s, 1);
	assert_true(s.bad);
	assert_int_equal(pt_tf_read_num(&s, 1), 0);
	assert_int_equal(pt_tf_read(&s, str, 0), -1);
}

static void test_src_file(void **state)
{
	char path[] = "/tmp/pttrace-test-tf-XXXXXX";
	struct pt_tracefile tf = { 0 };
	struct pt_tf_src s;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	tf.fd = fd;
	tf.size = 10;
	s = pt_tf_file_src(&tf, 4, 6, 1);	/* "456789", from '5' */
	assert_int_equal(pt_tf_read_num(&s, 1), '5');
	assert_int_equal(s.pos, 2);
	pt_tf_skip(&s, 4);
	assert_false(s.bad);	/* to the end */
	pt_tf_skip(&s, 1);
	assert_true(s.bad);
	assert_true(s.cut);	/* past the end of the file */
	close(fd);
}

#define MMIO_HEAD "name: kvm_mmio\nID: 38\nformat:\n"
#define MMIO_FIELDS \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n" \
	"\n" \
	"\tfield:u32 type;\toffset:8;\tsize:4;\tsigned:0;\n" \
	"\tfield:u64 gpa;\toffset:16;\tsize:8;\tsigned:0;\n"

static const char mmio_format[] = MMIO_HEAD MMIO_FIELDS
	"\nprint fmt: \"mmio %s gpa 0x%llx\", __print_symbolic(REC->type, { 0, \"x\" }), REC->gpa\n";

/* Whether mmio_format with WHAT replaced by WITH is refused. */
static int refused(const char *what, const char *with)
{
	const char *at = strstr(mmio_format, what);
	char bad[sizeof(mmio_format) + 64], *out;

	assert_non_null(at);
	snprintf(bad, sizeof(bad), "%.*s%s%s", (int)(at - mmio_format), mmio_format, with,
		 at + strlen(what));
	out = pt_tf_canonical_format(bad, 38);
	free(out);
	return !out;
}

static void test_canonical_format(void **state)
{
	char *out;

	(void)state;
	out = pt_tf_canonical_format(mmio_format, 38);
	assert_non_null(out);
	/* the fields as they were, the print format left out */
	assert_string_equal(out, MMIO_HEAD MMIO_FIELDS "\nprint fmt: \"\"\n");
	free(out);

	/* what a flipped byte makes of it: no parser sees it */
	assert_true(refused("u32 type", "u32(type"));
	assert_true(refused("offset:16", "offset:70000"));
	assert_true(refused("size:8", "size:"));
	assert_true(refused("\n\tfield:u32", "\n\n\n\tfield:u32"));	/* blank lines */
	assert_true(refused("\tfield:u64", "\tfeld:u64"));
	assert_false(refused("u32 type", "u32 tipe"));
	assert_null(pt_tf_canonical_format("name: kvm_mmio\nID: 38\n", 38));
	assert_null(pt_tf_canonical_format(MMIO_HEAD "print fmt: \"\"\n", 38));
	assert_null(pt_tf_canonical_format("nom: x\n", 38));
}

static void test_formats(void **state)
{
	struct pt_tracefile tf = { .fd = -1 };
	struct buf b = { .n = 0 };
	static const char other[] = "name: sched_switch\nID: 300\nformat:\n";
	struct pt_tf_src s;
	struct tep_event *ev;

	(void)state;
	tf.tep = tep_alloc();
	tf.known_ids = calloc(PT_TF_MAX_IDS / 8, 1);
	assert_non_null(tf.tep);
	assert_non_null(tf.known_ids);
	put(&b, 1, 4);
	put(&b, sizeof(mmio_format) - 1, 8);
	put_bytes(&b, mmio_format, sizeof(mmio_format) - 1);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_read_formats(&tf, &s, "kvm"), 0);
	ev = tep_find_event_by_name(tf.tep, "kvm", "kvm_mmio");
	assert_non_null(ev);
	assert_int_equal(ev->id, 38);
	assert_non_null(tep_find_field(ev, "gpa"));

	/* another system's formats are only counted as known ids */
	b.n = 0;
	put(&b, 1, 4);
	put(&b, sizeof(other) - 1, 8);
	put_bytes(&b, other, sizeof(other) - 1);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_read_formats(&tf, &s, "sched"), 0);
	assert_null(tep_find_event_by_name(tf.tep, "sched", "sched_switch"));
	assert_true(tf.known_ids[300 / 8] & 1u << (300 % 8));
	assert_true(tf.known_ids[38 / 8] & 1u << (38 % 8));
	assert_int_equal(tf.max_known_id, 300);

	/* a count the section cannot hold */
	b.n = 0;
	put(&b, 1000, 4);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_read_formats(&tf, &s, "kvm"), -1);
	tep_free(tf.tep);
	free(tf.known_ids);
}

static void test_header_info(void **state)
{
	static const char page[] = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
				   "\tfield: local_t commit;\toffset:8;\tsize:4;\tsigned:1;\n"
				   "\tfield: char data;\toffset:12;\tsize:4080;\tsigned:1;\n";
	struct pt_tracefile tf = { .fd = -1, .page_header = 16 };
	struct buf b = { .n = 0 };
	struct pt_tf_src s;

	(void)state;
	put_bytes(&b, "header_page", 12);
	put(&b, sizeof(page) - 1, 8);
	put_bytes(&b, page, sizeof(page) - 1);
	put_bytes(&b, "header_event", 13);
	put(&b, 3, 8);
	put_bytes(&b, "abc", 3);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_read_header_info(&tf, &s), 0);
	assert_int_equal(tf.page_header, 12);
	assert_int_equal(s.pos, b.n);
	/* the event header's size runs past the section */
	b.b[b.n - 3 - 8] = 4;
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_read_header_info(&tf, &s), -1);
}

static void test_cmdlines(void **state)
{
	static const char text[] = "1234 qemu-system-x86\nbad line\n1240 CPU 0/KVM\n";
	struct pt_tracefile tf = { .fd = -1 };
	struct buf b = { .n = 0 };
	struct pt_tf_src s;

	(void)state;
	put(&b, sizeof(text) - 1, 8);
	put_bytes(&b, text, sizeof(text) - 1);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_read_cmdlines(&tf, &s), 0);
	assert_int_equal(tf.ncomms, 2);
	assert_string_equal(pt_tracefile_comm(&tf, 1240), "CPU 0/KVM");
	assert_string_equal(pt_tracefile_comm(&tf, 1234), "qemu-system-x86");
	assert_null(pt_tracefile_comm(&tf, 1));
	free(tf.comms);
}

static void test_time_options(void **state)
{
	struct pt_tracefile tf = { .fd = -1 };
	struct buf b = { .n = 0 };
	struct pt_tf_src s;

	(void)state;
	put_bytes(&b, "5", 2);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_time_option(&tf, &s, OPT_DATE, 2), 1);
	assert_int_equal(tf.ts_offset, 5000);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_time_option(&tf, &s, OPT_OFFSET, 2), 1);
	assert_int_equal(tf.ts_offset, 5005);

	b.n = 0;
	put(&b, 3, 4);
	put(&b, 10, 4);
	put(&b, 0, 8);
	s = pt_tf_mem_src(&tf, b.b, b.n);
	assert_int_equal(pt_tf_time_option(&tf, &s, OPT_TSC2NSEC, 8), 0);	/* too short */
	assert_int_equal(pt_tf_time_option(&tf, &s, OPT_TSC2NSEC, 16), 1);
	assert_int_equal(tf.tsc_mult, 3);
	assert_int_equal(tf.tsc_shift, 10);
	assert_int_equal(pt_tf_time_option(&tf, &s, OPT_TIME_SHIFT, 0), 1);
	assert_true(tf.guest_side);
	assert_int_equal(pt_tf_time_option(&tf, &s, OPT_BUFFER, 8), 0);
}

static void test_place_cpu(void **state)
{
	struct pt_tracefile tf = { .fd = -1, .size = 1000 };
	struct pt_tf_buffer b = { .name = "" };
	struct pt_tf_cpu c = { .cpu = 2, .offset = 500, .size = 400 };

	(void)state;
	pt_tf_place_cpu(&tf, &b, &c);
	assert_int_equal(c.avail, 400);
	assert_string_equal(tf.damage, "");
	c.size = 1000;	/* half of it past the end */
	pt_tf_place_cpu(&tf, &b, &c);
	assert_int_equal(c.avail, 500);
	assert_non_null(strstr(tf.damage, "50% into cpu 2's data (500 of 1000 bytes)"));
	/* the first damage is kept: later ones are its consequences */
	snprintf(b.name, sizeof(b.name), "inst");
	c.offset = 2000;
	pt_tf_place_cpu(&tf, &b, &c);
	assert_int_equal(c.avail, 0);
	assert_null(strstr(tf.damage, "inst"));
	tf.damage[0] = 0;
	pt_tf_place_cpu(&tf, &b, &c);
	assert_non_null(strstr(tf.damage, "before cpu 2's data of inst (at byte 2000)"));
	c.size = 0;
	pt_tf_place_cpu(&tf, &b, &c);
	assert_int_equal(c.avail, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_src_memory),
		cmocka_unit_test(test_src_file),
		cmocka_unit_test(test_canonical_format),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_header_info),
		cmocka_unit_test(test_cmdlines),
		cmocka_unit_test(test_time_options),
		cmocka_unit_test(test_place_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
