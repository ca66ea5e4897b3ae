/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pttrace's plugin ABI: the one header a plugin needs.  A plugin is a
 * shared object that describes PCI devices (register names per BAR offset,
 * bitfields and value names) and may add detectors to the analyzer.
 *
 * The contract:
 *  - it exports  const struct pt_plugin *pt_plugin_init(unsigned host_api);
 *    (required) returning its description with .api_version set to the
 *    PT_PLUGIN_API_VERSION it was built against; pttrace refuses a plugin
 *    whose version differs from its own, with a message saying both.
 *    HOST_API is pttrace's version; returning NULL refuses to load;
 *  - it may export  void pt_plugin_exit(void);  called before dlclose;
 *  - everything it returns (the description, its tables and strings, its
 *    detectors) is its own and stays valid until pt_plugin_exit;
 *  - it calls nothing of pttrace but the pt_plugin_* functions below
 *    (pttrace exports no other symbol), and only from its detectors'
 *    callbacks, as each function says.
 *
 * PT_PLUGIN_API_VERSION changes whenever a struct, enum value or function
 * here changes incompatibly.  Every struct that crosses between pttrace
 * and a plugin is declared here, of fixed-width fields; the analysis and
 * its findings are opaque handles.
 *
 * pttrace looks for *.so in the installed plugin directory, then in each
 * --plugin-dir, then (not as root) in $PTTRACE_PLUGIN_DIR and
 * ~/.local/lib/pttrace/plugins; a device described twice takes the later
 * description.  `pttrace --no-plugins` (or PTTRACE_NO_PLUGINS=1) loads
 * none; `pttrace plugins` lists them.
 *
 * Build one with:  cc -shared -fPIC -I/usr/local/include myplugin.c -o myplugin.so
 */
#ifndef PTTRACE_PLUGIN_H
#define PTTRACE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PT_PLUGIN_API_VERSION 2

#if defined(__GNUC__)
#define PT_PLUGIN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PT_PLUGIN_PRINTF(f, a)
#endif

/* ---- devices ---- */

#define PT_PLUGIN_BAR_CONFIG 7		/* .bar for config space */
#define PT_PLUGIN_ANY 0xffff		/* vendor or device: any */

/* A name for a value of a field. */
struct pt_plugin_value {
	uint64_t value;
	const char *name;
};

/* A bitfield of a register; a one-bit field without values prints as a flag. */
struct pt_plugin_field {
	const char *name;
	unsigned shift, width;
	const struct pt_plugin_value *values;	/* ends with a NULL name; may be NULL */
};

/*
 * A register, or COUNT registers STRIDE bytes apart (printed NAME[i]), or a
 * block of SIZE bytes (an offset inside it prints NAME+0x4).
 */
struct pt_plugin_reg {
	int bar;			/* 0-5, or PT_PLUGIN_BAR_CONFIG */
	uint32_t offset;
	const char *name;
	uint32_t size;			/* bytes; 0 means 4 */
	uint32_t count, stride;		/* an array; count 0 means 1 */
	const struct pt_plugin_field *fields;	/* ends with a NULL name; may be NULL */
};

struct pt_plugin_device {
	uint16_t vendor, device;	/* PT_PLUGIN_ANY matches any */
	uint32_t class_code, class_mask;	/* class_mask 0: any class */
	const char *name;		/* "edu", "Radeon RV100" */
	const struct pt_plugin_reg *regs;	/* ends with a NULL name */
};

/* ---- detectors ---- */

/*
 * A detector sees the kvm events it asked for as the trace streams by,
 * with what pttrace resolved them to, keeps bounded state, and reports
 * findings at the end, when the crash point is known.  Its findings are
 * context: ranked after those of pttrace's own detectors.
 */

/* The kinds of event; the numbers are part of the ABI. */
enum pt_plugin_event_kind {
	PT_PLUGIN_EV_MMIO_READ = 0,	/* addr = GPA, value = data, size = bytes */
	PT_PLUGIN_EV_MMIO_WRITE = 1,
	PT_PLUGIN_EV_PIO_READ = 2,	/* addr = port */
	PT_PLUGIN_EV_PIO_WRITE = 3,
	PT_PLUGIN_EV_MSR_READ = 4,	/* addr = MSR index, value = data */
	PT_PLUGIN_EV_MSR_WRITE = 5,
	PT_PLUGIN_EV_MSI = 6,		/* addr = MSI address, value = data (vector in bits 0-7) */
	PT_PLUGIN_EV_IRQ_LINE = 7,	/* addr = GSI, value = level */
	PT_PLUGIN_EV_APIC_ACCEPT = 8,	/* value = vector */
	PT_PLUGIN_EV_EOI = 9,		/* value = vector */
	PT_PLUGIN_EV_INJ_VIRQ = 10,	/* value = vector */
	PT_PLUGIN_EV_INJ_EXCEPTION = 11,	/* value = vector, error_code */
	PT_PLUGIN_EV_USER_EXIT = 12,	/* value = KVM_EXIT_* reason */
	PT_PLUGIN_EV_EXIT = 13,		/* value = exit reason */
	PT_PLUGIN_EV_PAGE_FAULT = 14,	/* addr = fault address, value = error code */
	PT_PLUGIN_EV_EMULATE = 15,
};

#define PT_PLUGIN_KIND(k) (1u << PT_PLUGIN_EV_##k)
#define PT_PLUGIN_KINDS_DEVICE_ACCESS (PT_PLUGIN_KIND(MMIO_READ) | PT_PLUGIN_KIND(MMIO_WRITE) | \
				       PT_PLUGIN_KIND(PIO_READ) | PT_PLUGIN_KIND(PIO_WRITE))
#define PT_PLUGIN_KINDS_INTERRUPT (PT_PLUGIN_KIND(MSI) | PT_PLUGIN_KIND(IRQ_LINE) | \
				   PT_PLUGIN_KIND(APIC_ACCEPT) | PT_PLUGIN_KIND(EOI))

enum pt_plugin_direction {
	PT_PLUGIN_DIR_NONE = 0,		/* not an access */
	PT_PLUGIN_DIR_READ = 1,
	PT_PLUGIN_DIR_WRITE = 2,
};

/* pt_plugin_event.flags */
#define PT_PLUGIN_EVF_DEVICE	  0x01	/* bdf, vendor, device: the device it concerns */
#define PT_PLUGIN_EVF_REGISTER	  0x02	/* bar, offset: an access to a BAR or config space */
#define PT_PLUGIN_EVF_LOST_BEFORE 0x04	/* the ring buffer dropped events just before */
#define PT_PLUGIN_EVF_ERROR_CODE  0x08	/* INJ_EXCEPTION: error_code is set */
#define PT_PLUGIN_EVF_RIP_NEAREST 0x10	/* rip is the nearest one before, on the same vcpu */
#define PT_PLUGIN_EVF_REFUSED	  0x20	/* MSR_*: KVM refused the access, the guest got #GP */

/*
 * One event as a detector sees it: plain data, 80 bytes, which the
 * detector may copy and keep (to cite it as evidence later).  Fields a
 * flag does not vouch for are 0 (bar -1).
 */
struct pt_plugin_event {
	uint64_t ts_ns;		/* the trace's clock; pt_plugin_rel() says it from the crash */
	uint64_t addr;		/* per kind, above */
	uint64_t value;
	uint64_t rip;		/* guest rip, 0 when unknown */
	uint64_t offset;	/* in the BAR or config space (PT_PLUGIN_EVF_REGISTER) */
	uint32_t kind;		/* enum pt_plugin_event_kind */
	uint32_t flags;		/* PT_PLUGIN_EVF_* */
	uint32_t tid;		/* host thread */
	uint32_t error_code;	/* PT_PLUGIN_EVF_ERROR_CODE */
	int32_t vcpu;		/* -1 when unknown */
	int32_t cpu;		/* host cpu */
	int32_t bar;		/* 0-5 or PT_PLUGIN_BAR_CONFIG (PT_PLUGIN_EVF_REGISTER), else -1 */
	uint16_t size;		/* bytes of the access */
	uint8_t direction;	/* enum pt_plugin_direction */
	uint8_t reserved0;
	uint16_t bdf;		/* bus << 8 | device << 3 | function (PT_PLUGIN_EVF_DEVICE) */
	uint16_t vendor, device;	/* its ids, 0 while the trace has not shown them */
	uint16_t reserved1;
};

/* The analysis as one detector sees it; valid only during its callbacks. */
struct pt_plugin_ctx;
/* A finding being written (pt_plugin_finding_new); pttrace owns it. */
struct pt_plugin_finding;

/*
 * A detector.  STATE is zeroed memory of state_size bytes that pttrace
 * allocates for it per analysis (NULL when state_size is 0) and frees
 * after release.  Callbacks run in one thread, one at a time.
 */
struct pt_plugin_detector {
	uint32_t size;		/* sizeof(struct pt_plugin_detector), required */
	const char *name;	/* required: 1-31 of a-z 0-9 - _, no built-in detector's */
	const char *summary;	/* one line for `pttrace plugins`; may be NULL */
	uint32_t kinds;		/* PT_PLUGIN_KIND() bits: the events event() is given */
	size_t state_size;	/* at most 64 MiB */
	/*
	 * Optional: each event of KINDS up to the crash point, in time order.
	 * It may call the pt_plugin_* queries, not make findings.
	 */
	void (*event)(void *state, const struct pt_plugin_ctx *ctx,
		      const struct pt_plugin_event *ev);
	/* Required: the crash point is known; makes the findings.  Once per analysis. */
	void (*finish)(void *state, struct pt_plugin_ctx *ctx);
	/* Optional: frees what event() or finish() allocated; no ctx, no pt_plugin_* call. */
	void (*release)(void *state);
};

/* ---- what a detector may ask pttrace (event and finish) ---- */

/* Seconds from the crash point to TS_NS, negative before it (finish only: 0 before). */
double pt_plugin_rel(const struct pt_plugin_ctx *ctx, uint64_t ts_ns);
/* Is TS_NS within SECONDS before the crash point (finish only)? */
int pt_plugin_near_crash(const struct pt_plugin_ctx *ctx, uint64_t ts_ns, double seconds);
/* "the crash", or "the end of the trace" when it shows none (finish only). */
const char *pt_plugin_crash_point(const struct pt_plugin_ctx *ctx);
/*
 * What the trace showed so far of the device at BDF: 0 with its ids (0
 * while not shown), or -1 when it knows no such device.  Pointers may be NULL.
 */
int pt_plugin_device_ids(const struct pt_plugin_ctx *ctx, uint16_t bdf, uint16_t *vendor,
			 uint16_t *device, uint32_t *class_code);
/* The name a plugin gives the device at BDF ("edu"), or NULL; valid while plugins are loaded. */
const char *pt_plugin_device_name(const struct pt_plugin_ctx *ctx, uint16_t bdf);
/*
 * The register of the device at BDF at BAR+OFFSET, as plugins and the
 * config-space decoder name it ("CP_RB_RPTR", "SCRATCH[3]", "MSI.CTRL"),
 * into BUF: 0, or -1 when none names it.
 */
int pt_plugin_reg_name(const struct pt_plugin_ctx *ctx, uint16_t bdf, int bar, uint64_t offset,
		       char *buf, size_t size);

/* ---- findings (finish only) ---- */

/* The numbers are part of the ABI. */
enum pt_plugin_severity {
	PT_PLUGIN_SEV_INFO = 0,
	PT_PLUGIN_SEV_LOW = 1,
	PT_PLUGIN_SEV_MEDIUM = 2,
	PT_PLUGIN_SEV_HIGH = 3,
	PT_PLUGIN_SEV_CRITICAL = 4,
};

/*
 * Starts a finding with its severity, confidence (percent) and title, about
 * no device until pt_plugin_finding_about.  pttrace owns it: it stays valid
 * until pt_plugin_finding_add or until finish returns (one not added is
 * dropped).  NULL outside finish or when out of memory; the other
 * pt_plugin_finding_* functions do nothing with a NULL finding.
 */
struct pt_plugin_finding *pt_plugin_finding_new(struct pt_plugin_ctx *ctx,
						enum pt_plugin_severity severity,
						unsigned confidence, const char *title_fmt, ...)
	PT_PLUGIN_PRINTF(4, 5);
/* About the device at BDF and its register BAR+OFFSET (BAR -1: no one register). */
void pt_plugin_finding_about(struct pt_plugin_finding *f, uint16_t bdf, int bar, uint64_t offset);
/* Why it matters; what to try.  Each replaces the previous text. */
void pt_plugin_finding_why(struct pt_plugin_finding *f, const char *fmt, ...) PT_PLUGIN_PRINTF(2, 3);
void pt_plugin_finding_advice(struct pt_plugin_finding *f, const char *fmt, ...)
	PT_PLUGIN_PRINTF(2, 3);
/* How many events show it (0 when unsaid). */
void pt_plugin_finding_count(struct pt_plugin_finding *f, uint64_t events);
/*
 * Cites EV (an event the detector was given, or a copy of it) with a note
 * on what it shows; up to 8 per finding, more are ignored.
 */
void pt_plugin_finding_evidence(struct pt_plugin_finding *f, const struct pt_plugin_event *ev,
				const char *note_fmt, ...) PT_PLUGIN_PRINTF(3, 4);
/* Reports F, named after its detector; F is not valid after. */
void pt_plugin_finding_add(struct pt_plugin_finding *f);

/* ---- the plugin ---- */

struct pt_plugin {
	unsigned api_version;		/* PT_PLUGIN_API_VERSION */
	const char *name;
	const char *description;
	const struct pt_plugin_device *devices;	/* ends with a NULL name; may be NULL */
	const struct pt_plugin_detector *const *detectors;	/* ends with NULL; may be NULL */
};

const struct pt_plugin *pt_plugin_init(unsigned host_api);
void pt_plugin_exit(void);

#ifdef __cplusplus
}
#endif

#endif
