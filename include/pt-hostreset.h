/*
 * Resets of host PCI devices: how the host can reset an assigned device
 * (sysfs and its config space, for pttrace check), and the kernel
 * functions pttrace record probes to see the host reset them (the table
 * the recorder's kprobes and the analyzer's reader share).
 */
#ifndef PT_HOSTRESET_H
#define PT_HOSTRESET_H

#include <stddef.h>
#include <stdint.h>

#define PT_HR_MAX_SIBLINGS 8

/* How the host can reset one PCI function. */
struct pt_host_reset_caps {
	int have_reset_method;		/* sysfs reset_method exists (kernel >= 5.15) */
	char reset_method[128];		/* its words, "flr bus"; "" when it lists none */
	int have_reset_file;		/* sysfs 'reset' exists: the kernel has a method */
	size_t config_len;		/* bytes of config space read (64 without root) */
	int caps_read;			/* the capability list was walked */
	int pcie, flr;			/* PCIe capability; its DevCap advertises FLR */
	int af_flr;			/* Advanced Features capability with TP and FLR */
	int pm, no_soft_reset;		/* PM capability; PMCSR No_Soft_Reset */
	/* where a secondary bus reset would come from: the upstream bridge */
	enum { PT_HR_BUS_UNKNOWN, PT_HR_BUS_ROOT, PT_HR_BUS_BRIDGE } bus;
	char bridge[16];		/* its BDF with PT_HR_BUS_BRIDGE */
	char siblings[PT_HR_MAX_SIBLINGS][16];	/* the other functions on the bus */
	unsigned nsiblings;
};

/*
 * Reads what sysfs under SYSROOT ("" or NULL: /) says of BDF
 * ("0000:01:00.0"): reset_method, reset, config (binary) and the device's
 * place under its bridge.  0, or -1 when the device does not exist.
 */
int pt_host_reset_read(const char *sysroot, const char *bdf, struct pt_host_reset_caps *c);
/* The capabilities in config space CFG of LEN bytes into C (pure: for tests). */
void pt_host_reset_parse_config(const uint8_t *cfg, size_t len, struct pt_host_reset_caps *c);
/* Does reset_method (or what config space shows, without it) list METHOD ("flr", "bus")? */
int pt_host_reset_has(const struct pt_host_reset_caps *c, const char *method);

/*
 * The kernel functions pttrace record probes (kprobe events, in the host
 * instance) to see the host reset a device.  ENTRY ones say that a reset
 * was asked for; METHOD ones how it was done; VFIO ones when a VM opened
 * or closed the device.
 */
enum pt_hr_role { PT_HR_ENTRY, PT_HR_METHOD, PT_HR_VFIO_OPEN, PT_HR_VFIO_CLOSE };

struct pt_hr_func {
	const char *symbol;		/* kernel function */
	enum pt_hr_role role;
	const char *what;		/* "function level reset (FLR)" */
	/* the pci_dev's name through BTF ("dev->dev.kobj.name"); NULL: none */
	const char *name_arg;
	int probe_arg;			/* its second argument is "probe": only asks, resets nothing */
};

extern const struct pt_hr_func pt_hr_funcs[];
extern const unsigned pt_hr_nfuncs;
/* The index of SYMBOL in pt_hr_funcs, -1 when it is none of them. */
int pt_hr_find(const char *symbol);

/*
 * The probes' kprobe events are PT_HR_PROBE_PREFIX "<recorder pid>_<function>"
 * (in the kprobes group): kprobe_events is the whole machine's, and the pid
 * says whose probe it is, for its removal.
 */
#define PT_HR_PROBE_PREFIX "pttrace_"
/*
 * The recorder's pid in such an event NAME (whatever follows it), with
 * *FUNCTION where the function's name starts; -1 when NAME is no such probe.
 */
int pt_hr_probe_pid(const char *name, const char **function);

#endif
