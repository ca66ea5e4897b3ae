// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's resets, without a device and without kprobes: how config
 * space and sysfs say a device can be reset (pttrace check's reset rule),
 * and the kprobe events pttrace record makes, finds and removes, on a fake
 * tracefs directory (a kprobe_events file that only collects what is
 * written to it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/pci_regs.h>

#include <tracefs.h>

#include "pt-analyze.h"
#include "pt-hostreset.h"
#include "../../collector/record-int.h"
#include "../../collector/writer.h"
#include "report.h"

/* 256 bytes of config space: PM at 0x40, PCIe at 0x50, AF at 0x60 (each when asked for) */
static void config(uint8_t *c, int flr, int no_soft_reset, int af_flr)
{
	memset(c, 0, 256);
	c[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	c[PCI_CAPABILITY_LIST] = 0x40;
	c[0x40] = PCI_CAP_ID_PM;
	c[0x41] = 0x50;
	c[0x40 + PCI_PM_CTRL] = no_soft_reset ? PCI_PM_CTRL_NO_SOFT_RESET : 0;
	c[0x50] = PCI_CAP_ID_EXP;
	c[0x51] = af_flr ? 0x60 : 0;
	c[0x50 + PCI_EXP_DEVCAP + 3] = flr ? PCI_EXP_DEVCAP_FLR >> 24 : 0;
	c[0x60] = PCI_CAP_ID_AF;
	c[0x60 + PCI_AF_CAP] = PCI_AF_CAP_TP | PCI_AF_CAP_FLR;
}

static void test_config(void **state)
{
	struct pt_host_reset_caps c;
	uint8_t cfg[256];

	(void)state;
	config(cfg, 1, 0, 0);
	memset(&c, 0, sizeof(c));
	pt_host_reset_parse_config(cfg, sizeof(cfg), &c);
	assert_true(c.caps_read && c.pcie && c.flr && c.pm && !c.no_soft_reset && !c.af_flr);
	assert_true(pt_host_reset_has(&c, "flr") && pt_host_reset_has(&c, "pm"));

	config(cfg, 0, 1, 1);
	memset(&c, 0, sizeof(c));
	pt_host_reset_parse_config(cfg, sizeof(cfg), &c);
	assert_true(c.caps_read && !c.flr && c.no_soft_reset && c.af_flr);
	/* No_Soft_Reset: D3hot->D0 resets nothing */
	assert_false(pt_host_reset_has(&c, "pm"));
	assert_true(pt_host_reset_has(&c, "af_flr"));

	/* 64 bytes (no root): the list points beyond, nothing is known */
	config(cfg, 1, 0, 0);
	memset(&c, 0, sizeof(c));
	pt_host_reset_parse_config(cfg, 64, &c);
	assert_false(c.caps_read);
	assert_int_equal(c.config_len, 64);

	/* a list that loops ends */
	config(cfg, 0, 0, 0);
	cfg[0x51] = 0x40;
	memset(&c, 0, sizeof(c));
	pt_host_reset_parse_config(cfg, sizeof(cfg), &c);
	assert_true(c.pm && c.pcie);

	/* no capability list at all */
	memset(cfg, 0, sizeof(cfg));
	memset(&c, 0, sizeof(c));
	pt_host_reset_parse_config(cfg, sizeof(cfg), &c);
	assert_true(c.caps_read && !c.pm && !c.pcie);
}

static void test_reset_method_words(void **state)
{
	struct pt_host_reset_caps c = { .have_reset_method = 1, .flr = 1 };

	(void)state;
	/* the kernel's list wins over config space, word by word */
	snprintf(c.reset_method, sizeof(c.reset_method), "af_flr pm");
	assert_false(pt_host_reset_has(&c, "flr"));
	assert_true(pt_host_reset_has(&c, "af_flr"));
	assert_true(pt_host_reset_has(&c, "pm"));
	assert_false(pt_host_reset_has(&c, "bus"));
	snprintf(c.reset_method, sizeof(c.reset_method), "device_specific flr bus");
	assert_true(pt_host_reset_has(&c, "flr") && pt_host_reset_has(&c, "bus"));
	c.reset_method[0] = 0;
	assert_false(pt_host_reset_has(&c, "flr"));
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* a card and its audio function under bridge 00:01.0, as sysfs links them */
static void test_read_sysfs(void **state)
{
	char root[] = "/tmp/pttrace-reset.XXXXXX", path[512], cmd[600];
	struct pt_host_reset_caps c;
	uint8_t cfg[256];

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0 "
		 "%s/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1 %s/sys/devices/pci0000:00/0000:00:1f.0 "
		 "%s/sys/bus/pci/devices && cd %s/sys/bus/pci/devices && "
		 "ln -s ../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0 0000:01:00.0 && "
		 "ln -s ../../../devices/pci0000:00/0000:00:01.0/0000:01:00.1 0000:01:00.1 && "
		 "ln -s ../../../devices/pci0000:00/0000:00:1f.0 0000:00:1f.0", root, root, root, root, root);
	assert_int_equal(system(cmd), 0);
	config(cfg, 0, 1, 0);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:01:00.0/config", root);
	put(path, cfg, sizeof(cfg));
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:01:00.0/reset_method", root);
	put(path, "bus\n", 4);

	assert_int_equal(pt_host_reset_read(root, "01:00.0", &c), 0);
	assert_true(c.have_reset_method && !strcmp(c.reset_method, "bus"));
	assert_false(c.have_reset_file);
	assert_true(c.caps_read && !c.flr && c.no_soft_reset);
	assert_int_equal(c.bus, PT_HR_BUS_BRIDGE);
	assert_string_equal(c.bridge, "0000:00:01.0");
	assert_int_equal(c.nsiblings, 1);
	assert_string_equal(c.siblings[0], "0000:01:00.1");

	assert_int_equal(pt_host_reset_read(root, "0000:00:1f.0", &c), 0);
	assert_int_equal(c.bus, PT_HR_BUS_ROOT);
	assert_false(c.have_reset_method || c.caps_read);
	assert_int_equal(pt_host_reset_read(root, "0000:09:00.0", &c), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_kprobe_lines(void **state)
{
	int flr = pt_hr_find("pcie_flr"), pm = pt_hr_find("pci_pm_reset");
	char buf[256], event[PT_KP_NAME_MAX];
	pid_t pid;

	(void)state;
	assert_true(flr >= 0 && pm >= 0);
	assert_int_equal(pt_hr_find("nosuch"), -1);
	pt_kp_name(buf, sizeof(buf), 1234, "pcie_flr");
	assert_string_equal(buf, "pttrace_1234_pcie_flr");
	pt_kp_define(buf, sizeof(buf), 1234, &pt_hr_funcs[flr], 1);
	assert_string_equal(buf, "p:kprobes/pttrace_1234_pcie_flr pcie_flr dev=dev->dev.kobj.name:string");
	pt_kp_define(buf, sizeof(buf), 1234, &pt_hr_funcs[flr], 0);
	assert_string_equal(buf, "p:kprobes/pttrace_1234_pcie_flr pcie_flr");
	pt_kp_define(buf, sizeof(buf), 7, &pt_hr_funcs[pm], 0);
	assert_string_equal(buf, "p:kprobes/pttrace_7_pci_pm_reset pci_pm_reset probe=$arg2:u8");

	/* kprobe_events as the kernel prints it back */
	assert_int_equal(pt_kp_parse("p:kprobes/pttrace_1234_pcie_flr pcie_flr dev=+0(...):string\n",
				     &pid, event, sizeof(event)), 0);
	assert_int_equal(pid, 1234);
	assert_string_equal(event, "pttrace_1234_pcie_flr");
	assert_int_equal(pt_kp_parse("p:kprobes/pttrace_1234___pci_reset_function_locked "
				     "__pci_reset_function_locked\n", &pid, event, sizeof(event)), 0);
	assert_string_equal(event, "pttrace_1234___pci_reset_function_locked");
	/* other users' probes, return probes, damage: not ours */
	assert_int_equal(pt_kp_parse("p:kprobes/myprobe do_sys_open\n", &pid, event, sizeof(event)), -1);
	assert_int_equal(pt_kp_parse("r:kprobes/pttrace_1_x x\n", &pid, event, sizeof(event)), -1);
	assert_int_equal(pt_kp_parse("p:kprobes/pttrace_x_pcie_flr pcie_flr\n", &pid, event,
				     sizeof(event)), -1);
	assert_int_equal(pt_kp_parse("p:kprobes/pttrace_12pcie pcie\n", &pid, event, sizeof(event)), -1);
	assert_int_equal(pt_kp_parse("", &pid, event, sizeof(event)), -1);
}

static void test_kprobe_filter(void **state)
{
	const char *devs[] = { "0000:01:00.0", "0000:00:01.0" };
	int flr = pt_hr_find("pcie_flr"), pm = pt_hr_find("pci_pm_reset");
	char buf[256];

	(void)state;
	pt_kp_filter(buf, sizeof(buf), &pt_hr_funcs[flr], 1, devs, 2);
	assert_string_equal(buf, "(dev == \"0000:01:00.0\" || dev == \"0000:00:01.0\")");
	pt_kp_filter(buf, sizeof(buf), &pt_hr_funcs[pm], 1, devs, 1);
	assert_string_equal(buf, "probe == 0 && (dev == \"0000:01:00.0\")");
	/* without the name, only the probe calls are kept out */
	pt_kp_filter(buf, sizeof(buf), &pt_hr_funcs[pm], 0, devs, 2);
	assert_string_equal(buf, "probe == 0");
	pt_kp_filter(buf, sizeof(buf), &pt_hr_funcs[flr], 0, devs, 2);
	assert_string_equal(buf, "");
	/* too long for the buffer: no filter rather than half of one */
	pt_kp_filter(buf, 30, &pt_hr_funcs[flr], 1, devs, 2);
	assert_string_equal(buf, "");
}

static int drop_dead(pid_t pid, void *ctx)
{
	(void)ctx;
	return pid == 111 || pid == 222;
}

static void said(void *ctx, const char *event)
{
	(*(int *)ctx)++;
	assert_non_null(strstr(event, "pttrace_"));
}

/* only the dead recorders' probes are removed, by appending "-:" lines, never by truncating */
static void test_kprobe_remove(void **state)
{
	char dir[] = "/tmp/pttrace-kp.XXXXXX", path[256], why[256], text[1024];
	const char *events = "p:kprobes/myprobe do_sys_open\n"
			     "p:kprobes/pttrace_111_pcie_flr pcie_flr dev=+0(+0(%di)):string\n"
			     "p:kprobes/pttrace_333_pcie_flr pcie_flr\n"
			     "p:kprobes/pttrace_222_pci_reset_bus pci_reset_bus\n";
	size_t n;
	FILE *f;
	int count = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pt_kp_available(dir, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "this kernel has no kprobe events"));
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	put(path, events, strlen(events));
	assert_int_equal(pt_kp_available(dir, why, sizeof(why)), 1);
	assert_int_equal(pt_kp_remove(dir, drop_dead, NULL, NULL), 2);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	assert_string_equal(text + strlen(events), "-:kprobes/pttrace_111_pcie_flr\n"
			    "-:kprobes/pttrace_222_pci_reset_bus\n");
	assert_int_equal(strncmp(text, events, strlen(events)), 0);
	put(path, events, strlen(events));
	assert_int_equal(pt_kp_remove(dir, drop_dead, &count, said), 2);
	assert_int_equal(count, 2);
	put(path, events, strlen(events));
	assert_int_equal(pt_kp_remove_pid(dir, 333), 1);
	unlink(path);
	rmdir(dir);
}

static void test_started(void **state)
{
	/* a comm with a space and a parenthesis; starttime 5000 ticks (50 s after boot at 100 Hz) */
	const char *stat = "4242 (qemu (x) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 "
			   "9 0 5000 123456 789";

	(void)state;
	/* the boot clock says 80 s: QEMU is 30 s old; the trace clock says 1000 s: it started at 970 */
	assert_true(pt_kp_started(stat, 80.0, 1000.0, 100) > 969.999 &&
		    pt_kp_started(stat, 80.0, 1000.0, 100) < 970.001);
	assert_true(pt_kp_started(stat, 80.0, -1, 100) < 0);
	assert_true(pt_kp_started("4242 (qemu) S 1", 80.0, 1000.0, 100) < 0);
	assert_true(pt_kp_started(NULL, 80.0, 1000.0, 100) < 0);
}

/*
 * A whole file, the way pttrace record writes it: the writer takes the
 * kprobe's format from the tracing directory (a copy here, with a
 * pttrace_1_pcie_flr format written by hand, as a kernel with kprobes
 * prints one), the reader keeps the reset beside the kvm events, and the
 * detector sees it.  Raw ring-buffer pages are built as the kernel lays
 * them out.
 */
#define KP_ID 5000

struct page {
	uint8_t b[4096];
	size_t n;
	uint64_t first, last;
};

static void record(struct page *p, uint64_t ts, const void *data, size_t len)
{
	uint32_t head;

	if (!p->n) {
		p->first = p->last = ts;
		p->n = 16;
	}
	len = (len + 3) & ~3u;
	if (ts - p->last >= 1u << 27) {	/* a time extend: the delta's high bits in a second word */
		uint32_t ext[2] = { 30 | (uint32_t)((ts - p->last) & ((1u << 27) - 1)) << 5,
				    (uint32_t)((ts - p->last) >> 27) };

		memcpy(p->b + p->n, ext, 8);
		p->n += 8;
		p->last = ts;
	}
	head = (uint32_t)(len / 4) | (uint32_t)(ts - p->last) << 5;
	memcpy(p->b + p->n, &head, 4);
	memcpy(p->b + p->n + 4, data, len);
	p->n += 4 + len;
	p->last = ts;
}

static void pio(struct page *p, int id, uint64_t ts, int write, unsigned port, unsigned val)
{
	uint8_t r[28] = { 0 };
	uint32_t f[5] = { write, port, 4, 1, val };
	uint16_t type = id;
	int32_t pid = 4250;

	memcpy(r, &type, 2);
	memcpy(r + 4, &pid, 4);
	memcpy(r + 8, f, sizeof(f));
	record(p, ts, r, sizeof(r));
}

static void kprobe_flr(struct page *p, uint64_t ts, const char *dev)
{
	uint8_t r[40] = { 0 };
	uint16_t type = KP_ID;
	uint32_t loc = (uint32_t)(strlen(dev) + 1) << 16 | 20;
	int32_t pid = 77;

	memcpy(r, &type, 2);
	memcpy(r + 4, &pid, 4);
	memcpy(r + 16, &loc, 4);
	memcpy(r + 20, dev, strlen(dev) + 1);
	record(p, ts, r, 20 + strlen(dev) + 1);
}

static int copy(const char *from, const char *to)
{
	char buf[8192];
	FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
	size_t n;

	while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	return out ? fclose(out) : -1;
}

/* the reader's threads (pt_analysis_opts.jobs): 0 one a cpu, 1 the one-thread reader */
static unsigned file_jobs;

/* a file with the guest's BIOS finding 00:05.0 (host 01:00.0) at 2 s, after FLR when WITH_FLR */
static struct pt_analysis *file_with(const char *dir, int with_flr)
{
	static const char meta[] = "{\"pttrace_metadata\": 1, \"pci\": [{\"bdf\": \"00:05.0\", "
		"\"vendor\": 4318, \"device\": 7040, \"class\": 768, \"qdev_id\": \"hostdev0\", "
		"\"bars\": []}], \"devices\": [{\"driver\": \"vfio-pci\", \"id\": \"hostdev0\", "
		"\"addr\": \"05.0\", \"assigned\": true, \"host\": \"0000:01:00.0\"}], "
		"\"recording\": {\"host_resets\": {\"recorded\": true, \"named\": true, "
		"\"probes\": [\"pcie_flr\"], \"missing\": [], \"devices\": [{\"host\": "
		"\"0000:01:00.0\", \"bridge\": \"\"}], \"vm_started\": 1.5}}}";
	char path[512], raw[512], *files[1] = { raw }, kallsyms[512];
	struct pt_write_buffer buf = { NULL, 1, files };
	struct pt_analysis_opts opts = { .vcpu = -1, .jobs = file_jobs };
	struct pt_analysis *a;
	struct page *p = calloc(1, sizeof(*p));
	struct pt_err err;
	int fd, id;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/kvm/kvm_pio/format", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "name: kvm_pio\nID: %d", &id), 1);
	fclose(f);
	if (with_flr)
		kprobe_flr(p, 1800000000ull, "0000:01:00.0");
	if (!with_flr)
		pio(p, id, 1400000000ull, 1, 0x80, 0);		/* the trace starts before QEMU */
	pio(p, id, 2000000000ull, 1, 0xcf8, 0x80002800);	/* 00:05.0, offset 0 */
	pio(p, id, 2000001000ull, 0, 0xcfc, 0x1b8010de);
	pio(p, id, 2000002000ull, 1, 0x505, 1);			/* pvpanic */
	memcpy(p->b, &p->first, 8);
	p->n -= 16;
	memcpy(p->b + 8, &p->n, 8);
	snprintf(raw, sizeof(raw), "%s/raw.cpu0", dir);
	f = fopen(raw, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(p->b, 1, sizeof(p->b), f), sizeof(p->b));
	fclose(f);
	free(p);
	snprintf(kallsyms, sizeof(kallsyms), "%s/kallsyms", dir);
	snprintf(path, sizeof(path), "%s/out.dat", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pt_write_tracedat(fd, path, kallsyms, &buf, 1, meta, "kprobes:pttrace_1_*",
					   1, &err), 0);
	close(fd);
	a = pt_analyze_file(path, &opts, &err);
	if (!a)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(a);
	return a;
}

static void test_file_roundtrip(void **state)
{
	char dir[] = "/tmp/pttrace-kpfile.XXXXXX", path[512], from[512], cmd[600];
	const char *tracing = tracefs_tracing_dir();
	const struct pt_finding *f;
	struct pt_analysis *a;
	FILE *report;
	char *text;
	size_t len;

	(void)state;
	snprintf(from, sizeof(from), "%s/events/kvm/kvm_pio/format", tracing ? tracing : "");
	if (!tracing || access(from, R_OK)) {
		skip();		/* needs the kvm formats of a tracefs (root) */
		return;
	}
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/events/kprobes/pttrace_1_pcie_flr && "
		 "cp -r %s/events/kvm %s/events/ftrace %s/events/ 2>/dev/null; cp %s/events/header_page "
		 "%s/events/header_event %s/events/ && : > %s/kallsyms && : > %s/printk_formats && "
		 ": > %s/saved_cmdlines", dir, tracing, tracing, dir, tracing, tracing, dir, dir, dir,
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/trace_clock", dir);
	snprintf(from, sizeof(from), "%s/trace_clock", tracing);
	copy(from, path);
	snprintf(path, sizeof(path), "%s/events/kprobes/pttrace_1_pcie_flr/format", dir);
	snprintf(cmd, sizeof(cmd), "name: pttrace_1_pcie_flr\nID: %d\nformat:\n"
		 "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		 "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		 "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		 "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
		 "\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
		 "\tfield:__data_loc char[] dev;\toffset:16;\tsize:4;\tsigned:1;\n\n"
		 "print fmt: \"(%%lx) dev=\\\"%%s\\\"\", REC->__probe_ip, __get_str(dev)\n", KP_ID);
	put(path, cmd, strlen(cmd));
	assert_int_equal(tracefs_set_tracing_dir(dir), 0);

	/* the one-thread reader keeps it as the jobs' merge does */
	file_jobs = 1;
	a = file_with(dir, 1);
	assert_int_equal(a->info.nhost_resets, 1);
	assert_string_equal(a->info.host_resets[0].dev, "0000:01:00.0");
	assert_int_equal(a->info.events, 3);
	pt_analysis_free(a);
	file_jobs = 2;
	a = file_with(dir, 1);
	assert_int_equal(a->info.events, 3);	/* the reset is no event */
	assert_int_equal(a->info.nhost_resets, 1);
	assert_string_equal(a->info.host_resets[0].dev, "0000:01:00.0");
	assert_string_equal(pt_hr_funcs[a->info.host_resets[0].fn].symbol, "pcie_flr");
	assert_int_equal(a->info.host_resets[0].ts, 1800000000ull);
	assert_int_equal(a->info.damaged, 0);
	f = NULL;
	for (unsigned i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i].detector, "host-reset"))
			f = &a->findings[i];
	assert_non_null(f);
	assert_int_equal(f->cls, PT_CLASS_CONTEXT);
	assert_non_null(strstr(f->title, "was reset by the host (function level reset (FLR)) 0.20 s"));
	report = open_memstream(&text, &len);
	pt_report_text(report, a, "out.dat", 0);
	fclose(report);
	assert_non_null(strstr(text, "\nHOST RESETS:    1 in the trace: pcie_flr 0000:01:00.0 at -0.200 s\n"));
	free(text);
	report = open_memstream(&text, &len);
	pt_report_json(report, a, "out.dat");
	fclose(report);
	assert_non_null(strstr(text, "\"host_resets\": [{\"function\": \"pcie_flr\", "
				 "\"device\": \"0000:01:00.0\", \"time\": -0.2"));
	free(text);
	pt_analysis_free(a);

	/* the twin: no reset between QEMU's start (1.5 s) and the BIOS (2 s) */
	a = file_with(dir, 0);
	assert_int_equal(a->info.nhost_resets, 0);
	f = NULL;
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].cls == PT_CLASS_NOT_RESET)
			f = &a->findings[i];
	assert_non_null(f);
	pt_analysis_free(a);

	tracefs_set_tracing_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_reset_method_words),
		cmocka_unit_test(test_read_sysfs),
		cmocka_unit_test(test_kprobe_lines),
		cmocka_unit_test(test_kprobe_filter),
		cmocka_unit_test(test_kprobe_remove),
		cmocka_unit_test(test_started),
		cmocka_unit_test(test_file_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
