// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host side of plugins (pttrace-plugin.h): loading them, and naming
 * registers and decoding values with what they describe, plus the PCI
 * config-space decoder every device gets.  That one is built in, not a
 * plugin file: capabilities sit at offsets each device chooses, which only
 * the device model knows, so no static register table can name them.
 */
#ifndef PT_PLUGINS_H
#define PT_PLUGINS_H

#include <limits.h>
#include "pt-model.h"
#include "pttrace-plugin.h"

struct pt_loaded_plugin {
	char path[PATH_MAX];
	const struct pt_plugin *plugin;
	void *handle;
};

/*
 * Loads the plugins of BUILTIN_DIR (may be NULL) and DIRS (--plugin-dir,
 * NULL-terminated; may be NULL), then, unless running as root,
 * $PTTRACE_PLUGIN_DIR and ~/.local/lib/pttrace/plugins, once per process.
 * Only directories and files owned by root or the user and writable by
 * nobody else are used; NOTE hears each plugin or directory refused, and
 * each plugin that crashed in its init, with why.  Nothing when plugins
 * are disabled.
 */
void pt_plugins_load(const char *builtin_dir, const char *const *dirs,
		     void (*note)(void *ctx, const char *msg), void *ctx);
void pt_plugins_unload(void);
void pt_plugins_disable(void);
int pt_plugins_disabled(void);
unsigned pt_plugins_list(const struct pt_loaded_plugin **list);

/* The description a plugin gives of D, or NULL. */
const struct pt_plugin_device *pt_plugin_device_of(const struct pt_device *d);

/* "CP_RB_RPTR", "SCRATCH_REG[3]", "MSIX_TABLE+0x4", "PM.PMCSR"; 0, or -1 when unnamed. */
int pt_reg_name(const struct pt_device *d, int bar, uint64_t off, char *buf, size_t size);
/* "BAR2+0x0710 CP_RB_RPTR", or "BAR2+0x0710" when unnamed. */
void pt_reg_label(const struct pt_device *d, int bar, uint64_t off, char *buf, size_t size);
/* "{ GUI_ACTIVE | FIFO = 0x40 }"; 0, or -1 when the register has no fields. */
int pt_reg_value_str(const struct pt_device *d, int bar, uint64_t off, uint64_t val, char *buf,
		     size_t size);

#endif
