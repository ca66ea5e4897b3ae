# SPDX-License-Identifier: GPL-2.0-or-later
# Device plugins: the shipped ones, one built outside the tree from the
# installed header alone and loaded with --plugin-dir (its names and its
# detector used), the symbols pttrace exports to plugins, ones built for
# another API version or breaking the contract refused, --no-plugins; what
# root trusts (no PTTRACE_PLUGIN_DIR or ~/.local, no directory or file
# others can write or own), a plugin that crashes in its init or its
# constructor, and the commands that load none.
. "$(dirname "$0")/../lib.sh"
command -v cc > /dev/null || skip_all "needs a C compiler"
TRACE=samples/traces/lost-msi.dat

run "$PTTRACE" plugins
expect_rc 0 "plugins exits 0"
expect_out "^edu +$PWD/build/plugins/edu.so" "plugins lists edu and where it came from"
expect_out "^e1000e +.*e1000e.so" "plugins lists e1000e"
expect_out "^radeon +.*radeon.so" "plugins lists radeon (ati-vga)"
expect_out "1234:11e8 +edu, [0-9]+ registers" "plugins lists the devices a plugin describes"
expect_out "^config space: built in" "plugins says the config-space decoder is built in"

run "$PTTRACE" analyze "$TRACE"
expect_out "BAR0\+0x0008 FACTORIAL" "analyze names edu's registers"
expect_out "config\+0x42 MSI.CTRL .*\{ ENABLE \| MMC = 0x0 \| MME = 0x0 \| 64BIT \}" \
	"analyze decodes MSI control with the config-space decoder"

run "$PTTRACE" --no-plugins plugins
expect_out "^plugins are off \\(--no-plugins or PTTRACE_NO_PLUGINS\\)" "--no-plugins: none loaded"
run "$PTTRACE" --no-plugins analyze "$TRACE"
expect_rc 1 "--no-plugins: analyze runs (findings: exit 1)"
expect_out "BAR0\+0x0008 +gpa 0xfea00008" "--no-plugins: edu's register is shown by its offset alone"
expect_absent "FACTORIAL" "--no-plugins: edu's names are gone"
PTTRACE_NO_PLUGINS=1 run "$PTTRACE" analyze "$TRACE"
expect_rc 1 "PTTRACE_NO_PLUGINS=1: analyze runs"
expect_out "BAR0\+0x0008 +gpa 0xfea00008" "PTTRACE_NO_PLUGINS=1: the register by its offset alone"
expect_absent "FACTORIAL" "PTTRACE_NO_PLUGINS=1 does the same"

# A plugin of its own, outside the tree, built from what make install
# installs and nothing else: renames edu's registers, adds a detector.
run make -C "$TOP" --no-print-directory install DESTDIR="$T/inst" PREFIX=/usr
expect_rc 0 "make install DESTDIR=... PREFIX=/usr"
INC=$T/inst/usr/include
mkdir -p "$T/plugins" "$T/old"
cat > "$T/myedu.c" << 'C'
#include <stdio.h>
#include "pttrace-plugin.h"

static const struct pt_plugin_value mode_values[] = { { 1, "ONE" }, { 6, "SIX" }, { 0, NULL } };
static const struct pt_plugin_field fact_fields[] = {
	{ "MODE", 0, 3, mode_values }, { "BUSY", 31, 1, NULL }, { NULL, 0, 0, NULL },
};
static const struct pt_plugin_reg regs[] = {
	{ 0, 0x08, "MY_FACTORIAL", 4, 0, 0, fact_fields },
	{ 0, 0x80, "MY_DMA", 0x20, 0, 0, NULL },
	{ 0, 0, NULL, 0, 0, 0, NULL },
};
static const struct pt_plugin_device devices[] = {
	{ 0x1234, 0x11e8, 0, 0, "my edu", regs }, { 0, 0, 0, 0, NULL, NULL },
};

struct count {
	unsigned long long accesses;
	struct pt_plugin_event first, last;
	int wrong;		/* the event view disagrees with itself or the trace */
};

static void event(void *p, const struct pt_plugin_ctx *ctx, const struct pt_plugin_event *ev)
{
	struct count *c = p;
	uint16_t vendor = 0;

	if (!(ev->flags & PT_PLUGIN_EVF_REGISTER) || ev->bar != 0 || ev->offset != 8 ||
	    pt_plugin_device_ids(ctx, ev->bdf, &vendor, NULL, NULL) || vendor != 0x1234)
		return;
	c->wrong |= !(ev->flags & PT_PLUGIN_EVF_DEVICE) || ev->vendor != 0x1234 ||
		    ev->device != 0x11e8 || ev->bdf != 0x18 || ev->addr != 0xfea00008 ||
		    ev->size != 4 || ev->vcpu != 0 || pt_plugin_rel(ctx, ev->ts_ns) != 0 ||
		    ev->direction != (ev->kind == PT_PLUGIN_EV_MMIO_WRITE ? PT_PLUGIN_DIR_WRITE :
				      ev->kind == PT_PLUGIN_EV_MMIO_READ ? PT_PLUGIN_DIR_READ : 99);
	if (!c->accesses++)
		c->first = *ev;
	c->last = *ev;
}

static void finish(void *p, struct pt_plugin_ctx *ctx)
{
	struct count *c = p;
	struct pt_plugin_finding *f;
	char reg[64] = "?";

	if (!c->accesses)
		return;
	pt_plugin_reg_name(ctx, c->last.bdf, c->last.bar, c->last.offset, reg, sizeof(reg));
	f = pt_plugin_finding_new(ctx, PT_PLUGIN_SEV_LOW, 50,
				  "my detector saw %llu %s accesses to %s, the last %.3f s before %s",
				  c->accesses, pt_plugin_device_name(ctx, c->last.bdf), reg,
				  -pt_plugin_rel(ctx, c->last.ts_ns), pt_plugin_crash_point(ctx));
	pt_plugin_finding_about(f, c->last.bdf, c->last.bar, c->last.offset);
	pt_plugin_finding_why(f, "%s", c->wrong ? "the event view was wrong" : "the view held");
	pt_plugin_finding_advice(f, "compute fewer factorials");
	pt_plugin_finding_count(f, c->accesses);
	pt_plugin_finding_evidence(f, &c->first, "my first one");
	pt_plugin_finding_evidence(f, &c->last, "my last one");
	pt_plugin_finding_add(f);
	/* one never added is dropped when finish returns */
	pt_plugin_finding_new(ctx, PT_PLUGIN_SEV_CRITICAL, 100, "my finding never added");
}

static const struct pt_plugin_detector mine = {
	.size = sizeof(struct pt_plugin_detector), .name = "my-detector",
	.summary = "counts edu factorial accesses", .kinds = PT_PLUGIN_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct count), .event = event, .finish = finish,
};
static const struct pt_plugin_detector *const detectors[] = { &mine, NULL };
static const struct pt_plugin plugin = {
	PT_PLUGIN_API_VERSION, "myedu", "a test plugin", devices, detectors,
};
static int exited;

const struct pt_plugin *pt_plugin_init(unsigned host_api)
{
	(void)host_api;
	return &plugin;
}

void pt_plugin_exit(void)
{
	exited = 1;
}
C
sed -e 's/PT_PLUGIN_API_VERSION, "myedu"/PT_PLUGIN_API_VERSION + 1, "future"/' "$T/myedu.c" > "$T/future.c"
sed -e 's/PT_PLUGIN_API_VERSION, "myedu"/1, "old"/' "$T/myedu.c" > "$T/old.c"
sed -e 's/\.size = sizeof(struct pt_plugin_detector), //' "$T/myedu.c" > "$T/nosize.c"
printf 'int not_a_plugin(void) { return 0; }\n' > "$T/other.c"
printf 'void *pt_plugin_init(unsigned api) { (void)api; return 0; }\n' > "$T/null.c"
# the installed header alone, strict C99, no warning
cflags="-shared -fPIC -std=c99 -pedantic -Wall -Wextra -Werror -I$INC"
# shellcheck disable=SC2086
if (cd "$T" && cc $cflags myedu.c -o plugins/myedu.so && cc $cflags future.c -o old/future.so &&
	cc $cflags old.c -o old/old.so && cc $cflags nosize.c -o old/nosize.so &&
	cc $cflags other.c -o old/other.so && cc $cflags null.c -o old/null.so); then
	ok "an out-of-tree detector plugin builds against the installed pttrace-plugin.h alone"
else
	not_ok "an out-of-tree detector plugin builds against the installed pttrace-plugin.h alone"
fi
if command -v nm > /dev/null; then
	sed -n 's/.*[ *]\(pt_plugin_[a-z_]*\)(.*/\1/p' "$INC/pttrace-plugin.h" |
		grep -vx 'pt_plugin_init\|pt_plugin_exit' | sort -u > "$T/declared"
	nm -D --defined-only "$PTTRACE" | awk '$3 ~ /^pt_/ { print $3 }' | sort > "$T/exported"
	if [ -s "$T/declared" ] && cmp -s "$T/declared" "$T/exported"; then
		ok "pttrace exports the functions pttrace-plugin.h declares, and no other pt_ symbol"
	else
		not_ok "pttrace exports the functions pttrace-plugin.h declares, and no other pt_ symbol"
		diff "$T/declared" "$T/exported" | sed 's/^/#   /'
	fi
else
	skip "the exported symbols: needs nm"
fi

run "$PTTRACE" --plugin-dir "$T/plugins" plugins
expect_out "^myedu +$T/plugins/myedu.so" "plugins lists it, loaded from --plugin-dir"
expect_out "detector my-detector: counts edu factorial accesses" "plugins lists the detector it adds"
run "$PTTRACE" --plugin-dir "$T/plugins" analyze "$TRACE"
expect_out "BAR0\+0x0008 MY_FACTORIAL .*val 0x6 \{ MODE = SIX \}" \
	"its register names and value names are used (the later description wins)"
expect_out "^ *[0-9]+\. \[low, 50%\] my detector saw 303 my edu accesses to MY_FACTORIAL, the last 1\.004 s before the crash +\(my-detector\)$" \
	"its detector runs and reports, with what it asked of pttrace"
expect_out "why: the view held$" "its detector saw the events as they were"
expect_out "try: compute fewer factorials$" "its finding's advice"
expect_out "^ +-1\.004135 vcpu 0  mmio write  00:03\.0 BAR0\+0x0008 MY_FACTORIAL gpa 0xfea00008 len 4 val 0x6 \{ MODE = SIX \}  <- my last one$" \
	"its evidence is the events it kept, named and decoded"
expect_absent "never added" "a finding not added is dropped"
run "$PTTRACE" --plugin-dir "$T/plugins" analyze samples/traces/healthy.dat
expect_out "BAR0\+0x0088 MY_DMA\+0x8 " "an offset inside a register block prints as NAME+0x8"
run "$PTTRACE" analyze samples/traces/hang-reset.dat
expect_out "BAR2\+0x0010 BIOS_SCRATCH\[0\]" "a register array prints as NAME[i]"
expect_out "RBBM_SOFT_RESET gpa 0x[0-9a-f]+ len 4 val 0x7f \{ CP \| HI \| SE \| RE \| PP \| E2 \| RB \}" \
	"flags print as { A | B }"
run "$PTTRACE" --plugin-dir "$T/plugins" analyze --json "$TRACE"
expect_out '"register_name": "MY_FACTORIAL"' "the JSON report uses its names"
expect_out '"detector": "my-detector", "class": "context", "caused_by": null, "title": "my detector saw 303 my edu accesses' \
	"the JSON report has its detector's finding"
expect_out '"count": 303, ' "with the count it gave"
expect_out '"note": "my first one", "device": "00:03\.0", "register": "BAR0\+0x0008", "register_name": "MY_FACTORIAL"' \
	"and its evidence"

run "$PTTRACE" --plugin-dir="$T/old" plugins
expect_rc 0 "plugins runs past the refused plugins"
expect_err "pttrace: plugin '$T/old/future.so' is built for plugin API 3, pttrace has 2: refused" \
	"a plugin built for another API version is refused, with a message"
expect_err "pttrace: plugin '$T/old/old.so' is built for plugin API 1, pttrace has 2: refused \(rebuild it against this pttrace-plugin.h\)" \
	"a plugin built for the old API (internal structs) is refused, with a message"
expect_err "pttrace: plugin '$T/old/nosize.so' refused: its detector 0 has .size 0, not sizeof\(struct pt_plugin_detector\) \([0-9]+\)" \
	"a detector without its .size is refused, with a message"
expect_err "'$T/old/other.so' is not a pttrace plugin: no pt_plugin_init" \
	"a shared object without pt_plugin_init is refused, with a message"
expect_err "plugin '$T/old/null.so': its pt_plugin_init returned NULL: not loaded" \
	"a NULL from init is said as such, not as another API version"
expect_out "^edu +" "the plugins that load are listed"
expect_absent "future|old|nosize|my-detector" "the refused plugins are not listed"

# a plugin that crashes in pt_plugin_init, and one that crashes in its constructor
mkdir -p "$T/crash"
cat > "$T/crashinit.c" <<'C'
#include <stddef.h>
void *pt_plugin_init(unsigned api) { volatile int *p = NULL; (void)api; return (void *)(long)*p; }
C
cat > "$T/crashctor.c" <<'C'
#include <stdlib.h>
__attribute__((constructor)) static void boom(void) { abort(); }
void *pt_plugin_init(unsigned api) { (void)api; return 0; }
C
# shellcheck disable=SC2086
cc $cflags "$T/crashinit.c" -o "$T/crash/a-crashinit.so" && cc $cflags "$T/crashctor.c" -o "$T/crash/b-crashctor.so" &&
	cp "$T/plugins/myedu.so" "$T/crash/c-myedu.so"
run "$PTTRACE" --plugin-dir "$T/crash" plugins
expect_rc 0 "a plugin crashing in its init: plugins still runs"
expect_err "^pttrace: plugin '$T/crash/a-crashinit.so' crashed in pt_plugin_init \(Segmentation fault\): not loaded; remove it, or run pttrace --no-plugins$" \
	"the plugin that crashed in pt_plugin_init is named"
expect_err "^pttrace: plugin '$T/crash/b-crashctor.so' crashed in its constructor \(Aborted\): not loaded" \
	"the plugin that crashed in its constructor is named"
expect_out "^myedu +$T/crash/c-myedu.so" "the plugins after it still load"
run "$PTTRACE" --plugin-dir "$T/crash" analyze "$TRACE"
expect_rc 1 "analyze runs past the crashing plugins (findings: exit 1)"
expect_out "MY_FACTORIAL" "and uses the good one"
for cmd in help version "record --help" vms; do
	# shellcheck disable=SC2086
	run "$PTTRACE" --plugin-dir "$T/crash" $cmd
	if [ "$rc" = 0 ] && [ -s "$T/out" ] && ! grep -q "crashed" "$T/err"; then
		ok "'$cmd' loads no plugin"
	else
		not_ok "'$cmd' loads no plugin (exit $rc)"
		diag "$T/err"
	fi
done
run "$PTTRACE" --no-plugins --plugin-dir "$T/crash" analyze "$TRACE"
expect_rc 1 "--no-plugins with a crashing plugin: analyze runs"
[ "$rc" -le 1 ] && [ -s "$T/out" ] && [ ! -s "$T/err" ] && ok "--no-plugins: nothing loaded, nothing said" ||
	not_ok "--no-plugins: nothing loaded, nothing said"

# what root trusts
if [ "$(id -u)" = 0 ]; then
	PTTRACE_PLUGIN_DIR=$T/plugins run "$PTTRACE" plugins
	expect_err "^pttrace: PTTRACE_PLUGIN_DIR is ignored as root: give pttrace --plugin-dir '$T/plugins' to load it$" \
		"as root, PTTRACE_PLUGIN_DIR is ignored, and said"
	expect_absent myedu "as root, nothing is loaded from PTTRACE_PLUGIN_DIR"
	mkdir -p "$T/home/.local/lib/pttrace/plugins"
	cp "$T/plugins/myedu.so" "$T/home/.local/lib/pttrace/plugins/"
	HOME=$T/home run "$PTTRACE" plugins
	expect_absent myedu "as root, ~/.local/lib/pttrace/plugins is ignored"
	mkdir -p "$T/ww" "$T/gw" "$T/other"
	cp "$T/plugins/myedu.so" "$T/ww/" && chmod 0777 "$T/ww"
	run "$PTTRACE" --plugin-dir "$T/ww" plugins
	expect_err "^pttrace: plugin directory '$T/ww' refused: '$T/ww' is writable by everyone \(plugins run as root; chown root, chmod go-w\)$" \
		"a world-writable plugin directory is refused"
	cp "$T/plugins/myedu.so" "$T/gw/" && chmod 0664 "$T/gw/myedu.so"
	run "$PTTRACE" --plugin-dir "$T/gw" plugins
	expect_err "^pttrace: plugin '$T/gw/myedu.so' refused: writable by others than its owner$" \
		"a group-writable plugin file is refused"
	cp "$T/plugins/myedu.so" "$T/other/" && chown nobody "$T/other/myedu.so"
	run "$PTTRACE" --plugin-dir "$T/other" plugins
	expect_err "^pttrace: plugin '$T/other/myedu.so' refused: owned by another user$" \
		"a plugin file owned by another user is refused"
	ln -s "$T/plugins/myedu.so" "$T/other/link.so"
	run "$PTTRACE" --plugin-dir "$T/other" plugins
	expect_err "cannot load plugin '$T/other/link.so': Too many levels of symbolic links" \
		"a symlinked plugin file is refused (its target is not what was checked)"
	# a directory under one that others can write: replaceable from above
	mkdir -p "$T/open/sub" && chmod 0777 "$T/open" && cp "$T/plugins/myedu.so" "$T/open/sub/"
	run "$PTTRACE" --plugin-dir "$T/open/sub" plugins
	expect_err "refused: '$T/open' is writable by everyone" "a plugin directory below a writable one is refused"
	# a user runs plugins from their own directory
	if command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
		U=$(mktemp -d /tmp/pttrace-user.XXXXXX)
		chmod 0755 "$U"
		mkdir "$U/p" && cp "$T/plugins/myedu.so" "$U/p/" && cp "$PTTRACE" "$U/pttrace" && chown -R nobody "$U/p"
		cp "$TRACE" "$U/t.dat" && chmod 0644 "$U/t.dat"
		out=$(cd "$U" && PTTRACE_PLUGIN_DIR=$U/p HOME=$U setpriv --reuid=nobody --regid=nogroup --clear-groups \
			./pttrace plugins 2>&1)
		echo "$out" | grep -q "^myedu *$U/p/myedu.so" && ok "a user's own PTTRACE_PLUGIN_DIR is loaded for that user" ||
			{ not_ok "a user's own PTTRACE_PLUGIN_DIR is loaded for that user"; echo "$out" | sed 's/^/#   /' | head -5; }
		rm -rf "$U"
	else
		skip "needs setpriv and the user nobody"
	fi
else
	skip "root's plugin trust: needs root"
fi
