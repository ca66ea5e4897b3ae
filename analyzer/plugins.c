#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detector.h"
#include "pt-plugins.h"

#define MAX_PLUGINS 64

static struct pt_loaded_plugin plugins[MAX_PLUGINS];
/*
 * Each is loaded as /proc/self/fd/N and that descriptor stays open while it
 * is: the dynamic loader knows objects by name, and a reused N would give
 * the second plugin the first one's handle.
 */
static int plugin_fds[MAX_PLUGINS];
static unsigned nplugins;
static int loaded, disabled;

void pt_plugins_disable(void)
{
	disabled = 1;
}

int pt_plugins_disabled(void)
{
	const char *env = getenv("PTTRACE_NO_PLUGINS");

	return disabled || (env && *env && strcmp(env, "0"));
}

static int so_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 3 && !strcmp(de->d_name + n - 3, ".so");
}

static void say(void (*note)(void *, const char *), void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(void (*note)(void *, const char *), void *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note(ctx, msg);
}

/*
 * Is PATH (a directory, or a file with its directory) safe to run code from
 * for this user?  Owned by root or the user, writable by nobody else, and
 * so is every directory above it (a world-writable sticky one, like /tmp,
 * lets nobody replace what root made in it).  WHY says what is wrong.
 */
static int trusted_dir(const char *dir, char *why, size_t size)
{
	char real[PATH_MAX], *slash;
	uid_t me = geteuid();

	if (!realpath(dir, real))
		return snprintf(why, size, "%s", strerror(errno)), 0;
	for (;;) {
		struct stat st;

		if (stat(real[0] ? real : "/", &st))
			return snprintf(why, size, "%s", strerror(errno)), 0;
		if (st.st_uid != 0 && st.st_uid != me)
			return snprintf(why, size, "'%s' is owned by uid %u", real[0] ? real : "/",
					(unsigned)st.st_uid), 0;
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
			return snprintf(why, size, "'%s' is writable by %s", real[0] ? real : "/",
					st.st_mode & S_IWOTH ? "everyone" : "its group"), 0;
		slash = strrchr(real, '/');
		if (!slash || !real[0])
			return 1;
		*slash = 0;
	}
}

/*
 * A plugin that crashes in its constructor or pt_plugin_init is named and
 * left out, not allowed to take the command down without a word.  Nothing
 * of it is called again (nor is it unloaded: its state is unknown).
 */
static sigjmp_buf init_jmp;
static volatile sig_atomic_t init_sig;

static void on_init_crash(int sig)
{
	init_sig = sig;
	siglongjmp(init_jmp, 1);
}

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static void guard(int on, struct sigaction *saved)
{
	struct sigaction sa = { .sa_handler = on_init_crash, .sa_flags = SA_NODEFER };

	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++) {
		if (on)
			sigaction(crash_signals[i], &sa, &saved[i]);
		else
			sigaction(crash_signals[i], &saved[i], NULL);
	}
}

static void load_one(const char *path, void (*note)(void *, const char *), void *ctx)
{
	typedef const struct pt_plugin *(*init_fn)(unsigned);
	init_fn volatile init = NULL;
	struct sigaction saved[sizeof(crash_signals) / sizeof(crash_signals[0])];
	const struct pt_plugin *volatile p = NULL;
	void *volatile h = NULL;
	char self[64], why[160] = "";
	struct stat st;
	int fd;

	if (nplugins == MAX_PLUGINS)
		return;
	/* checked and loaded through one descriptor: what was checked is what runs */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		say(note, ctx, "cannot load plugin '%s': %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		say(note, ctx, "plugin '%s' refused: %s", path,
		    !S_ISREG(st.st_mode) ? "not a regular file" :
		    st.st_uid != 0 && st.st_uid != geteuid() ? "owned by another user" :
		    "writable by others than its owner");
		close(fd);
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	init_sig = 0;
	guard(1, saved);
	if (!sigsetjmp(init_jmp, 1)) {
		void *sym;
		init_fn fn;

		h = dlopen(self, RTLD_NOW | RTLD_LOCAL);
		sym = h ? dlsym(h, "pt_plugin_init") : NULL;
		memcpy(&fn, &sym, sizeof(fn));
		init = fn;
		if (init)
			p = init(PT_PLUGIN_API_VERSION);
	}
	guard(0, saved);
	if (init_sig) {
		say(note, ctx, "plugin '%s' crashed in %s (%s): not loaded; remove it, or run "
		    "pttrace --no-plugins", path, h ? "pt_plugin_init" : "its constructor",
		    strsignal(init_sig));
		return;
	}
	if (!h) {
		say(note, ctx, "cannot load plugin '%s': %s", path, dlerror());
		close(fd);
		return;
	}
	if (!init)
		say(note, ctx, "'%s' is not a pttrace plugin: no pt_plugin_init", path);
	else if (!p)
		/* the plugin's own refusal (it checked the version, or failed to set up) */
		say(note, ctx, "plugin '%s': its pt_plugin_init returned NULL: not loaded", path);
	else if (p->api_version != PT_PLUGIN_API_VERSION)
		say(note, ctx, "plugin '%s' is built for plugin API %u, pttrace has %u: refused "
		    "(rebuild it against this pttrace-plugin.h)", path, p->api_version,
		    PT_PLUGIN_API_VERSION);
	else if (pt_plugin_detectors_check(p, why, sizeof(why)))
		say(note, ctx, "plugin '%s' refused: %s", path, why);
	if (!init || !p || p->api_version != PT_PLUGIN_API_VERSION || why[0]) {
		dlclose(h);
		close(fd);
		return;
	}
	plugin_fds[nplugins] = fd;
	snprintf(plugins[nplugins].path, sizeof(plugins[0].path), "%s", path);
	plugins[nplugins].plugin = p;
	plugins[nplugins++].handle = h;
}

static void load_dir(const char *dir, int quiet_missing, void (*note)(void *, const char *),
		     void *ctx)
{
	struct dirent **names;
	char why[PATH_MAX + 64];
	int n;

	if (access(dir, F_OK)) {
		if (!quiet_missing)
			say(note, ctx, "cannot read plugin directory '%s': %s", dir, strerror(errno));
		return;
	}
	if (!trusted_dir(dir, why, sizeof(why))) {
		say(note, ctx, "plugin directory '%s' refused: %s (plugins run as %s; chown root, "
		    "chmod go-w)", dir, why, geteuid() ? "you" : "root");
		return;
	}
	n = scandir(dir, &names, so_filter, alphasort);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path))
			load_one(path, note, ctx);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

void pt_plugins_load(const char *builtin_dir, const char *const *dirs,
		     void (*note)(void *, const char *), void *ctx)
{
	const char *env = getenv("PTTRACE_PLUGIN_DIR"), *home = getenv("HOME");
	char path[PATH_MAX];

	if (loaded || pt_plugins_disabled())
		return;
	loaded = 1;
	if (builtin_dir)
		load_dir(builtin_dir, 1, note, ctx);
	for (const char *const *d = dirs; d && *d; d++)
		load_dir(*d, 0, note, ctx);
	/*
	 * Root (pttrace record, a sudo'ed analyze) does not run code from
	 * places the environment names: a user's HOME or PTTRACE_PLUGIN_DIR
	 * under sudo -E would be a way to root.
	 */
	if (!geteuid()) {
		if (env && *env)
			say(note, ctx, "PTTRACE_PLUGIN_DIR is ignored as root: give pttrace "
			    "--plugin-dir '%s' to load it", env);
		return;
	}
	if (env && *env)
		load_dir(env, 0, note, ctx);
	if (home && *home && snprintf(path, sizeof(path), "%s/.local/lib/pttrace/plugins", home) <
	    (int)sizeof(path))
		load_dir(path, 1, note, ctx);
}

void pt_plugins_unload(void)
{
	for (unsigned i = 0; i < nplugins; i++) {
		void (*fini)(void);

		*(void **)&fini = dlsym(plugins[i].handle, "pt_plugin_exit");
		if (fini)
			fini();
		dlclose(plugins[i].handle);
		close(plugin_fds[i]);
	}
	nplugins = 0;
	loaded = 0;
}

unsigned pt_plugins_list(const struct pt_loaded_plugin **list)
{
	*list = plugins;
	return nplugins;
}

static int dev_matches(const struct pt_plugin_device *pd, const struct pt_device *d)
{
	return (pd->vendor == PT_PLUGIN_ANY || pd->vendor == d->vendor) &&
	       (pd->device == PT_PLUGIN_ANY || pd->device == d->device) &&
	       (!pd->class_mask || (d->class_code & pd->class_mask) == pd->class_code);
}

/* How exactly PD names D: an exact id beats a vendor beats a class. */
static int specificity(const struct pt_plugin_device *pd)
{
	return (pd->vendor != PT_PLUGIN_ANY) * 2 + (pd->device != PT_PLUGIN_ANY) * 4 + !!pd->class_mask;
}

const struct pt_plugin_device *pt_plugin_device_of(const struct pt_device *d)
{
	const struct pt_plugin_device *best = NULL;

	if (!d || !d->vendor)
		return NULL;
	/* later plugins override earlier ones at equal specificity */
	for (unsigned i = 0; i < nplugins; i++)
		for (const struct pt_plugin_device *pd = plugins[i].plugin->devices; pd && pd->name; pd++)
			if (dev_matches(pd, d) && (!best || specificity(pd) >= specificity(best)))
				best = pd;
	return best;
}

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

/* ---- config space: the standard header and the capabilities pttrace tracks ---- */

static const struct pt_plugin_value pm_states[] = {
	{ 0, "D0" }, { 1, "D1" }, { 2, "D2" }, { 3, "D3hot" }, { 0, NULL },
};

static const struct pt_plugin_field command_fields[] = {
	{ "IO", 0, 1, NULL }, { "MEMORY", 1, 1, NULL }, { "MASTER", 2, 1, NULL },
	{ "SERR", 8, 1, NULL }, { "INTX_DISABLE", 10, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field pmcsr_fields[] = {
	{ "POWER_STATE", 0, 2, pm_states }, { "NO_SOFT_RESET", 3, 1, NULL },
	{ "PME_EN", 8, 1, NULL }, { "PME_STATUS", 15, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field msi_ctrl_fields[] = {
	{ "ENABLE", 0, 1, NULL }, { "MMC", 1, 3, NULL }, { "MME", 4, 3, NULL },
	{ "64BIT", 7, 1, NULL }, { "MASKABLE", 8, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field msix_ctrl_fields[] = {
	{ "TABLE_SIZE", 0, 11, NULL }, { "FUNCTION_MASK", 14, 1, NULL }, { "ENABLE", 15, 1, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct pt_plugin_field devctl_fields[] = {
	{ "CERE", 0, 1, NULL }, { "NFERE", 1, 1, NULL }, { "FERE", 2, 1, NULL }, { "URRE", 3, 1, NULL },
	{ "MPS", 5, 3, NULL }, { "MRRS", 12, 3, NULL }, { "INITIATE_FLR", 15, 1, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct pt_plugin_field lnkctl_fields[] = {
	{ "ASPM", 0, 2, NULL }, { "LINK_DISABLE", 4, 1, NULL }, { "RETRAIN", 5, 1, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct pt_plugin_field bridge_ctl_fields[] = {
	{ "SECONDARY_BUS_RESET", 6, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_reg header[] = {
	{ PT_PLUGIN_BAR_CONFIG, 0x00, "VENDOR_ID", 2, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x02, "DEVICE_ID", 2, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x04, "COMMAND", 2, 0, 0, command_fields },
	{ PT_PLUGIN_BAR_CONFIG, 0x06, "STATUS", 2, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x08, "REVISION_ID", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x09, "PROG_IF", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x0a, "CLASS", 2, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x0c, "CACHE_LINE", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x0d, "LATENCY", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x0e, "HEADER_TYPE", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x0f, "BIST", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x10, "BAR", 4, 6, 4, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x2c, "SUBSYSTEM", 4, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x30, "ROM_BAR", 4, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x34, "CAP_PTR", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x3c, "INTERRUPT_LINE", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x3d, "INTERRUPT_PIN", 1, 0, 0, NULL },
	{ 0, 0, NULL, 0, 0, 0, NULL },
};

static const struct pt_plugin_reg bridge_header[] = {
	{ PT_PLUGIN_BAR_CONFIG, 0x18, "PRIMARY_BUS", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x19, "SECONDARY_BUS", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x1a, "SUBORDINATE_BUS", 1, 0, 0, NULL },
	{ PT_PLUGIN_BAR_CONFIG, 0x3e, "BRIDGE_CONTROL", 2, 0, 0, bridge_ctl_fields },
	{ 0, 0, NULL, 0, 0, 0, NULL },
};

struct cap_reg {
	unsigned off, size;
	const char *name;
	const struct pt_plugin_field *fields;
};

static const struct cap_reg pm_regs[] = {
	{ 0, 2, "PM.ID", NULL }, { 2, 2, "PM.PMC", NULL }, { 4, 2, "PM.PMCSR", pmcsr_fields },
	{ 0, 0, NULL, NULL },
};

static const struct cap_reg pcie_regs[] = {
	{ 0, 2, "PCIE.ID", NULL }, { 2, 2, "PCIE.CAP", NULL }, { 4, 4, "PCIE.DEVCAP", NULL },
	{ 8, 2, "PCIE.DEVCTL", devctl_fields }, { 10, 2, "PCIE.DEVSTA", NULL },
	{ 12, 4, "PCIE.LNKCAP", NULL }, { 16, 2, "PCIE.LNKCTL", lnkctl_fields },
	{ 18, 2, "PCIE.LNKSTA", NULL }, { 0, 0, NULL, NULL },
};

static const struct cap_reg msix_regs[] = {
	{ 0, 2, "MSIX.ID", NULL }, { 2, 2, "MSIX.CTRL", msix_ctrl_fields },
	{ 4, 4, "MSIX.TABLE", NULL }, { 8, 4, "MSIX.PBA", NULL }, { 0, 0, NULL, NULL },
};

/* MSI's layout depends on its 64-bit and maskable bits */
static const struct cap_reg *msi_regs(const struct pt_device *d)
{
	static const struct cap_reg r32[] = {
		{ 0, 2, "MSI.ID", NULL }, { 2, 2, "MSI.CTRL", msi_ctrl_fields },
		{ 4, 4, "MSI.ADDR", NULL }, { 8, 2, "MSI.DATA", NULL }, { 12, 4, "MSI.MASK", NULL },
		{ 16, 4, "MSI.PENDING", NULL }, { 0, 0, NULL, NULL },
	};
	static const struct cap_reg r64[] = {
		{ 0, 2, "MSI.ID", NULL }, { 2, 2, "MSI.CTRL", msi_ctrl_fields },
		{ 4, 4, "MSI.ADDR_LO", NULL }, { 8, 4, "MSI.ADDR_HI", NULL }, { 12, 2, "MSI.DATA", NULL },
		{ 16, 4, "MSI.MASK", NULL }, { 20, 4, "MSI.PENDING", NULL }, { 0, 0, NULL, NULL },
	};
	uint32_t ctrl;

	return !pt_cfg_read(d, d->msi_cap + 2, 2, &ctrl) && (ctrl & 0x80) ? r64 : r32;
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
		bridge = (d->header_type & 0x7f) == 1;
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
