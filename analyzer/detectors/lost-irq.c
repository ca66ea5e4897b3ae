// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why nothing arrived: every link from a device to a vcpu that an
 * interrupt needs, checked each time the guest changes one of them, and
 * the broken one named with the write that broke it.  An MSI is a memory
 * write by the device, so it needs bus mastering, an enabled and unmasked
 * capability (and, for MSI-X, an unmasked function and vector), an
 * address in 0xFEExxxxx whose destination APIC id is a vcpu, and a vector
 * of 16 or more.  INTx needs INTx enabled in the command register and an
 * unmasked IO-APIC entry.  A broken link is the cause only when the
 * driver goes on waiting (accesses, or a crash) and nothing arrives.
 * Interrupts that stop with every link intact are reported too, as a
 * symptom without a named cause.
 */
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "../detector.h"

#define MIN_EARLIER_IRQS 5
#define RAISE_TO_ACCEPT_NS 10000000ull	/* an accept this soon after a raise delivers it */
#define MSI_ADDR_DEST(a)	(((a) >> 12) & 0xff)
#define MSI_ADDR_LOGICAL	(1u << 2)

enum link {
	LINK_OK,
	LINK_BUS_MASTER,
	LINK_MSI_MASKED,
	LINK_MSIX_FN_MASK,
	LINK_MSIX_VECTOR_MASK,
	LINK_ADDRESS,
	LINK_DEST,
	LINK_VECTOR,
	LINK_INTX_DISABLED,
	LINK_IOAPIC_MASKED,
	LINK_MSI_OFF,
};

struct dev_state {
	uint16_t bdf;
	/* the driver chose interrupts: MSI/MSI-X enabled, or INTx delivered, once */
	uint8_t armed, msi_was_on, msi_on;
	uint32_t msix_used;		/* MSI-X entries that delivered */
	uint64_t arrived;		/* interrupts the guest accepted */
	uint64_t raised_ts;		/* its latest raise not yet accepted, 0 none */
	uint8_t line_high;		/* its INTx line is asserted: each EOI delivers it again */
	struct pt_event last_irq;
	uint64_t accesses_since_irq;
	struct pt_event last_access;
	struct pt_access last_access_acc;
	/* the link broken now, and the write that broke it */
	enum link broken;
	char what[160];
	int bad_bar;
	unsigned bad_reg;
	struct pt_event bad_ev;
	struct pt_access bad_acc;
	/* the latest write that enabled MSI or MSI-X */
	struct pt_event enable_ev;
	struct pt_access enable_acc;
	uint64_t accepted_since, raised_since, accesses_since;
	int bad_vector;			/* the one vector broken, -1 for all of the device's */
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
	uint8_t apic_seen[256];		/* APIC ids that accepted or EOId an interrupt */
	int any_accept;			/* kvm_apic_accept_irq is in the trace */
};

static int msi_address_ok(uint64_t addr)
{
	return (addr & 0xfff00000ull) == 0xfee00000ull;
}

/* Is the physical destination of ADDR an APIC id no vcpu of the trace has? */
static int dest_missing(const struct state *s, const struct pt_analysis *a, uint64_t addr)
{
	unsigned dest = MSI_ADDR_DEST(addr);

	if ((addr & MSI_ADDR_LOGICAL) || dest == 0xff || !a->nvcpus)
		return 0;
	return dest >= a->nvcpus && !s->apic_seen[dest];
}

/* Checks one message (MSI, or an MSI-X entry); 0 when it can arrive. */
static enum link check_message(const struct state *s, const struct pt_analysis *a,
			       struct dev_state *ds, uint64_t addr, uint32_t data, const char *what,
			       int bar, unsigned addr_reg, unsigned data_reg)
{
	ds->bad_bar = bar;
	if (!msi_address_ok(addr)) {
		snprintf(ds->what, sizeof(ds->what), "%s address 0x%08llx is not in the 0xFEExxxxx "
			 "interrupt range", what, (unsigned long long)addr);
		ds->bad_reg = addr_reg;
		return LINK_ADDRESS;
	}
	if ((data & 0xff) < 16) {
		snprintf(ds->what, sizeof(ds->what), "%s vector %u is below 16, illegal on x86",
			 what, data & 0xff);
		ds->bad_reg = data_reg;
		return LINK_VECTOR;
	}
	if (dest_missing(s, a, addr)) {
		snprintf(ds->what, sizeof(ds->what), "%s address 0x%08llx is for APIC id %llu: the "
			 "trace shows %u vcpu%s", what, (unsigned long long)addr,
			 (unsigned long long)MSI_ADDR_DEST(addr), a->nvcpus, a->nvcpus == 1 ? "" : "s");
		ds->bad_reg = addr_reg;
		return LINK_DEST;
	}
	return LINK_OK;
}

/* The MSI-X entries the driver waits on: those that delivered, else every programmed one. */
static uint32_t msix_awaited(const struct pt_device *d, const struct dev_state *ds)
{
	uint32_t mask = 0;

	if (ds->msix_used)
		return ds->msix_used;
	for (unsigned e = 0; e < PT_MSIX_VECTORS && e < d->msix_size; e++)
		if (d->msix_address[e])
			mask |= 1u << e;
	return mask;
}

/* Did the trace see the guest program any IO-APIC entry? */
static int ioapic_seen(const struct pt_analysis *a)
{
	for (unsigned g = 0; g < 24; g++)
		if (pt_model_ioapic_pin(a->model, g)->programmed)
			return 1;
	return 0;
}

/* The first broken link of D's interrupt path as it is now, its words in ds->what. */
static enum link path_check(const struct state *s, const struct pt_analysis *a,
			    const struct pt_device *d, struct dev_state *ds)
{
	const struct pt_ioapic_pin *pin;

	ds->bad_vector = -1;
	if (!ds->armed)
		return LINK_OK;
	if (d->msix_enabled || d->msi_enabled) {
		if (d->command_known && !(d->command & PCI_COMMAND_MASTER)) {
			snprintf(ds->what, sizeof(ds->what), "bus mastering is off (command 0x%04x) "
				 "with %s enabled: the device cannot write its MSI", d->command,
				 d->msix_enabled ? "MSI-X" : "MSI");
			ds->bad_bar = PT_REG_CONFIG;
			ds->bad_reg = PCI_COMMAND;
			return LINK_BUS_MASTER;
		}
	}
	if (d->msix_enabled) {
		uint32_t awaited = msix_awaited(d, ds), masked = 0;
		unsigned table = d->msix_table, first = 0;
		enum link l;

		if (d->msix_fn_mask) {
			snprintf(ds->what, sizeof(ds->what), "MSI-X function mask set (Message Control "
				 "bit 14): every vector is held back");
			ds->bad_bar = PT_REG_CONFIG;
			ds->bad_reg = d->msix_cap + PCI_MSIX_FLAGS;
			return LINK_MSIX_FN_MASK;
		}
		if (!awaited)
			return LINK_OK;
		for (unsigned e = 0; e < PT_MSIX_VECTORS; e++) {
			if (!(awaited & (1u << e)))
				continue;
			if (d->msix_masked[e])
				masked |= 1u << e;
			else if (!first)
				first = e + 1;
		}
		/* a vector that delivered and is masked now: whoever waits on it waits forever */
		if (masked && (ds->msix_used || masked == awaited)) {
			unsigned e = __builtin_ctz(masked);

			snprintf(ds->what, sizeof(ds->what), "MSI-X vector %u masked (its vector control "
				 "bit 0)%s", e, masked == awaited ? (__builtin_popcount(masked) > 1
				 ? ", and every other one the driver uses" : "")
				 : " after it had delivered; the others still work");
			ds->bad_bar = d->msix_bar;
			ds->bad_reg = table + 16 * e + PCI_MSIX_ENTRY_VECTOR_CTRL;
			ds->bad_vector = masked == awaited ? -1 : (int)(d->msix_data[e] & 0xff);
			return LINK_MSIX_VECTOR_MASK;
		}
		/* the entries' messages: one that can arrive is enough */
		for (unsigned e = 0; e < PT_MSIX_VECTORS; e++) {
			char name[32];

			if (!(awaited & (1u << e)) || d->msix_masked[e])
				continue;
			snprintf(name, sizeof(name), "MSI-X entry %u", e);
			l = check_message(s, a, ds, d->msix_address[e], d->msix_data[e], name,
					  d->msix_bar, table + 16 * e, table + 16 * e + 8);
			if (l == LINK_OK)
				return LINK_OK;
		}
		return check_message(s, a, ds, d->msix_address[first ? first - 1 : 0],
				     d->msix_data[first ? first - 1 : 0], "MSI-X entry", d->msix_bar,
				     table + 16 * (first ? first - 1 : 0),
				     table + 16 * (first ? first - 1 : 0) + 8);
	}
	if (d->msi_enabled) {
		uint32_t ctrl = 0;
		int is64;

		pt_cfg_read(d, d->msi_cap + PCI_MSI_FLAGS, 2, &ctrl);
		is64 = !!(ctrl & PCI_MSI_FLAGS_64BIT);
		if (d->msi_masked) {
			snprintf(ds->what, sizeof(ds->what), "MSI enabled but masked (its mask bit)");
			ds->bad_bar = PT_REG_CONFIG;
			ds->bad_reg = d->msi_cap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
			return LINK_MSI_MASKED;
		}
		return check_message(s, a, ds, d->msi_address, d->msi_data, "MSI", PT_REG_CONFIG,
				     d->msi_cap + PCI_MSI_ADDRESS_LO,
				     d->msi_cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32));
	}
	/* INTx */
	if (d->command_known && (d->command & PCI_COMMAND_INTX_DISABLE)) {
		snprintf(ds->what, sizeof(ds->what), "INTx disabled (command 0x%04x, bit 10) with "
			 "neither MSI nor MSI-X enabled: the device has no interrupt at all", d->command);
		ds->bad_bar = PT_REG_CONFIG;
		ds->bad_reg = PCI_COMMAND;
		return LINK_INTX_DISABLED;
	}
	pin = d->gsi >= 0 ? pt_model_ioapic_pin(a->model, d->gsi) : NULL;
	if (pin && pin->programmed && pin->masked) {
		snprintf(ds->what, sizeof(ds->what), "IO-APIC entry of GSI %d (its INTx line) masked, "
			 "with neither MSI nor MSI-X enabled", d->gsi);
		ds->bad_bar = -1;
		ds->bad_reg = 0;
		return LINK_IOAPIC_MASKED;
	}
	/* "no entry" only where the trace saw the IO-APIC programmed (it covers boot) */
	if (ds->msi_was_on && !(pin && pin->programmed) && ioapic_seen(a)) {
		snprintf(ds->what, sizeof(ds->what), "MSI%s turned off, and its INTx line has no "
			 "IO-APIC entry: nothing can deliver its interrupts", d->msix_cap ? "/MSI-X" : "");
		ds->bad_bar = PT_REG_CONFIG;
		ds->bad_reg = (d->msi_cap ? d->msi_cap : d->msix_cap) + PCI_MSI_FLAGS;
		return LINK_MSI_OFF;
	}
	return LINK_OK;
}

static void recheck(struct state *s, struct pt_analysis *a, const struct pt_device *d,
		    struct dev_state *ds, const struct pt_event *ev, const struct pt_access *acc)
{
	enum link l;

	if ((d->msi_enabled || d->msix_enabled) && !ds->msi_on) {
		ds->enable_ev = *ev;
		ds->enable_acc = *acc;
	}
	ds->msi_on = d->msi_enabled || d->msix_enabled;
	if (ds->msi_on)
		ds->armed = ds->msi_was_on = 1;
	l = path_check(s, a, d, ds);
	if (l == ds->broken)
		return;
	ds->broken = l;
	if (l == LINK_OK)
		return;
	ds->bad_ev = *ev;
	ds->bad_acc = *acc;
	ds->accepted_since = ds->raised_since = ds->accesses_since = 0;
}

/* Does an accepted VECTOR belong to D, as programmed now? */
static int vector_of(const struct pt_analysis *a, const struct pt_device *d, unsigned vector)
{
	if (d->msi_enabled && (d->msi_data & 0xff) == vector)
		return 1;
	for (unsigned e = 0; d->msix_enabled && e < PT_MSIX_VECTORS && e < d->msix_size; e++)
		if (d->msix_address[e] && (d->msix_data[e] & 0xff) == vector)
			return 1;
	/* INTx: its pin's vector, or any while the pin's entry was not seen written */
	if (d->msi_enabled || d->msix_enabled || d->gsi < 0)
		return 0;
	return pt_model_gsi_vector(a->model, d->gsi) == (int)vector ||
	       pt_model_gsi_vector(a->model, d->gsi) < 0;
}

static void arrival(struct dev_state *ds, const struct pt_event *ev)
{
	ds->arrived++;
	ds->last_irq = *ev;
	ds->accesses_since_irq = 0;
	ds->armed = 1;
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct pt_device *d = acc->dev;
	struct dev_state *ds;

	if (ev->kind == PT_EV_APIC_ACCEPT || ev->kind == PT_EV_EOI) {
		unsigned n;
		struct pt_device *const *devs;

		s->apic_seen[ev->addr & 0xff] = 1;
		if (ev->kind == PT_EV_EOI)
			return;
		s->any_accept = 1;
		devs = pt_model_devices(a->model, &n);
		/* vectors are shared: an accept is the device's when it just raised one */
		for (unsigned i = 0; i < n; i++)
			if (vector_of(a, devs[i], ev->val & 0xff) &&
			    (ds = PT_DEV_SLOT(s, devs[i]->bdf)) &&
			    (ds->line_high || (ds->raised_ts &&
					       ev->ts - ds->raised_ts < RAISE_TO_ACCEPT_NS))) {
				ds->raised_ts = 0;
				if (ds->bad_vector < 0 || ds->bad_vector == (int)(ev->val & 0xff))
					ds->accepted_since++;
				arrival(ds, ev);
			}
		return;
	}
	if (acc->type == PT_ACC_PLATFORM && ev->kind == PT_EV_MMIO_WRITE && acc->platform &&
	    !strcmp(acc->platform, "IO-APIC")) {
		/* a redirection entry changed: every INTx device may be affected */
		for (unsigned i = 0; i < s->ndev; i++) {
			struct pt_device *dd = pt_model_find(a->model, s->dev[i].bdf);

			if (dd)
				recheck(s, a, dd, &s->dev[i], ev, acc);
		}
		return;
	}
	if (!d || !(ds = PT_DEV_SLOT(s, d->bdf)))
		return;
	if (acc->type == PT_ACC_INTERRUPT) {
		if (ev->kind == PT_EV_IRQ_LINE)
			ds->line_high = ev->val != 0;
		if (ev->kind == PT_EV_IRQ_LINE && !ev->val)
			return;
		if (ds->bad_vector < 0 || ev->kind != PT_EV_MSI ||
		    ds->bad_vector == (int)(ev->val & 0xff))
			ds->raised_since++;
		ds->raised_ts = ev->ts;
		if (ev->kind == PT_EV_MSI)
			for (unsigned e = 0; d->msix_enabled && e < PT_MSIX_VECTORS && e < d->msix_size; e++)
				if (d->msix_address[e] == ev->addr && d->msix_data[e] == (uint32_t)ev->val)
					ds->msix_used |= 1u << e;
		/* without kvm_apic_accept_irq in the trace, raising is all there is to see */
		if (!s->any_accept)
			arrival(ds, ev);
		return;
	}
	if (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG)
		return;
	ds->accesses_since_irq++;
	ds->accesses_since++;
	ds->last_access = *ev;
	ds->last_access_acc = *acc;
	if (ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE)
		recheck(s, a, d, ds, ev, acc);
}

static void broken_finding(struct state *s, struct pt_analysis *a, struct dev_state *ds,
			   struct pt_device *d, const char *dev)
{
	int crashed = a->crash.kind != PT_CRASH_END_OF_TRACE, unseen;
	const char *how;
	struct pt_finding f;

	/* vcpus seen later may own the destination after all */
	if (ds->broken == LINK_DEST && path_check(s, a, d, ds) != LINK_DEST)
		return;
	/*
	 * Something arrived all the same: the model is wrong, not the device.
	 * Without kvm_apic_accept_irq (posted interrupts) a raise is all there
	 * is to see, but one raised to an APIC id no vcpu has arrives nowhere.
	 */
	int arrived = s->any_accept ? ds->accepted_since > 0
				    : ds->raised_since > 0 && ds->broken != LINK_DEST;

	unseen = pt_analysis_missing(a, PT_EV_APIC_ACCEPT, &how) &&
		 pt_analysis_missing(a, PT_EV_MSI, &how);
	pt_finding_start(&f, PT_CLASS_INTERRUPT_PATH, d, ds->bad_bar, ds->bad_reg);
	f.count = ds->accesses_since;
	if (arrived)
		snprintf(f.title, sizeof(f.title), "%s cannot interrupt, as its config reads: %s; yet "
			 "%llu of its interrupts were accepted since", dev, ds->what,
			 (unsigned long long)(s->any_accept ? ds->accepted_since : ds->raised_since));
	else
		snprintf(f.title, sizeof(f.title), "%s cannot interrupt: %s; nothing arrived from it %s",
			 dev, ds->what, ds->raised_since ? "although it raised some" : "since");
	if (!crashed)
		f.severity = PT_SEV_INFO;	/* a remove or suspend path, as far as anyone can tell */
	else
		f.severity = ds->accesses_since || ds->broken != LINK_DEST ? PT_SEV_CRITICAL
									   : PT_SEV_HIGH;
	f.confidence = unseen ? 50 : ds->accesses_since ? 90 : 75;
	/* yet something arrived: the model may be wrong, so it is no verdict */
	if (arrived) {
		f.severity = f.severity > PT_SEV_MEDIUM ? PT_SEV_MEDIUM : f.severity;
		f.confidence = 40;
	}
	snprintf(f.why, sizeof(f.why), "with this link broken the interrupt (or the completion "
		 "it signals) cannot reach a vcpu: the driver waits, times out and the guest "
		 "gives up%s", unseen ? " (the trace has no interrupt events: whether one arrived "
		 "is not known)" : "");
	switch (ds->broken) {
	case LINK_BUS_MASTER:
		snprintf(f.advice, sizeof(f.advice), "set bus mastering (pci_set_master) after every "
			 "reset and resume before waiting for an MSI or DMA; a reset clears the command "
			 "register");
		break;
	case LINK_MSIX_FN_MASK:
	case LINK_MSIX_VECTOR_MASK:
	case LINK_MSI_MASKED:
		snprintf(f.advice, sizeof(f.advice), "unmask the vector after programming it (the "
			 "MSI-X function mask and the entry's vector control), and check that a "
			 "suspend/resume or reset path restores the masks it saved");
		break;
	case LINK_INTX_DISABLED:
	case LINK_IOAPIC_MASKED:
	case LINK_MSI_OFF:
		snprintf(f.advice, sizeof(f.advice), "the driver turned its interrupt off and never on "
			 "again: enable MSI/MSI-X after resume or reset, or clear INTx disable; inside "
			 "the guest /proc/interrupts shows the counts stop");
		break;
	default:
		snprintf(f.advice, sizeof(f.advice), "check how the driver builds the MSI address and "
			 "data (the destination APIC id shift, the vector); inside the guest compare with "
			 "/proc/interrupts and lspci -vv (MSI: Address/Data)");
		break;
	}
	if (ds->enable_ev.ts && ds->enable_ev.ts != ds->bad_ev.ts &&
	    (d->msi_enabled || d->msix_enabled))
		pt_finding_evidence(&f, &ds->enable_ev, &ds->enable_acc, "%s enabled",
				    d->msix_enabled ? "MSI-X" : "MSI");
	pt_finding_evidence(&f, &ds->bad_ev, &ds->bad_acc, "%s", ds->what);
	if (ds->arrived)
		pt_finding_evidence(&f, &ds->last_irq, NULL, "last interrupt from the device");
	if (ds->accesses_since)
		pt_finding_evidence(&f, &ds->last_access, &ds->last_access_acc, "the driver still "
				    "works the device: %llu accesses since, %llu interrupts raised, "
				    "0 accepted", (unsigned long long)ds->accesses_since,
				    (unsigned long long)ds->raised_since);
	pt_finding_add(a, &f);
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		struct pt_finding f;
		char dev[48];
		int silent;

		if (!d)
			continue;
		pt_dev_str(d, dev, sizeof(dev));
		if (ds->broken != LINK_OK) {
			broken_finding(s, a, ds, d, dev);
			continue;
		}
		silent = ds->accesses_since_irq >= 3 && pt_near_crash(a, ds->last_access.ts, 2);
		if (ds->arrived < MIN_EARLIER_IRQS || !silent || a->crash.kind == PT_CRASH_END_OF_TRACE ||
		    ds->last_irq.ts >= a->crash.ts || a->crash.ts - ds->last_irq.ts <= 500000000ull)
			continue;
		/* every link intact: a symptom, the device stopped asking */
		pt_finding_start(&f, PT_CLASS_POLLING, d, -1, 0);
		f.count = ds->accesses_since_irq;
		snprintf(f.title, sizeof(f.title), "%s interrupts stopped %.2f s before the crash "
			 "while the driver kept accessing it (%llu accesses); its interrupt path is "
			 "intact", dev, -pt_rel(a, ds->last_irq.ts),
			 (unsigned long long)ds->accesses_since_irq);
		f.severity = PT_SEV_MEDIUM;
		f.confidence = 55;
		snprintf(f.why, sizeof(f.why), "a driver that waits for an interrupt that never "
			 "comes times out and resets the device or gives up; every link from the "
			 "device to the vcpu was set up right, so the device itself stopped");
		snprintf(f.advice, sizeof(f.advice), "check whether the device was told to interrupt "
			 "(its own interrupt mask register), and whether it is hung (AER errors or "
			 "vfio messages in the host's dmesg)");
		pt_finding_evidence(&f, &ds->last_irq, NULL, "last interrupt from the device");
		pt_finding_evidence(&f, &ds->last_access, &ds->last_access_acc,
				    "last access before %s", pt_crash_point(a));
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_lost_irq = {
	.name = "lost-irq",
	.summary = "why no interrupt arrived: bus master, MSI/MSI-X masks, address, destination, "
		   "vector, INTx disable, IO-APIC mask",
	.kinds = PT_KINDS_DEVICE_ACCESS | PT_KIND(MSI) | PT_KIND(IRQ_LINE) | PT_KIND(APIC_ACCEPT) |
		 PT_KIND(EOI),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
