// SPDX-License-Identifier: GPL-2.0-or-later
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
