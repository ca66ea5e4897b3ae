/*
 * Reading VMs: QEMU's -device in both forms (driver,key=val and the JSON
 * libvirt writes), libvirt's live domain XML, and the advice's terms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-advice.h"
#include "pt-vm.h"

static void parse(struct pt_vm *vm, int argc, char **argv)
{
	assert_int_equal(pt_vm_parse_cmdline(argc, argv, vm), 0);
}

#define PARSE(vm, ...) do { \
		char *argv_[] = { __VA_ARGS__ }; \
		parse(vm, sizeof(argv_) / sizeof(argv_[0]), argv_); \
	} while (0)

/* The same device in both forms reads the same: every property pttrace reads. */
static void test_device_forms(void **state)
{
	struct pt_vm kv, js;

	(void)state;
	PARSE(&kv, "/usr/bin/qemu-system-x86_64", "-name", "guest=win10,debug-threads=on",
	      "-device", "vfio-pci,host=0000:03:00.0,id=hostdev0,bus=pci.4,multifunction=on,"
			 "addr=0x0,x-no-mmap=on",
	      "-device", "pvpanic,ioport=0x505");
	PARSE(&js, "/usr/bin/qemu-system-x86_64", "-name", "guest=win10,debug-threads=on",
	      "-device", "{\"driver\":\"vfio-pci\",\"host\":\"0000:03:00.0\",\"id\":\"hostdev0\","
			 "\"bus\":\"pci.4\",\"multifunction\":true,\"addr\":\"0x0\",\"x-no-mmap\":true}",
	      "-device", "{\"driver\":\"pvpanic\",\"ioport\":1285}");
	assert_string_equal(js.name, "win10");
	assert_int_equal(js.ndev, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(js.dev[i].driver, kv.dev[i].driver);
		assert_string_equal(js.dev[i].host, kv.dev[i].host);
		assert_string_equal(js.dev[i].id, kv.dev[i].id);
		assert_string_equal(js.dev[i].bus, kv.dev[i].bus);
		assert_string_equal(js.dev[i].addr, kv.dev[i].addr);
		assert_int_equal(js.dev[i].x_no_mmap, kv.dev[i].x_no_mmap);
		assert_int_equal(js.dev[i].multifunction, kv.dev[i].multifunction);
		assert_int_equal(js.dev[i].assigned, kv.dev[i].assigned);
		assert_int_equal(js.dev[i].ioport, kv.dev[i].ioport);
	}
	assert_string_equal(js.dev[0].driver, "vfio-pci");
	assert_true(js.dev[0].assigned && js.dev[0].multifunction && js.dev[0].x_no_mmap == 1);
	assert_int_equal(js.dev[1].ioport, 0x505);
	assert_true(js.pvpanic && kv.pvpanic);
}

/* QEMU's other spellings in JSON, an absent property, and what is not JSON. */
static void test_device_json_edges(void **state)
{
	struct pt_vm vm;

	(void)state;
	PARSE(&vm, "qemu-system-x86_64",
	      "-device", "{\"driver\":\"vfio-pci\",\"host\":\"01:00.1\",\"x-no-mmap\":\"off\","
			 "\"multifunction\":\"on\"}",
	      "-device", "{\"driver\":\"e1000e\",\"id\":\"net0\"}",
	      "-device", "{not json",
	      "-device", "{\"driver\": [\"vfio-pci\"]",
	      "-device", "{\"driver\":\"pvpanic-pci\",\"addr\":\"0x7\"}");
	assert_int_equal(vm.ndev, 3);	/* the two that are not JSON are left out */
	assert_int_equal(vm.dev[0].x_no_mmap, 0);
	assert_int_equal(vm.dev[0].multifunction, 1);
	assert_string_equal(vm.dev[0].host, "01:00.1");
	assert_int_equal(vm.dev[1].x_no_mmap, -1);	/* not given */
	assert_false(vm.dev[1].assigned);
	assert_string_equal(vm.dev[2].driver, "pvpanic-pci");
	assert_true(vm.pvpanic);
}

static const char domstatus[] =
	"<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE.\n-->\n"
	"<domstatus state='running' reason='booted' pid='4242'>\n"
	"  <monitor path='/var/lib/libvirt/qemu/domain-3-win10/monitor.sock' type='unix'/>\n"
	"  <domain type='kvm' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
	"    <name>win10</name>\n"
	"    <uuid>5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b</uuid>\n"
	"    <on_crash>coredump-restart</on_crash>\n"
	"    <devices>\n"
	"      <hostdev mode='subsystem' type='pci' managed='yes'>\n"
	"        <source><address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source>\n"
	"        <alias name='hostdev0'/>\n"
	"        <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'"
	" multifunction='on'/>\n"
	"      </hostdev>\n"
	"      <hostdev mode='subsystem' type='pci'>\n"
	"        <source><address domain='0x0000' bus='0x03' slot='0x00' function='0x1'/></source>\n"
	"        <alias name='hostdev1'/>\n"
	"        <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x1'/>\n"
	"      </hostdev>\n"
	"      <hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/></source></hostdev>\n"
	"      <panic model='isa'><address type='isa' iobase='0x505'/></panic>\n"
	"      <panic model='hyperv'/>\n"
	"    </devices>\n"
	"    <qemu:commandline><qemu:arg value='-device'/><qemu:arg value='edu,addr=03.0'/>"
	"</qemu:commandline>\n"
	"  </domain>\n"
	"</domstatus>\n";

static void test_domain_xml(void **state)
{
	struct pt_domain dom;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_domain_parse(domstatus, strlen(domstatus), &dom, &err), 0);
	assert_true(dom.have_xml);
	assert_string_equal(dom.name, "win10");
	assert_string_equal(dom.uuid, "5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b");
	assert_int_equal(dom.id, 3);
	assert_string_equal(dom.type, "kvm");
	assert_string_equal(dom.on_crash, "coredump-restart");
	assert_true(dom.qemu_ns);
	assert_int_equal(dom.nhostdev, 2);	/* the USB one is not PCI */
	assert_string_equal(dom.hostdev[0].host, "0000:03:00.0");
	assert_string_equal(dom.hostdev[0].guest, "0000:04:00.0");
	assert_string_equal(dom.hostdev[0].alias, "hostdev0");
	assert_true(dom.hostdev[0].managed && dom.hostdev[0].multifunction);
	assert_int_equal(dom.hostdev[1].guest_fn, 1);
	assert_false(dom.hostdev[1].managed);	/* libvirt's default is managed='no' */
	assert_false(dom.hostdev[1].multifunction);
	assert_int_equal(dom.npanic, 2);
	assert_string_equal(dom.panic[0], "isa");
	assert_int_equal(dom.panic_iobase[0], 0x505);
	assert_string_equal(dom.panic[1], "hyperv");
	assert_ptr_equal(pt_domain_hostdev(&dom, "hostdev1", NULL), &dom.hostdev[1]);
	assert_ptr_equal(pt_domain_hostdev(&dom, NULL, "03:00.0"), &dom.hostdev[0]);
	assert_null(pt_domain_hostdev(&dom, "hostdev9", "0000:09:00.0"));
}

/* A bare <domain> (virsh dumpxml), the older Hyper-V spelling, defaults. */
static void test_domain_bare(void **state)
{
	static const char xml[] =
		"<domain type='qemu'><name>lab</name><uuid>0b1e2d3c-4a5b-6c7d-8e9f-a0b1c2d3e4f5</uuid>"
		"<features><hyperv mode='custom'><crash state='on'/></hyperv></features>"
		"<devices><panic/><hostdev mode='subsystem' type='pci'><source><address "
		"domain='0x0000' bus='0x0a' slot='0x00' function='0x1'/></source></hostdev></devices>"
		"</domain>";
	struct pt_domain dom;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_domain_parse(xml, strlen(xml), &dom, &err), 0);
	assert_int_equal(dom.id, -1);		/* not running */
	assert_string_equal(dom.on_crash, "destroy");	/* libvirt's default */
	assert_false(dom.qemu_ns);
	assert_int_equal(dom.npanic, 2);
	assert_string_equal(dom.panic[0], "isa");	/* <panic/> without a model */
	assert_string_equal(dom.panic[1], "hyperv");	/* <hyperv><crash state='on'/> */
	assert_int_equal(dom.nhostdev, 1);
	assert_string_equal(dom.hostdev[0].host, "0000:0a:00.1");
	assert_string_equal(dom.hostdev[0].guest, "");	/* libvirt picks one at start */
	assert_int_equal(dom.hostdev[0].guest_slot, -1);
}

static void test_domain_bad(void **state)
{
	static const char *const bad[] = {
		"", "<domstatus><domain><name>x</nam></domain></domstatus>", "not xml",
		"<domstatus state='running'/>", "<domain type='kvm'></domain>",
		"<!DOCTYPE d [<!ENTITY a SYSTEM 'file:///etc/shadow'>]><domain><name>&a;</name></domain>",
	};
	struct pt_domain dom;
	struct pt_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = pt_domain_parse(bad[i], strlen(bad[i]), &dom, &err);

		/* an external entity is never read: the name stays empty, or it does not parse */
		if (rc == 0)
			assert_null(strstr(dom.name, "root:"));
		else
			assert_true(err.msg[0]);
		assert_false(rc == 0 && i < 5);
	}
	assert_int_equal(pt_domain_parse(bad[2], strlen(bad[2]), &dom, &err), -1);
	assert_non_null(strstr(err.msg, "not well-formed XML"));
	assert_int_equal(pt_domain_parse(bad[4], strlen(bad[4]), &dom, &err), -1);
	assert_string_equal(err.msg, "the <domain> has no <name>");
}

static void test_advice_terms(void **state)
{
	char buf[512];

	(void)state;
	pt_advice_nommap(PT_TERMS_LIBVIRT, "hostdev1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "<qemu:device alias='hostdev1'>"));
	assert_non_null(strstr(buf, "name='x-no-mmap' type='bool' value='true'"));
	assert_non_null(strstr(buf, "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"));
	assert_true(strlen(buf) < sizeof(buf) - 1);	/* whole, not cut */
	pt_advice_nommap(PT_TERMS_QEMU, "hostdev1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "-device vfio-pci,host=...,x-no-mmap=on"));
	assert_non_null(strstr(pt_advice_crash_signal(PT_TERMS_LIBVIRT), "<panic model='hyperv'/>"));
	assert_non_null(strstr(pt_advice_crash_signal(PT_TERMS_QEMU), "-device pvpanic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_forms),
		cmocka_unit_test(test_device_json_edges),
		cmocka_unit_test(test_domain_xml),
		cmocka_unit_test(test_domain_bare),
		cmocka_unit_test(test_domain_bad),
		cmocka_unit_test(test_advice_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
