// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-check.h"

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

/* Slot and function of a guest addr= ("05.0", "0x5", "5.1"); -1 when not given. */
static int guest_slot(const char *addr, int *fn)
{
	char *end;
	long slot;

	*fn = 0;
	if (!addr[0])
		return -1;
	slot = strtol(addr, &end, 16);
	if (*end == '.')
		*fn = strtol(end + 1, NULL, 10);
	return slot;
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
			int afn, bfn, as, bs;
			char hb[16], advice[256];

			if (!b->assigned || pt_host_bdf(b->host, hb, sizeof(hb)) ||
			    strncmp(ha, hb, 10))	/* same domain:bus:slot */
				continue;
			as = guest_slot(a->addr, &afn);
			bs = guest_slot(b->addr, &bfn);
			snprintf(advice, sizeof(advice), "keep the functions of one card together in one "
				 "guest slot, numbered as on the host: addr=XX.%c,multifunction=on and "
				 "addr=XX.%c", ha[11], hb[11]);
			if (as < 0 || bs < 0 || as != bs)
				say(c, PT_CHECK_WARNING, "multifunction", advice,
				    "%s and %s are functions of one host device but sit in different guest "
				    "slots (%s, %s)", ha, hb, a->addr[0] ? a->addr : "auto",
				    b->addr[0] ? b->addr : "auto");
			else if (afn != ha[11] - '0' || bfn != hb[11] - '0')
				say(c, PT_CHECK_WARNING, "multifunction", advice,
				    "%s and %s share guest slot %02x but their functions are renumbered "
				    "(%d and %d)", ha, hb, as, afn, bfn);
			else if (afn == 0 ? !a->multifunction : bfn == 0 && !b->multifunction)
				say(c, PT_CHECK_NOTE, "multifunction", "add multifunction=on to function 0",
				    "%s and %s share guest slot %02x without multifunction=on on function 0",
				    ha, hb, as);
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
	if (strcmp(h.driver, "vfio-pci") && strcmp(h.driver, "pci-stub"))
		say(c, PT_CHECK_ERROR, "driver", "bind it to vfio-pci (driverctl set-override, or "
		    "vfio-pci.ids= on the kernel command line)",
		    "host device %s [%04x:%04x] is bound to %s, not vfio-pci or pci-stub", host,
		    h.vendor, h.device, h.driver[0] ? h.driver : "no driver");
	else
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
	if (!strcmp(d->driver, "vfio-pci") && d->x_no_mmap != 1)
		say(c, PT_CHECK_NOTE, "mmap", "for a debugging run add x-no-mmap=on to this -device "
		    "(slower, but every access traps and is traced)",
		    "%s: its BARs are mmapped into the guest, so kvm tracing cannot see the driver's "
		    "register accesses", host);
}

enum pt_check_level pt_check_vm(const char *sysroot, const struct pt_vm *vm,
				void (*fn)(void *ctx, const struct pt_check_item *item), void *ctx)
{
	struct checker c = { fn, ctx, PT_CHECK_OK };
	unsigned assigned = 0;

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
		say(&c, PT_CHECK_WARNING, "crash-signal", "add -device pvpanic (Linux guests; Windows "
		    "with its pvpanic driver) or -cpu ...,hv-crash (Windows)",
		    "no crash signal configured (no pvpanic device, no hv-crash): pttrace record "
		    "cannot stop exactly at a guest panic, only at a triple fault or by hand");
	else
		say(&c, PT_CHECK_OK, "crash-signal", NULL, "crash signal: %s%s%s",
		    vm->pvpanic ? "pvpanic" : "", vm->pvpanic && vm->hv_crash ? ", " : "",
		    vm->hv_crash ? "hv-crash" : "");
	return c.worst;
}
