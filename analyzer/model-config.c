// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's config space: a shadow of every byte the trace showed, the
 * capability list, BAR sizing and programming, and what config reads and
 * writes do to a device: decode and bus mastering, power state, MSI,
 * MSI-X, FLR and a bridge's secondary bus reset.
 */
#include <string.h>

#include "model.h"
#include "pci-config.h"

#define CAP_PTR_MASK	0xfcu		/* capabilities are dword-aligned */
#define CAP_TTL		48		/* the most capabilities a list is followed through */
/* the six BARs of a type 0 header */
#define BARS_END	(PCI_BASE_ADDRESS_0 + 4 * PCI_STD_NUM_BARS)

int pt_cfg_read(const struct pt_device *d, unsigned off, unsigned len, uint32_t *val)
{
	uint32_t v = 0;

	if (off + len > PCI_CFG_SPACE_EXP_SIZE)
		return -1;
	for (unsigned i = 0; i < len; i++) {
		if (!(d->cfg_known[(off + i) / 8] & (1u << ((off + i) % 8))))
			return -1;
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	}
	*val = v;
	return 0;
}

static void cfg_store(struct pt_device *d, unsigned off, unsigned len, uint32_t val)
{
	for (unsigned i = 0; i < len && off + i < PCI_CFG_SPACE_EXP_SIZE; i++) {
		d->cfg[off + i] = val >> (8 * i);
		d->cfg_known[(off + i) / 8] |= 1u << ((off + i) % 8);
	}
}

/*
 * Finds the capabilities the guest has read so far; a driver stops reading
 * the list at the one it wants, so each is taken as soon as it is seen.
 */
static void walk_caps(struct pt_device *d)
{
	uint32_t status, ptr, id;
	int ttl = CAP_TTL;

	if (d->caps_walked || pt_cfg_read(d, PCI_STATUS, 2, &status))
		return;
	if (!(status & PCI_STATUS_CAP_LIST)) {
		d->caps_walked = 1;
		return;
	}
	if (pt_cfg_read(d, PCI_CAPABILITY_LIST, 1, &ptr))
		return;
	for (ptr &= CAP_PTR_MASK; ptr && ttl--; ) {
		uint32_t next;

		if (pt_cfg_read(d, ptr + PCI_CAP_LIST_ID, 1, &id))
			return;
		switch (id) {
		case PCI_CAP_ID_PM: d->pm_cap = ptr; break;
		case PCI_CAP_ID_MSI: d->msi_cap = ptr; break;
		case PCI_CAP_ID_EXP: d->pcie_cap = ptr; break;
		case PCI_CAP_ID_MSIX: d->msix_cap = ptr; break;
		}
		if (pt_cfg_read(d, ptr + PCI_CAP_LIST_NEXT, 1, &next))
			return;	/* the rest is not read yet: look again later */
		ptr = next & CAP_PTR_MASK;
	}
	d->caps_walked = 1;
}

/* The address bits of a BAR, above its read-only type bits. */
static uint32_t bar_addr_mask(const struct pt_bar *b)
{
	return b->is_io ? (uint32_t)PCI_BASE_ADDRESS_IO_MASK : (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
}

static void note_bar_type(struct pt_bar *b, uint32_t val)
{
	b->is_io = (val & PCI_BASE_ADDRESS_SPACE) == PCI_BASE_ADDRESS_SPACE_IO;
	b->is64 = !b->is_io &&
		  (val & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;
}

/* Is BAR I the upper half of a 64-bit memory BAR? */
static int bar_upper_half(const struct pt_device *d, int i)
{
	return i > 0 && d->bar[i - 1].is64 && !d->bar[i - 1].is_io;
}

static void bar_write(struct pt_device *d, int i, uint32_t val, uint64_t ts)
{
	struct pt_bar *b = &d->bar[i];
	uint64_t base;

	if (bar_upper_half(d, i)) {
		struct pt_bar *lo = &d->bar[i - 1];

		if (val == 0xffffffff)
			return;
		base = (lo->base & 0xffffffffull) | (uint64_t)val << 32;
		if (lo->valid && base != lo->base && lo->base) {
			lo->prev_base = lo->base;
			lo->moved_ts = ts;
		}
		lo->base = base;
		return;
	}
	if ((val | ~bar_addr_mask(b)) == 0xffffffff) {
		b->sizing = 1;
		return;
	}
	/* the type bits are read-only: only reads tell them */
	b->sizing = 0;
	base = (b->base & ~0xffffffffull) | (val & bar_addr_mask(b));
	if (b->valid && b->base && base != b->base) {
		b->prev_base = b->base;
		b->moved_ts = ts;
	}
	b->base = base;
	b->valid = base != 0;
}

static void bar_read(struct pt_device *d, int i, uint32_t val)
{
	struct pt_bar *b = &d->bar[i];
	uint32_t addr;

	if (bar_upper_half(d, i))
		return;
	note_bar_type(b, val);
	addr = val & bar_addr_mask(b);
	if (b->sizing) {
		b->size = addr ? (uint32_t)(~addr + 1) : 0;
		b->sizing = 0;
		return;
	}
	if (!b->valid && addr) {
		b->base = (b->base & ~0xffffffffull) | addr;
		b->valid = 1;
	}
}

static void set_reset(struct pt_device *d, enum pt_reset_kind kind, uint64_t ts)
{
	d->reset_kind = kind;
	d->reset_ts = ts;
}

/* The command register, when the access touched its low byte (decode, bus master): 1 if so. */
static int note_command(struct pt_device *d, unsigned off, unsigned len)
{
	uint32_t v;

	if (!pt_cfg_touches(off, len, PCI_COMMAND, 1) || pt_cfg_read(d, PCI_COMMAND, 2, &v))
		return 0;
	d->command = v;
	d->command_known = 1;
	return 1;
}

/* PMCSR written: the power state, and the reset D3hot -> D0 does unless No_Soft_Reset is set. */
static void pm_write(struct pt_device *d, uint64_t ts)
{
	uint32_t pmcsr;
	int state;

	if (pt_cfg_read(d, d->pm_cap + PCI_PM_CTRL, 2, &pmcsr))
		return;
	state = pmcsr & PCI_PM_CTRL_STATE_MASK;
	if (d->power_state == PT_D3HOT && state == PT_D0 && !(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET))
		set_reset(d, PT_RESET_PM, ts);
	if (state != d->power_state) {
		d->power_state = state;
		d->power_ts = ts;
	}
}

/* The MSI capability written: enable, address, data and vector 0's mask as they now are. */
static void msi_write(struct pt_device *d, uint64_t ts)
{
	uint32_t ctrl, lo, hi = 0, data, mask;
	unsigned c = d->msi_cap;
	int is64;

	if (pt_cfg_read(d, c + PCI_MSI_FLAGS, 2, &ctrl))
		return;
	is64 = ctrl & PCI_MSI_FLAGS_64BIT;
	d->msi_enabled = ctrl & PCI_MSI_FLAGS_ENABLE;
	if (!pt_cfg_read(d, c + PCI_MSI_ADDRESS_LO, 4, &lo) &&
	    (!is64 || !pt_cfg_read(d, c + PCI_MSI_ADDRESS_HI, 4, &hi)) &&
	    !pt_cfg_read(d, c + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 2, &data)) {
		d->msi_address = (uint64_t)hi << 32 | lo;
		d->msi_data = data;
	}
	if ((ctrl & PCI_MSI_FLAGS_MASKBIT) &&
	    !pt_cfg_read(d, c + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 4, &mask))
		d->msi_masked = mask & 1;
	d->msi_ts = ts;
}

/* Secondary bus reset set in a bridge's control: everything behind the bridge is reset. */
static void bridge_write(struct pt_model *m, struct pt_device *d, uint64_t ts)
{
	uint32_t ctl, sec;

	if (pt_cfg_read(d, PCI_BRIDGE_CONTROL, 2, &ctl) || !(ctl & PCI_BRIDGE_CTL_BUS_RESET) ||
	    pt_cfg_read(d, PCI_SECONDARY_BUS, 1, &sec))
		return;
	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i]->bdf >> 8 == sec)
			set_reset(m->devs[i], PT_RESET_BUS, ts);
}

/*
 * MSI-X Message Control and Table Offset/BIR, read or written: a driver
 * reads the table's place before it maps and programs the table.
 */
static void msix_effects(struct pt_device *d, unsigned off, unsigned len)
{
	unsigned cap = d->msix_cap;
	uint32_t ctrl, table;

	/* from Message Control to the PBA's offset */
	if (!cap || off + len <= cap + PCI_MSIX_FLAGS || off > cap + PCI_MSIX_PBA)
		return;
	if (!pt_cfg_read(d, cap + PCI_MSIX_FLAGS, 2, &ctrl)) {
		d->msix_enabled = !!(ctrl & PCI_MSIX_FLAGS_ENABLE);
		d->msix_fn_mask = !!(ctrl & PCI_MSIX_FLAGS_MASKALL);
		d->msix_size = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	}
	if (!pt_cfg_read(d, cap + PCI_MSIX_TABLE, 4, &table)) {
		d->msix_bar = table & PCI_MSIX_TABLE_BIR;
		d->msix_table = table & PCI_MSIX_TABLE_OFFSET;
	}
}

/*
 * A BAR register written (WRITE) or read: the model's ranges (model.c) are
 * rebuilt only when a BAR's place, size or kind changed, as drivers write
 * and read BARs back far more often than they move them.
 */
static void bar_access(struct pt_model *m, struct pt_device *d, unsigned off, uint32_t val,
		       uint64_t ts, int write)
{
	struct pt_bar before[PCI_STD_NUM_BARS];
	int i = (off - PCI_BASE_ADDRESS_0) / 4;

	memcpy(before, d->bar, sizeof(before));
	if (write)
		bar_write(d, i, val, ts);
	else
		bar_read(d, i, val);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (d->bar[i].base != before[i].base || d->bar[i].size != before[i].size ||
		    d->bar[i].valid != before[i].valid || d->bar[i].is_io != before[i].is_io)
			m->ranges_dirty = 1;
}

/* The effects of a config write that matter: decode, BARs, PM, MSI, resets. */
static void cfg_write_effects(struct pt_model *m, struct pt_device *d, unsigned off,
			      unsigned len, uint32_t val, uint64_t ts)
{
	uint32_t v;

	if (note_command(d, off, len))
		d->command_ts = ts;
	if (pt_cfg_is_normal(d) && off >= PCI_BASE_ADDRESS_0 && off < BARS_END && len == 4)
		bar_access(m, d, off, val, ts, 1);
	if (pt_cfg_is_bridge(d) && pt_cfg_touches(off, len, PCI_BRIDGE_CONTROL, 1))
		bridge_write(m, d, ts);
	walk_caps(d);
	if (d->pm_cap && pt_cfg_touches(off, len, d->pm_cap + PCI_PM_CTRL, 1))
		pm_write(d, ts);
	if (d->msi_cap && pt_cfg_touches(off, len, d->msi_cap, PT_MSI_CAP_SIZE))
		msi_write(d, ts);
	if (d->pcie_cap && pt_cfg_touches(off, len, d->pcie_cap + PCI_EXP_DEVCTL, 2) &&
	    !pt_cfg_read(d, d->pcie_cap + PCI_EXP_DEVCTL, 2, &v) && (v & PCI_EXP_DEVCTL_BCR_FLR))
		set_reset(d, PT_RESET_FLR, ts);
	msix_effects(d, off, len);
}

static void cfg_read_effects(struct pt_model *m, struct pt_device *d, unsigned off, unsigned len,
			     uint32_t val)
{
	uint32_t v;

	if (off == PCI_VENDOR_ID && (val & 0xffff) != 0xffff && (val & 0xffff) != 0) {
		d->present = 1;
		d->vendor = val & 0xffff;
		if (len == 4)
			d->device = val >> 16;
	}
	if (off == PCI_DEVICE_ID && len == 2 && d->present)
		d->device = val;
	if (pt_cfg_touches(off, len, PCI_HEADER_TYPE, 1) && !pt_cfg_read(d, PCI_HEADER_TYPE, 1, &v))
		d->header_type = v;
	/* the class code: programming interface, sub-class and base class */
	if (pt_cfg_touches(off, len, PCI_CLASS_PROG, 3) && !pt_cfg_read(d, PCI_CLASS_REVISION, 4, &v))
		d->class_code = v >> 8;
	note_command(d, off, len);
	if (pt_cfg_is_normal(d) && off >= PCI_BASE_ADDRESS_0 && off < BARS_END && len == 4)
		bar_access(m, d, off, val, 0, 0);
	walk_caps(d);
	msix_effects(d, off, len);
}

void pt_model_config(struct pt_model *m, uint16_t bdf, unsigned off, const struct pt_event *ev,
		     int write, struct pt_access *acc)
{
	struct pt_device *d = pt_model_device_get(m, bdf);
	/* config space is read and written at most a dword at a time */
	unsigned len = ev->len && ev->len <= 4 ? ev->len : 4;

	if (!d)
		return;
	acc->type = PT_ACC_CONFIG;
	acc->dev = d;
	acc->bar = PT_REG_CONFIG;
	acc->off = off;
	cfg_store(d, off, len, (uint32_t)ev->val);
	if (write) {
		d->cfg_writes++;
		cfg_write_effects(m, d, off, len, (uint32_t)ev->val, ev->ts);
	} else {
		d->cfg_reads++;
		cfg_read_effects(m, d, off, len, (uint32_t)ev->val);
	}
	if (d->present)
		pt_model_touch(d, acc, ev, write);
	pt_model_intx_route(m, d, off, len);
}
