/*
 * The multifunction detector: two functions of one host card that
 * pttrace record's metadata shows in different guest slots are reported,
 * with advice in the VM's terms (QEMU's addr=, or libvirt's guest
 * <address/>); together in one slot they are not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "stream.h"

/* A GPU (hostdev0) and its audio (hostdev1) at guest BDFs GPU and AUDIO; VM the "vm" member. */
static struct stream card(const char *gpu, const char *audio, const char *vm)
{
	struct stream s = stream_start();
	char meta[1536];

	snprintf(meta, sizeof(meta), "{%s\"pci\": ["
		 "{\"bdf\": \"%s\", \"vendor\": 4318, \"device\": 9348, \"class\": 768, "
		 "\"qdev_id\": \"hostdev0\", \"bars\": []}, "
		 "{\"bdf\": \"%s\", \"vendor\": 4318, \"device\": 8843, \"class\": 1027, "
		 "\"qdev_id\": \"hostdev1\", \"bars\": []}], "
		 "\"devices\": [{\"driver\": \"vfio-pci\", \"id\": \"hostdev0\", \"addr\": \"0x0\", "
		 "\"assigned\": true, \"host\": \"0000:0a:00.0\"}, "
		 "{\"driver\": \"vfio-pci\", \"id\": \"hostdev1\", \"addr\": \"0x0\", "
		 "\"assigned\": true, \"host\": \"0a:00.1\"}]}", vm, gpu, audio);
	assert_int_equal(pt_analysis_set_meta(s.a, meta), 0);
	pvpanic(&s);
	return s;
}

static void test_split_qemu(void **state)
{
	struct stream s = card("01:00.0", "02:00.0", "");
	const struct pt_finding *f = find(s.a, "multifunction");

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->cls, PT_CLASS_CONTEXT);
	assert_int_equal(f->severity, PT_SEV_LOW);
	assert_non_null(strstr(f->title, "host 0000:0a:00.0 and 0000:0a:00.1, functions of one card, "
				"sit in different guest slots (01:00.0 and 02:00.0)"));
	assert_non_null(strstr(f->advice, "addr=XX.0,multifunction=on and addr=XX.1"));
	pt_analysis_free(s.a);
}

static void test_split_libvirt(void **state)
{
	struct stream s = card("01:00.0", "02:00.0",
			       "\"vm\": {\"libvirt\": true, \"domain\": {\"name\": \"win11\", \"hostdevs\": "
			       "[{\"host\": \"0000:0a:00.0\", \"guest\": \"0000:05:00.0\"}, "
			       "{\"host\": \"0000:0a:00.1\", \"guest\": \"0000:06:00.0\"}]}}, ");
	const struct pt_finding *f = find(s.a, "multifunction");

	(void)state;
	assert_non_null(f);
	/* libvirt's bus index (5), not the guest's bus number (1) */
	assert_non_null(strstr(f->advice, "(virsh edit win11) give <hostdev> 0000:0a:00.0 <address "
				"type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0' "
				"multifunction='on'/> and <hostdev> 0000:0a:00.1 the same bus and slot with "
				"function='0x1'"));
	pt_analysis_free(s.a);
}

static void test_together(void **state)
{
	struct stream s = card("01:00.0", "01:00.1", "");

	(void)state;
	assert_null(find(s.a, "multifunction"));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_qemu),
		cmocka_unit_test(test_split_libvirt),
		cmocka_unit_test(test_together),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
