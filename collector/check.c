// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-advice.h"
#include "pt-check.h"
#include "pt-hostreset.h"

struct checker {
	void (*fn)(void *ctx, const struct pt_check_item *item);
	void *ctx;
	enum pt_check_level worst;
};

static void say(struct checker *c, enum pt_check_level level, const char *rule,
		const char *advice, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void say(struct checker *c, enum pt_check_level level, const char *rule,
		const char *advice, const char *fmt, ...)
{
	struct pt_check_item item = { .level = level, .rule = rule };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item.what, sizeof(item.what), fmt, ap);
	va_end(ap);
	snprintf(item.advice, sizeof(item.advice), "%s", advice ? advice : "");
	if (level > c->worst)
		c->worst = level;
	c->fn(c->ctx, &item);
}

/* Does the advice speak domain XML: a libvirt domain whose live XML was read. */
static int speaks_xml(const struct pt_vm *vm)
{
	return vm->libvirt && vm->dom.have_xml;
}

/* Where a device sits in the guest; slot -1 when it is not given (QEMU picks). */
struct place {
	char bus[32];		/* -device bus=, or libvirt's bus index */
	int slot, fn, multifunction;
	const struct pt_dom_hostdev *hostdev;	/* its <hostdev>, for a libvirt domain */
};

/* Slot and function of a guest addr= ("05.0", "0x5", "5.1", libvirt's "0x0.0x1"). */
static void place_of(const struct pt_vm *vm, const struct pt_vm_device *d, struct place *p)
{
	char *end;

	memset(p, 0, sizeof(*p));
	p->slot = -1;
	p->hostdev = speaks_xml(vm) ? pt_domain_hostdev(&vm->dom, d->id, d->host) : NULL;
	if (p->hostdev && p->hostdev->guest_slot >= 0) {
		snprintf(p->bus, sizeof(p->bus), "%d", p->hostdev->guest_bus);
		p->slot = p->hostdev->guest_slot;
		p->fn = p->hostdev->guest_fn;
		p->multifunction = p->hostdev->multifunction;
		return;
	}
	snprintf(p->bus, sizeof(p->bus), "%s", d->bus);
	p->multifunction = d->multifunction;
	if (!d->addr[0])
		return;
	p->slot = strtol(d->addr, &end, 16);
	if (*end == '.')
		p->fn = strtol(end + 1, NULL, 16);
}

static void place_str(const struct place *p, char *buf, size_t size)
{
	if (p->slot < 0)
		snprintf(buf, size, "auto");
	else if (p->hostdev)
		snprintf(buf, size, "bus 0x%02x slot 0x%02x function 0x%x",
			 p->hostdev->guest_bus, p->slot, p->fn);
	else
		snprintf(buf, size, "%s%s%02x.%x", p->bus, p->bus[0] ? "/" : "", p->slot, p->fn);
}

/* The functions of one host device belong together in the guest, as on the card. */
static void check_multifunction(struct checker *c, const struct pt_vm *vm)
{
	for (unsigned i = 0; i < vm->ndev; i++) {
		const struct pt_vm_device *a = &vm->dev[i];
		char ha[16];

		if (!a->assigned || pt_host_bdf(a->host, ha, sizeof(ha)))
			continue;
		for (unsigned j = i + 1; j < vm->ndev; j++) {
			const struct pt_vm_device *b = &vm->dev[j];
			struct place pa, pb;
			char hb[16], advice[512], sa[48], sb[48];
			const struct place *f0;

			if (!b->assigned || pt_host_bdf(b->host, hb, sizeof(hb)) ||
			    strncmp(ha, hb, 10))	/* same domain:bus:slot */
				continue;
			place_of(vm, a, &pa);
			place_of(vm, b, &pb);
			place_str(&pa, sa, sizeof(sa));
			place_str(&pb, sb, sizeof(sb));
			pt_advice_multifunction(speaks_xml(vm) ? PT_TERMS_LIBVIRT : PT_TERMS_QEMU,
						vm->dom.name, ha, hb, pa.hostdev ? pa.hostdev->guest_bus : -1,
						pa.slot, advice, sizeof(advice));
			if (pa.slot < 0 || pb.slot < 0 || pa.slot != pb.slot || strcmp(pa.bus, pb.bus)) {
				say(c, PT_CHECK_WARNING, "multifunction", advice,
				    "%s and %s are functions of one host device but sit in different guest "
				    "slots (%s, %s)", ha, hb, sa, sb);
				continue;
			}
			if (pa.fn != ha[11] - '0' || pb.fn != hb[11] - '0') {
				say(c, PT_CHECK_WARNING, "multifunction", advice,
				    "%s and %s share guest slot %02x but their functions are renumbered "
				    "(%d and %d)", ha, hb, pa.slot, pa.fn, pb.fn);
				continue;
			}
			f0 = pa.fn == 0 ? &pa : pb.fn == 0 ? &pb : NULL;
			if (!f0 || f0->multifunction)
				continue;
			if (speaks_xml(vm))
				snprintf(advice, sizeof(advice), "add multifunction='on' to the guest "
					 "<address type='pci' .../> of <hostdev> %s (function 0) in the domain "
					 "XML (virsh edit %s)", f0 == &pa ? ha : hb, vm->dom.name);
			else
				snprintf(advice, sizeof(advice), "add multifunction=on to function 0");
			say(c, PT_CHECK_NOTE, "multifunction", advice,
			    "%s and %s share guest slot %02x without multifunction%s on function 0",
			    ha, hb, pa.slot, speaks_xml(vm) ? "='on'" : "=on");
		}
	}
}

static int assigned_here(const struct pt_vm *vm, const char *bdf)
{
	for (unsigned i = 0; i < vm->ndev; i++) {
		char h[16];

		if (vm->dev[i].assigned && !pt_host_bdf(vm->dev[i].host, h, sizeof(h)) && !strcmp(h, bdf))
			return 1;
	}
	return 0;
}

/* What a secondary bus reset of CAPS's device would take with it that VM does not have. */
static int bus_others(const struct pt_vm *vm, const char *sysroot, const struct pt_host_reset_caps *caps,
		      char *list, size_t size)
{
	int n = 0;

	list[0] = 0;
	for (unsigned i = 0; i < caps->nsiblings; i++) {
		struct pt_hostdev other;
		size_t len = strlen(list);

		if (assigned_here(vm, caps->siblings[i]))
			continue;
		if (pt_hostdev_read(sysroot, caps->siblings[i], &other))
			other.driver[0] = 0;
		snprintf(list + len, size - len, "%s%s (driver %s)", n ? ", " : "", caps->siblings[i],
			 other.driver[0] ? other.driver : "none");
		n++;
	}
	return n;
}

/*
 * Can the host reset the device between two runs of the VM?  vfio resets
 * it when QEMU opens it and when the guest reboots: with a function-level
 * reset (FLR, or the kernel's device-specific or ACPI one), else a
 * secondary bus reset, which vfio does only when every function on the bus
 * belongs to the VM, else a D3hot->D0 transition, which resets nothing when
 * the device sets No_Soft_Reset (and which many GPUs survive with their
 * state).  A device none of these reach starts each run as the last one
 * left it: "cannot reset the graphics card ... a reboot of the host cures it".
 */
static void check_reset(struct checker *c, const char *sysroot, const struct pt_vm *vm,
			const char *host, const struct pt_hostdev *h)
{
	static const char advice[] = "shut the guest down cleanly (its driver then leaves the device "
		"idle); for an AMD GPU load the vendor-reset module; assign every function on its bus "
		"to this VM so that vfio may reset the bus; else only a host reboot resets it";
	struct pt_host_reset_caps caps;
	char others[160], how[144] = "", why[240];
	int gpu = (h->class_code >> 16) == 0x03, amd_gpu = gpu && h->vendor == 0x1002;
	int flr, bus, pm, nothers;

	if (pt_host_reset_read(sysroot, host, &caps))
		return;
	if (!caps.have_reset_method && !caps.caps_read) {
		say(c, PT_CHECK_NOTE, "reset", caps.config_len ? "run pttrace check as root" : NULL,
		    "cannot tell how the host resets %s: no reset_method in sysfs and %s", host,
		    caps.config_len ? "config space beyond 64 bytes needs root"
				    : "its config space cannot be read");
		return;
	}
	flr = pt_host_reset_has(&caps, "flr") || pt_host_reset_has(&caps, "af_flr") ||
	      pt_host_reset_has(&caps, "device_specific") || pt_host_reset_has(&caps, "acpi");
	pm = pt_host_reset_has(&caps, "pm");
	nothers = bus_others(vm, sysroot, &caps, others, sizeof(others));
	/*
	 * The kernel's own bus method wants the device alone on its bus;
	 * vfio's hot reset (QEMU's, for a device without FLR) wants every
	 * function on it to belong to the VM.
	 */
	bus = caps.bus == PT_HR_BUS_BRIDGE && !nothers;
	if (caps.have_reset_method)
		snprintf(how, sizeof(how), "reset_method: %s", caps.reset_method[0] ? caps.reset_method
										       : "none");
	if (flr && !amd_gpu) {
		say(c, PT_CHECK_OK, "reset", NULL, "host device %s can be reset by the host: %s%s",
		    host, caps.have_reset_method ? how : "FLR", bus ? ", and a bus reset" : "");
		return;
	}
	snprintf(why, sizeof(why), "%s%s%s%s", caps.caps_read && !caps.flr && !caps.af_flr ?
		 "no FLR in its DevCap" : "", caps.no_soft_reset ? "; No_Soft_Reset set (D3hot->D0 "
		 "keeps its state)" : "", caps.bus == PT_HR_BUS_ROOT ? "; on a root bus (no bridge to "
		 "reset it)" : "", nothers ? "; a bus reset would also reset " : "");
	if (nothers)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s", others);
	if (flr)	/* an AMD GPU: FLR is advertised, and known not to bring it back */
		say(c, PT_CHECK_NOTE, "reset", advice, "host device %s (an AMD GPU) may not come back "
		    "from the host's reset between VM runs (%s)", host, how[0] ? how : "FLR");
	else if (bus)
		say(c, PT_CHECK_NOTE, "reset", amd_gpu ? advice : NULL, "host device %s has no function "
		    "level reset: the host resets it by a secondary bus reset of bridge %s (%s%s%s)",
		    host, caps.bridge, how[0] ? how : "", how[0] && why[0] ? "; " : "",
		    why[0] == ';' ? why + 2 : why);
	else if (pm)
		/* enough for most devices, not for a GPU's firmware */
		say(c, gpu ? PT_CHECK_WARNING : PT_CHECK_NOTE, "reset", gpu ? advice : NULL,
		    "host device %s can be reset by the host only by a D3hot->D0 transition%s (%s%s%s)",
		    host, gpu ? ", which many GPUs survive with their state" : "", how[0] ? how : "",
		    how[0] && why[0] ? "; " : "", why[0] == ';' ? why + 2 : why);
	else
		say(c, PT_CHECK_WARNING, "reset", advice, "host device %s cannot be reset by the host "
		    "between VM runs (%s%s%s)", host, how[0] ? how : "",
		    how[0] && why[0] ? "; " : "", why[0] == ';' ? why + 2 : why);
}

static void check_device(struct checker *c, const char *sysroot, const struct pt_vm *vm,
			 const struct pt_vm_device *d)
{
	struct pt_hostdev h;
	char host[16];

	if (pt_host_bdf(d->host, host, sizeof(host))) {
		say(c, PT_CHECK_ERROR, "driver", NULL, "%s has no valid host= (\"%s\")", d->driver, d->host);
		return;
	}
	if (pt_hostdev_read(sysroot, host, &h) || !h.present) {
		say(c, PT_CHECK_ERROR, "driver", "check host= against lspci -D on the host",
		    "host device %s does not exist", host);
		return;
	}
	if (strcmp(h.driver, "vfio-pci") && strcmp(h.driver, "pci-stub")) {
		const struct pt_dom_hostdev *hd = speaks_xml(vm) ?
			pt_domain_hostdev(&vm->dom, d->id, host) : NULL;
		char advice[512], nodedev[32];

		snprintf(nodedev, sizeof(nodedev), "pci_%.4s_%.2s_%.2s_%c", host, host + 5, host + 8,
			 host[11]);
		if (hd && hd->managed)
			snprintf(advice, sizeof(advice), "its <hostdev> is managed='yes', so libvirt "
				 "binds it to vfio-pci when the domain starts: something rebound it since; "
				 "virsh nodedev-detach %s, then restart the domain", nodedev);
		else if (hd)
			snprintf(advice, sizeof(advice), "its <hostdev> is managed='no': detach it "
				 "before the domain starts (virsh nodedev-detach %s), or set "
				 "managed='yes' on the <hostdev> so that libvirt does", nodedev);
		else
			snprintf(advice, sizeof(advice), "bind it to vfio-pci (driverctl set-override, "
				 "or vfio-pci.ids= on the kernel command line)");
		say(c, PT_CHECK_ERROR, "driver", advice,
		    "host device %s [%04x:%04x] is bound to %s, not vfio-pci or pci-stub", host,
		    h.vendor, h.device, h.driver[0] ? h.driver : "no driver");
	} else
		say(c, PT_CHECK_OK, "driver", NULL, "host device %s [%04x:%04x] is bound to %s", host,
		    h.vendor, h.device, h.driver);
	for (unsigned g = 0; g < h.ngroup; g++) {
		struct pt_hostdev other;

		if (!strcmp(h.group[g], host) || assigned_here(vm, h.group[g]))
			continue;
		/* bridges share groups with what is behind them: that is fine */
		if (!pt_hostdev_read(sysroot, h.group[g], &other) && (other.class_code >> 16) == 0x06)
			continue;
		say(c, PT_CHECK_WARNING, "iommu-group", "assign every endpoint of the group to the VM, "
		    "or bind the others to vfio-pci too; the ACS override patch only hides the problem",
		    "IOMMU group %d of %s also holds %s (driver %s), which is not assigned to this VM",
		    h.iommu_group, host, h.group[g], other.driver[0] ? other.driver : "none");
	}
	check_reset(c, sysroot, vm, host, &h);
	if (!strcmp(d->driver, "vfio-pci") && d->x_no_mmap != 1) {
		char advice[512];

		const struct pt_dom_hostdev *hd = speaks_xml(vm) ?
			pt_domain_hostdev(&vm->dom, d->id, host) : NULL;

		pt_advice_nommap(speaks_xml(vm) ? PT_TERMS_LIBVIRT : PT_TERMS_QEMU,
				 hd && hd->alias[0] ? hd->alias : d->id, advice, sizeof(advice));
		say(c, PT_CHECK_NOTE, "mmap", advice,
		    "%s: its BARs are mmapped into the guest, so kvm tracing cannot see the driver's "
		    "register accesses", host);
	}
}

/*
 * What libvirt does at the guest's panic (<on_crash>, only with a panic
 * device): destroy or restart ends the QEMU process the recorder watches.
 */
static void check_on_crash(struct checker *c, const struct pt_vm *vm)
{
	const char *oc = vm->dom.on_crash;

	if (!vm->pvpanic && !vm->hv_crash)
		return;
	if (!strcmp(oc, "preserve"))
		say(c, PT_CHECK_OK, "on-crash", NULL, "on_crash %s: the crashed guest stays, paused",
		    oc);
	else
		say(c, PT_CHECK_NOTE, "on-crash", "for debugging runs set <on_crash>preserve</on_crash> "
		    "in the domain XML (virsh edit): the crashed guest stays paused for "
		    "'virsh dump --memory-only' and query-pci, until 'virsh destroy'",
		    "on_crash %s: libvirt %s the guest at its panic, so nothing of the crashed "
		    "guest is left to look at (pttrace record keeps the BARs it read while the "
		    "guest ran)", oc,
		    !strcmp(oc, "restart") || !strcmp(oc, "coredump-restart") ? "restarts" :
		    "destroys");
}

enum pt_check_level pt_check_vm(const char *sysroot, const struct pt_vm *vm,
				void (*fn)(void *ctx, const struct pt_check_item *item), void *ctx)
{
	struct checker c = { fn, ctx, PT_CHECK_OK };
	unsigned assigned = 0;

	if (vm->libvirt && !vm->dom.have_xml)
		say(&c, PT_CHECK_NOTE, "domain-xml", strstr(vm->dom.xml_error, "Permission denied") ?
		    "run as root: libvirt's runtime directory is root's" : NULL,
		    "libvirt runs this VM but its live XML was not read (%s): the advice is in QEMU "
		    "command-line terms", vm->dom.xml_error[0] ? vm->dom.xml_error :
		    "no NAME.xml next to its pid file");
	else if (speaks_xml(vm))
		say(&c, PT_CHECK_OK, "domain-xml", NULL, "libvirt domain '%s', id %d, uuid %s "
		    "(%s): %u hostdev%s", vm->dom.name, vm->dom.id, vm->dom.uuid, vm->dom.xml_path,
		    vm->dom.nhostdev, vm->dom.nhostdev == 1 ? "" : "s");
	for (unsigned i = 0; i < vm->ndev; i++) {
		if (!vm->dev[i].assigned)
			continue;
		assigned++;
		check_device(&c, sysroot, vm, &vm->dev[i]);
	}
	if (!assigned)
		say(&c, PT_CHECK_NOTE, "assigned", NULL, "no device is passed through (no vfio-pci or "
		    "pci-assign -device): pttrace records the emulated ones the same way");
	check_multifunction(&c, vm);
	if (!vm->pvpanic && !vm->hv_crash)
		say(&c, PT_CHECK_WARNING, "crash-signal",
		    pt_advice_crash_signal(speaks_xml(vm) ? PT_TERMS_LIBVIRT : PT_TERMS_QEMU),
		    "no crash signal configured (no pvpanic device, no hv-crash): pttrace record "
		    "cannot stop exactly at a guest panic, only at a triple fault or by hand");
	else
		say(&c, PT_CHECK_OK, "crash-signal", NULL, "crash signal: %s%s%s",
		    vm->pvpanic ? "pvpanic" : "", vm->pvpanic && vm->hv_crash ? ", " : "",
		    vm->hv_crash ? "hv-crash" : "");
	if (speaks_xml(vm))
		check_on_crash(&c, vm);
	return c.worst;
}
