// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Naming registers and decoding their values: a plugin's description of
 * the device first, then the built-in config-space decoder every device
 * gets (the standard and bridge headers, PM, MSI, MSI-X and PCIe).  That
 * one is code, not a plugin: capabilities sit at offsets each device
 * chooses, which only the model knows (model-config.c finds them).
 */
#include <stdio.h>
#include <string.h>

#include "pci-config.h"
#include "pt-analyze.h"
#include "pt-plugins.h"

/* A field as <linux/pci_regs.h> masks it: the mask gives its shift and width. */
#define FIELD(name, mask, values) { name, __builtin_ctz(mask), __builtin_popcount(mask), values }
#define FLAG(name, mask) FIELD(name, mask, NULL)
#define END_FIELDS { NULL, 0, 0, NULL }
/* A config header register of SIZE bytes. */
#define HDR(off, name, size, fields) { PT_PLUGIN_BAR_CONFIG, off, name, size, 0, 0, fields }
#define END_REGS { 0, 0, NULL, 0, 0, 0, NULL }

static const struct pt_plugin_value pm_states[] = {
	{ PT_D0, "D0" }, { PT_D1, "D1" }, { PT_D2, "D2" }, { PT_D3HOT, "D3hot" }, { 0, NULL },
};

static const struct pt_plugin_field command_fields[] = {
	FLAG("IO", PCI_COMMAND_IO), FLAG("MEMORY", PCI_COMMAND_MEMORY),
	FLAG("MASTER", PCI_COMMAND_MASTER), FLAG("SERR", PCI_COMMAND_SERR),
	FLAG("INTX_DISABLE", PCI_COMMAND_INTX_DISABLE), END_FIELDS,
};

static const struct pt_plugin_field pmcsr_fields[] = {
	FIELD("POWER_STATE", PCI_PM_CTRL_STATE_MASK, pm_states),
	FLAG("NO_SOFT_RESET", PCI_PM_CTRL_NO_SOFT_RESET), FLAG("PME_EN", PCI_PM_CTRL_PME_ENABLE),
	FLAG("PME_STATUS", PCI_PM_CTRL_PME_STATUS), END_FIELDS,
};

static const struct pt_plugin_field msi_ctrl_fields[] = {
	FLAG("ENABLE", PCI_MSI_FLAGS_ENABLE), FIELD("MMC", PCI_MSI_FLAGS_QMASK, NULL),
	FIELD("MME", PCI_MSI_FLAGS_QSIZE, NULL), FLAG("64BIT", PCI_MSI_FLAGS_64BIT),
	FLAG("MASKABLE", PCI_MSI_FLAGS_MASKBIT), END_FIELDS,
};

static const struct pt_plugin_field msix_ctrl_fields[] = {
	FIELD("TABLE_SIZE", PCI_MSIX_FLAGS_QSIZE, NULL),
	FLAG("FUNCTION_MASK", PCI_MSIX_FLAGS_MASKALL), FLAG("ENABLE", PCI_MSIX_FLAGS_ENABLE),
	END_FIELDS,
};

static const struct pt_plugin_field devctl_fields[] = {
	FLAG("CERE", PCI_EXP_DEVCTL_CERE), FLAG("NFERE", PCI_EXP_DEVCTL_NFERE),
	FLAG("FERE", PCI_EXP_DEVCTL_FERE), FLAG("URRE", PCI_EXP_DEVCTL_URRE),
	FIELD("MPS", PCI_EXP_DEVCTL_PAYLOAD, NULL), FIELD("MRRS", PCI_EXP_DEVCTL_READRQ, NULL),
	FLAG("INITIATE_FLR", PCI_EXP_DEVCTL_BCR_FLR), END_FIELDS,
};

static const struct pt_plugin_field lnkctl_fields[] = {
	FIELD("ASPM", PCI_EXP_LNKCTL_ASPMC, NULL), FLAG("LINK_DISABLE", PCI_EXP_LNKCTL_LD),
	FLAG("RETRAIN", PCI_EXP_LNKCTL_RL), END_FIELDS,
};

static const struct pt_plugin_field bridge_ctl_fields[] = {
	FLAG("SECONDARY_BUS_RESET", PCI_BRIDGE_CTL_BUS_RESET), END_FIELDS,
};

static const struct pt_plugin_reg header[] = {
	HDR(PCI_VENDOR_ID, "VENDOR_ID", 2, NULL),
	HDR(PCI_DEVICE_ID, "DEVICE_ID", 2, NULL),
	HDR(PCI_COMMAND, "COMMAND", 2, command_fields),
	HDR(PCI_STATUS, "STATUS", 2, NULL),
	HDR(PCI_REVISION_ID, "REVISION_ID", 1, NULL),
	HDR(PCI_CLASS_PROG, "PROG_IF", 1, NULL),
	HDR(PCI_CLASS_DEVICE, "CLASS", 2, NULL),
	HDR(PCI_CACHE_LINE_SIZE, "CACHE_LINE", 1, NULL),
	HDR(PCI_LATENCY_TIMER, "LATENCY", 1, NULL),
	HDR(PCI_HEADER_TYPE, "HEADER_TYPE", 1, NULL),
	HDR(PCI_BIST, "BIST", 1, NULL),
	{ PT_PLUGIN_BAR_CONFIG, PCI_BASE_ADDRESS_0, "BAR", 4, PCI_STD_NUM_BARS, 4, NULL },
	HDR(PCI_SUBSYSTEM_VENDOR_ID, "SUBSYSTEM", 4, NULL),
	HDR(PCI_ROM_ADDRESS, "ROM_BAR", 4, NULL),
	HDR(PCI_CAPABILITY_LIST, "CAP_PTR", 1, NULL),
	HDR(PCI_INTERRUPT_LINE, "INTERRUPT_LINE", 1, NULL),
	HDR(PCI_INTERRUPT_PIN, "INTERRUPT_PIN", 1, NULL),
	END_REGS,
};

/* What differs in a bridge's header; the rest is the standard header's. */
static const struct pt_plugin_reg bridge_header[] = {
	HDR(PCI_PRIMARY_BUS, "PRIMARY_BUS", 1, NULL),
	HDR(PCI_SECONDARY_BUS, "SECONDARY_BUS", 1, NULL),
	HDR(PCI_SUBORDINATE_BUS, "SUBORDINATE_BUS", 1, NULL),
	HDR(PCI_BRIDGE_CONTROL, "BRIDGE_CONTROL", 2, bridge_ctl_fields),
	END_REGS,
};

/* A register of a capability, at OFF from the capability's start. */
struct cap_reg {
	unsigned off, size;
	const char *name;
	const struct pt_plugin_field *fields;
};

/* every capability starts with its ID and the next one's offset */
#define CAP_HEADER(cap) { PCI_CAP_LIST_ID, 2, cap ".ID", NULL }

static const struct cap_reg pm_regs[] = {
	CAP_HEADER("PM"), { PCI_PM_PMC, 2, "PM.PMC", NULL },
	{ PCI_PM_CTRL, 2, "PM.PMCSR", pmcsr_fields }, { 0, 0, NULL, NULL },
};

static const struct cap_reg pcie_regs[] = {
	CAP_HEADER("PCIE"), { PCI_EXP_FLAGS, 2, "PCIE.CAP", NULL },
	{ PCI_EXP_DEVCAP, 4, "PCIE.DEVCAP", NULL },
	{ PCI_EXP_DEVCTL, 2, "PCIE.DEVCTL", devctl_fields },
	{ PCI_EXP_DEVSTA, 2, "PCIE.DEVSTA", NULL }, { PCI_EXP_LNKCAP, 4, "PCIE.LNKCAP", NULL },
	{ PCI_EXP_LNKCTL, 2, "PCIE.LNKCTL", lnkctl_fields },
	{ PCI_EXP_LNKSTA, 2, "PCIE.LNKSTA", NULL }, { 0, 0, NULL, NULL },
};

static const struct cap_reg msix_regs[] = {
	CAP_HEADER("MSIX"), { PCI_MSIX_FLAGS, 2, "MSIX.CTRL", msix_ctrl_fields },
	{ PCI_MSIX_TABLE, 4, "MSIX.TABLE", NULL }, { PCI_MSIX_PBA, 4, "MSIX.PBA", NULL },
	{ 0, 0, NULL, NULL },
};

/* MSI's layout depends on its 64-bit bit: data, mask and pending bits move 4 bytes on. */
static const struct cap_reg *msi_regs(const struct pt_device *d)
{
	static const struct cap_reg r32[] = {
		CAP_HEADER("MSI"), { PCI_MSI_FLAGS, 2, "MSI.CTRL", msi_ctrl_fields },
		{ PCI_MSI_ADDRESS_LO, 4, "MSI.ADDR", NULL }, { PCI_MSI_DATA_32, 2, "MSI.DATA", NULL },
		{ PCI_MSI_MASK_32, 4, "MSI.MASK", NULL }, { PCI_MSI_PENDING_32, 4, "MSI.PENDING", NULL },
		{ 0, 0, NULL, NULL },
	};
	static const struct cap_reg r64[] = {
		CAP_HEADER("MSI"), { PCI_MSI_FLAGS, 2, "MSI.CTRL", msi_ctrl_fields },
		{ PCI_MSI_ADDRESS_LO, 4, "MSI.ADDR_LO", NULL },
		{ PCI_MSI_ADDRESS_HI, 4, "MSI.ADDR_HI", NULL }, { PCI_MSI_DATA_64, 2, "MSI.DATA", NULL },
		{ PCI_MSI_MASK_64, 4, "MSI.MASK", NULL }, { PCI_MSI_PENDING_64, 4, "MSI.PENDING", NULL },
		{ 0, 0, NULL, NULL },
	};
	uint32_t ctrl;

	return !pt_cfg_read(d, d->msi_cap + PCI_MSI_FLAGS, 2, &ctrl) &&
	       (ctrl & PCI_MSI_FLAGS_64BIT) ? r64 : r32;
}

/* The capability register at config offset OFF; *INSIDE is OFF's place in it. */
static const struct cap_reg *cap_reg_at(const struct pt_device *d, uint64_t off, uint64_t *inside)
{
	const struct { unsigned base; const struct cap_reg *regs; } caps[] = {
		{ d->pm_cap, pm_regs }, { d->msi_cap, d->msi_cap ? msi_regs(d) : NULL },
		{ d->pcie_cap, pcie_regs }, { d->msix_cap, msix_regs },
	};

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		if (!caps[c].base || off < caps[c].base)
			continue;
		for (const struct cap_reg *r = caps[c].regs; r && r->name; r++)
			if (off >= caps[c].base + r->off && off < caps[c].base + r->off + r->size) {
				*inside = off - caps[c].base - r->off;
				return r;
			}
	}
	return NULL;
}

const char *pt_power_state_name(int state)
{
	for (const struct pt_plugin_value *v = pm_states; v->name; v++)
		if ((int)v->value == state)
			return v->name;
	return "unknown";
}

/* The register of a table (a plugin's, or a header) that holds OFF in BAR. */
static const struct pt_plugin_reg *find_reg(const struct pt_plugin_device *pd, int bar, uint64_t off,
					   unsigned *index, uint64_t *inside)
{
	for (const struct pt_plugin_reg *r = pd ? pd->regs : NULL; r && r->name; r++) {
		uint32_t size = r->size ? r->size : 4;
		uint32_t count = r->count ? r->count : 1, stride = r->stride ? r->stride : size;

		if (r->bar != bar || off < r->offset)
			continue;
		if (off >= r->offset + (uint64_t)stride * (count - 1) + size)
			continue;
		*index = (off - r->offset) / stride;
		*inside = (off - r->offset) % stride;
		if (*inside >= size)
			continue;
		return r;
	}
	return NULL;
}

static void format_name(char *buf, size_t size, const char *name, const struct pt_plugin_reg *r,
			unsigned index, uint64_t inside)
{
	int n = snprintf(buf, size, "%s", name);

	if (r && r->count > 1 && n < (int)size)
		n += snprintf(buf + n, size - n, "[%u]", index);
	if (inside && n < (int)size)
		snprintf(buf + n, size - n, "+0x%llx", (unsigned long long)inside);
}

/* What names an offset: a plugin's register, a capability's, or the header's. */
struct reg_desc {
	const char *name;
	const struct pt_plugin_field *fields;
	const struct pt_plugin_reg *reg;	/* for an array's NAME[i]; NULL for a capability */
	unsigned index;
	uint64_t inside;			/* bytes into the register */
};

static int describe(const struct pt_device *d, int bar, uint64_t off, struct reg_desc *out)
{
	const struct cap_reg *c;
	int bridge;

	if (!d)
		return -1;
	memset(out, 0, sizeof(*out));
	out->reg = find_reg(pt_plugin_device_of(d), bar, off, &out->index, &out->inside);
	if (!out->reg && bar == PT_REG_CONFIG) {
		c = cap_reg_at(d, off, &out->inside);
		if (c) {
			out->name = c->name;
			out->fields = c->fields;
			return 0;
		}
		bridge = pt_cfg_is_bridge(d);
		out->reg = find_reg(&(struct pt_plugin_device){ .regs = bridge ? bridge_header : header },
				    bar, off, &out->index, &out->inside);
		if (!out->reg && bridge)
			out->reg = find_reg(&(struct pt_plugin_device){ .regs = header }, bar, off,
					    &out->index, &out->inside);
	}
	if (!out->reg)
		return -1;
	out->name = out->reg->name;
	out->fields = out->reg->fields;
	return 0;
}

int pt_reg_name(const struct pt_device *d, int bar, uint64_t off, char *buf, size_t size)
{
	struct reg_desc r;

	if (describe(d, bar, off, &r))
		return -1;
	format_name(buf, size, r.name, r.reg, r.index, r.inside);
	return 0;
}

void pt_reg_label(const struct pt_device *d, int bar, uint64_t off, char *buf, size_t size)
{
	char name[64];
	int n;

	pt_reg_str(bar, off, buf, size);
	n = strlen(buf);
	if (!pt_reg_name(d, bar, off, name, sizeof(name)))
		snprintf(buf + n, size - n, " %s", name);
}

static int format_fields(const struct pt_plugin_field *f, uint64_t val, char *buf, size_t size)
{
	int n = snprintf(buf, size, "{"), any = 0;

	for (; f && f->name && n < (int)size; f++) {
		uint64_t v = (val >> f->shift) & (f->width >= 64 ? ~0ull : (1ull << f->width) - 1);
		const char *vname = NULL;

		if (f->width == 1 && !f->values) {
			if (v)
				n += snprintf(buf + n, size - n, "%s %s", any++ ? " |" : "", f->name);
			continue;
		}
		for (const struct pt_plugin_value *pv = f->values; pv && pv->name; pv++)
			if (pv->value == v)
				vname = pv->name;
		if (vname)
			n += snprintf(buf + n, size - n, "%s %s = %s", any++ ? " |" : "", f->name, vname);
		else
			n += snprintf(buf + n, size - n, "%s %s = 0x%llx", any++ ? " |" : "", f->name,
				      (unsigned long long)v);
	}
	if (n < (int)size)
		snprintf(buf + n, size - n, " }");
	return 0;
}

int pt_reg_value_str(const struct pt_device *d, int bar, uint64_t off, uint64_t val, char *buf,
		     size_t size)
{
	struct reg_desc r;

	/* fields decode a whole register, not a byte inside it */
	if (describe(d, bar, off, &r) || r.inside || !r.fields)
		return -1;
	return format_fields(r.fields, val, buf, size);
}
