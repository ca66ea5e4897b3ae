// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host-reset detector on constructed streams, each case with its twin:
 * an assigned GPU the guest's BIOS finds after its QEMU started (or vfio
 * opened it) with no host reset in between fires; the same with the
 * host's FLR, a bus reset of its bridge, or a reset that did not name the
 * device does not.  A reset asked for with no method run fires; a VM
 * started before the recording is context; no probes, nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/pci_regs.h>

#include "report.h"
#include "stream.h"

#define GPU	BDF(0, 5, 0)
#define GPU_BAR	0xfd000000u
#define HOST	"0000:01:00.0"
#define BRIDGE	"0000:00:01.0"

/* pttrace's metadata: the GPU at guest 00:05.0 is host 01:00.0, under BRIDGE; QEMU started at STARTED s */
static void meta(struct stream *s, int recorded, double started, const char *probes)
{
	char text[2048];

	snprintf(text, sizeof(text), "{\"pci\": [{\"bdf\": \"00:05.0\", \"vendor\": 4098, "
		 "\"device\": 26591, \"class\": 768, \"qdev_id\": \"hostdev0\", \"bars\": []}], "
		 "\"devices\": [{\"driver\": \"vfio-pci\", \"id\": \"hostdev0\", \"addr\": \"05.0\", "
		 "\"assigned\": true, \"host\": \"01:00.0\"}], \"recording\": {\"host_resets\": "
		 "{\"recorded\": %s, \"named\": true, \"probes\": [%s], \"missing\": [], \"devices\": "
		 "[{\"host\": \"" HOST "\", \"bridge\": \"" BRIDGE "\"}], \"vm_started\": %.6f%s}}}",
		 recorded ? "true" : "false", probes, started, recorded ? "" : ", \"reason\": "
		 "\"this kernel has no kprobe events (no /sys/kernel/tracing/kprobe_events: "
		 "CONFIG_KPROBE_EVENTS is off)\"");
	assert_int_equal(pt_analysis_set_meta(s->a, text), 0);
	s->a->info.first_ts = s->ts;
}

#define ALL_PROBES "\"pci_reset_function\", \"__pci_reset_function_locked\", \"pcie_flr\", " \
	"\"pci_bridge_secondary_bus_reset\", \"vfio_pci_core_enable\""

/* The guest's BIOS finds the GPU, its driver starts it, and it never answers: a panic. */
static void guest_run(struct stream *s)
{
	s->ts += 300000000;
	probe_device(s, GPU, 0x1002, 0x67df, 0x030000, GPU_BAR, 0x1000000);
	for (int i = 0; i < 200; i++)
		mmio(s, 0, GPU_BAR + 0x8010, 0x80000000);	/* GRBM_STATUS: busy, for ever */
	pvpanic(s);
}

static const struct pt_finding *not_reset(const struct pt_analysis *a)
{
	return first_of_class(a, PT_CLASS_NOT_RESET);
}

static void test_not_reset_after_qemu_start(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, 1.1, ALL_PROBES);
	s.ts = 1200000000;	/* QEMU started at 1.1 s, inside the trace */
	guest_run(&s);
	f = not_reset(s.a);
	assert_non_null(f);
	assert_string_equal(f->detector, "host-reset");
	assert_int_equal(f->severity, PT_SEV_MEDIUM);
	assert_int_equal(f->bdf, GPU);
	assert_non_null(strstr(f->title, "00:05.0 [1002:67df] (host " HOST ") was not reset by the host "
			       "between the VM's start (its QEMU started, 0.40 s before)"));
	assert_non_null(strstr(f->advice, "vendor-reset"));
	assert_int_equal(f->nevidence, 1);
	assert_true(f->evidence[0].has_target && f->evidence[0].bar == PT_REG_CONFIG &&
		    f->evidence[0].off == PCI_VENDOR_ID);
	pt_analysis_free(s.a);
}

/* the twin: the host's FLR between QEMU's start and the BIOS */
static void test_reset_seen_flr(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, 1.1, ALL_PROBES);
	s.ts = 1200000000;
	host_reset(&s, "pci_reset_function", HOST);
	host_reset(&s, "pcie_flr", HOST);
	guest_run(&s);
	assert_null(not_reset(s.a));
	f = find(s.a, "host-reset");
	assert_non_null(f);
	assert_int_equal(f->cls, PT_CLASS_CONTEXT);
	assert_int_equal(f->severity, PT_SEV_INFO);
	assert_non_null(strstr(f->title, "was reset by the host (function level reset (FLR)) 0.30 s "
			       "before the guest began using it"));
	pt_analysis_free(s.a);
}

/* a bus reset names the bridge above the device: it counts */
static void test_reset_seen_bus(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, 1.1, ALL_PROBES);
	s.ts = 1200000000;
	host_reset(&s, "pci_bridge_secondary_bus_reset", BRIDGE);
	guest_run(&s);
	assert_null(not_reset(s.a));
	f = find(s.a, "host-reset");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "(secondary bus reset)"));
	pt_analysis_free(s.a);
}

/* another device's reset is not this one's */
static void test_other_device_reset(void **state)
{
	struct stream s = stream_start();

	(void)state;
	meta(&s, 1, 1.1, ALL_PROBES);
	s.ts = 1200000000;
	host_reset(&s, "pcie_flr", "0000:02:00.0");
	guest_run(&s);
	assert_non_null(not_reset(s.a));
	pt_analysis_free(s.a);
}

/* probes without the device's name: a reset of some device is context, never "not reset" */
static void test_unnamed_reset(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, 1.1, ALL_PROBES);
	s.ts = 1200000000;
	host_reset(&s, "pcie_flr", "");
	guest_run(&s);
	assert_null(not_reset(s.a));
	f = find(s.a, "host-reset");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "of a device it did not name"));
	assert_int_equal(f->confidence, 50);
	pt_analysis_free(s.a);
}

/* vfio opened it, the kernel was asked to reset it, and no method ran */
static void test_asked_no_method(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, -1, ALL_PROBES);
	s.ts = 1200000000;
	host_reset(&s, "pcie_flr", HOST);		/* the previous run's: before the opening */
	host_reset(&s, "vfio_pci_core_enable", HOST);
	host_reset(&s, "__pci_reset_function_locked", HOST);
	guest_run(&s);
	f = not_reset(s.a);
	assert_non_null(f);
	assert_non_null(strstr(f->title, "the host asked to reset 00:05.0 [1002:67df] (host " HOST
			       ": __pci_reset_function_locked,"));
	assert_non_null(strstr(f->title, "but no reset method ran"));
	pt_analysis_free(s.a);
}

/* vfio opened it and nothing reset it: the start is the opening */
static void test_not_reset_after_vfio_open(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, -1, ALL_PROBES);
	s.ts = 1200000000;
	host_reset(&s, "vfio_pci_core_enable", HOST);
	guest_run(&s);
	f = not_reset(s.a);
	assert_non_null(f);
	assert_non_null(strstr(f->title, "between the VM's start (vfio opened it,"));
	pt_analysis_free(s.a);
}

/* QEMU started before the recording: no "not reset", a context line */
static void test_started_before_recording(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	meta(&s, 1, 0.5, ALL_PROBES);
	s.ts = 1200000000;
	guest_run(&s);
	assert_null(not_reset(s.a));
	f = find(s.a, "host-reset");
	assert_non_null(f);
	assert_int_equal(f->severity, PT_SEV_INFO);
	assert_non_null(strstr(f->title, "but the VM started 0.5 s before the recording"));
	pt_analysis_free(s.a);
}

/* the guest was using it before the trace began: nothing to say */
static void test_in_use_before_trace(void **state)
{
	struct stream s = stream_start();

	(void)state;
	meta(&s, 1, 0.5, ALL_PROBES);
	assert_int_equal(pt_model_set_bar(s.a->model, GPU, 0, GPU_BAR, 0x1000000, 0), 0);
	for (int i = 0; i < 200; i++)
		mmio(&s, 0, GPU_BAR + 0x8010, 0x80000000);
	pvpanic(&s);
	assert_null(find(s.a, "host-reset"));
	pt_analysis_free(s.a);
}

/* without the probes (a kernel without kprobes) it says nothing either way */
/*
 * The twin of test_not_reset_after_qemu_start on a kernel without kprobes:
 * no finding (a device may well have been reset), and the report says
 * that it cannot tell, and why.
 */
static void test_not_recorded(void **state)
{
	struct stream s = stream_start();
	char *text, *json;
	size_t len;
	FILE *f;

	(void)state;
	meta(&s, 0, 1.1, "");
	s.ts = 1200000000;
	guest_run(&s);
	assert_null(find(s.a, "host-reset"));
	assert_null(not_reset(s.a));
	f = open_memstream(&text, &len);
	pt_report_text(f, s.a, "crash.dat", 0);
	fclose(f);
	assert_non_null(strstr(text, "\nHOST RESETS:    unknown: not recorded (this kernel has no "
				 "kprobe events (no /sys/kernel/tracing/kprobe_events: "
				 "CONFIG_KPROBE_EVENTS is off))\n"));
	assert_null(strstr(text, "not reset"));
	free(text);
	/* and the JSON has no list of resets, which would read as "none" */
	f = open_memstream(&json, &len);
	pt_report_json(f, s.a, "crash.dat");
	fclose(f);
	assert_null(strstr(json, "\"host_resets\": ["));
	free(json);
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_reset_after_qemu_start),
		cmocka_unit_test(test_reset_seen_flr),
		cmocka_unit_test(test_reset_seen_bus),
		cmocka_unit_test(test_other_device_reset),
		cmocka_unit_test(test_unnamed_reset),
		cmocka_unit_test(test_asked_no_method),
		cmocka_unit_test(test_not_reset_after_vfio_open),
		cmocka_unit_test(test_started_before_recording),
		cmocka_unit_test(test_in_use_before_trace),
		cmocka_unit_test(test_not_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
