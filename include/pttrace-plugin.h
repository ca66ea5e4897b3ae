/*
 * pttrace's plugin ABI.  A plugin is a shared object that describes PCI
 * devices (register names per BAR offset, bitfields and value names) and
 * may add detectors to the analyzer.
 *
 * The contract:
 *  - it exports  const struct pt_plugin *pt_plugin_init(unsigned host_api);
 *    (required) returning its description with .api_version set to the
 *    PT_PLUGIN_API_VERSION it was built against; pttrace refuses a plugin
 *    whose version differs from its own, with a message saying both;
 *  - it may export  void pt_plugin_exit(void);  called before dlclose;
 *  - everything it returns stays valid until pt_plugin_exit.
 *
 * pttrace looks for *.so in the installed plugin directory, then in
 * $PTTRACE_PLUGIN_DIR, then in ~/.local/lib/pttrace/plugins; a device
 * described twice takes the later description.  `pttrace --no-plugins`
 * (or PTTRACE_NO_PLUGINS=1) loads none; `pttrace plugins` lists them.
 *
 * Build one with:  cc -shared -fPIC -I/usr/local/include myplugin.c -o myplugin.so
 */
#ifndef PTTRACE_PLUGIN_H
#define PTTRACE_PLUGIN_H

#include <stdint.h>

#define PT_PLUGIN_API_VERSION 1

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

struct pt_detector;			/* analyzer/detector.h, for plugins that add detectors */

struct pt_plugin {
	unsigned api_version;		/* PT_PLUGIN_API_VERSION */
	const char *name;
	const char *description;
	const struct pt_plugin_device *devices;	/* ends with a NULL name */
	const struct pt_detector *const *detectors;	/* ends with NULL; may be NULL */
};

const struct pt_plugin *pt_plugin_init(unsigned host_api);
void pt_plugin_exit(void);

#endif
