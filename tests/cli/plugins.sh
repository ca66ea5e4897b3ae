# Device plugins: the shipped ones, one built outside the tree and loaded
# with --plugin-dir (its names and its detector used), one built for
# another API version refused, --no-plugins; what root trusts (no
# PTTRACE_PLUGIN_DIR or ~/.local, no directory or file others can write or
# own), a plugin that crashes in its init or its constructor, and the
# commands that load none.
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
grep -q "FACTORIAL" "$T/out" && not_ok "--no-plugins: edu's names are gone" ||
	ok "--no-plugins: edu's names are gone"
PTTRACE_NO_PLUGINS=1 run "$PTTRACE" analyze "$TRACE"
grep -q "FACTORIAL" "$T/out" && not_ok "PTTRACE_NO_PLUGINS=1 does the same" ||
	ok "PTTRACE_NO_PLUGINS=1 does the same"

# a plugin of its own, outside the tree: renames edu's registers, adds a detector
mkdir -p "$T/plugins" "$T/old"
cat > "$T/myedu.c" << 'C'
#include <stdio.h>
#include "pttrace-plugin.h"
#include "detector.h"

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

struct count { unsigned long long writes; struct pt_event last; struct pt_access acc; };

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct count *c = p;

	(void)a;
	if (acc->dev && acc->dev->vendor == 0x1234 && acc->type == PT_ACC_BAR && acc->off == 8) {
		c->writes++;
		c->last = *ev;
		c->acc = *acc;
	}
}

static void finish(void *p, struct pt_analysis *a)
{
	struct count *c = p;
	struct pt_finding f;

	if (!c->writes)
		return;
	pt_finding_init(&f, "my-detector", c->acc.dev, c->acc.bar, c->acc.off);
	snprintf(f.title, sizeof(f.title), "my detector saw %llu factorial accesses", c->writes);
	f.severity = PT_SEV_LOW;
	f.confidence = 50;
	pt_finding_evidence(&f, &c->last, &c->acc, "the last one");
	pt_finding_add(a, &f);
}

static const struct pt_detector mine = {
	.name = "my-detector", .summary = "counts edu factorial accesses",
	.kinds = PT_KINDS_DEVICE_ACCESS, .state_size = sizeof(struct count),
	.event = event, .finish = finish,
};
static const struct pt_detector *const detectors[] = { &mine, NULL };
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
printf 'int not_a_plugin(void) { return 0; }\n' > "$T/other.c"
printf 'void *pt_plugin_init(unsigned api) { (void)api; return 0; }\n' > "$T/null.c"
cflags="-shared -fPIC -Iinclude -Ianalyzer $(pkg-config --cflags libtraceevent libtracecmd 2> /dev/null)"
# shellcheck disable=SC2086
if cc $cflags "$T/myedu.c" -o "$T/plugins/myedu.so" &&
	cc $cflags "$T/future.c" -o "$T/old/future.so" &&
	cc $cflags "$T/other.c" -o "$T/old/other.so" &&
	cc $cflags "$T/null.c" -o "$T/old/null.so"; then
	ok "an out-of-tree plugin builds against pttrace-plugin.h"
else
	not_ok "an out-of-tree plugin builds against pttrace-plugin.h"
fi

run "$PTTRACE" --plugin-dir "$T/plugins" plugins
expect_out "^myedu +$T/plugins/myedu.so" "plugins lists it, loaded from --plugin-dir"
expect_out "detector my-detector: counts edu factorial accesses" "plugins lists the detector it adds"
run "$PTTRACE" --plugin-dir "$T/plugins" analyze "$TRACE"
expect_out "BAR0\+0x0008 MY_FACTORIAL .*val 0x6 \{ MODE = SIX \}" \
	"its register names and value names are used (the later description wins)"
expect_out "\(my-detector\)" "its detector runs and reports"
run "$PTTRACE" --plugin-dir "$T/plugins" analyze samples/traces/healthy.dat
expect_out "BAR0\+0x0088 MY_DMA\+0x8 " "an offset inside a register block prints as NAME+0x8"
run "$PTTRACE" analyze samples/traces/hang-reset.dat
expect_out "BAR2\+0x0010 BIOS_SCRATCH\[0\]" "a register array prints as NAME[i]"
expect_out "RBBM_SOFT_RESET gpa 0x[0-9a-f]+ len 4 val 0x7f \{ CP \| HI \| SE \| RE \| PP \| E2 \| RB \}" \
	"flags print as { A | B }"
run "$PTTRACE" --plugin-dir "$T/plugins" analyze --json "$TRACE"
expect_out '"register_name": "MY_FACTORIAL"' "the JSON report uses its names"

run "$PTTRACE" --plugin-dir="$T/old" plugins
expect_err "pttrace: plugin '$T/old/future.so' is built for plugin API 2, pttrace has 1: refused" \
	"a plugin built for another API version is refused, with a message"
expect_err "'$T/old/other.so' is not a pttrace plugin: no pt_plugin_init" \
	"a shared object without pt_plugin_init is refused, with a message"
expect_err "plugin '$T/old/null.so': its pt_plugin_init returned NULL: not loaded" \
	"a NULL from init is said as such, not as another API version"
grep -q "future" "$T/out" && not_ok "the refused plugin is not listed" ||
	ok "the refused plugin is not listed"

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
	if grep -q "crashed" "$T/err"; then not_ok "'$cmd' loads no plugin"; else ok "'$cmd' loads no plugin"; fi
done
run "$PTTRACE" --no-plugins --plugin-dir "$T/crash" analyze "$TRACE"
expect_rc 1 "--no-plugins with a crashing plugin: analyze runs"
[ -s "$T/err" ] && not_ok "--no-plugins: nothing loaded, nothing said" || ok "--no-plugins: nothing loaded, nothing said"

# what root trusts
if [ "$(id -u)" = 0 ]; then
	PTTRACE_PLUGIN_DIR=$T/plugins run "$PTTRACE" plugins
	expect_err "^pttrace: PTTRACE_PLUGIN_DIR is ignored as root: give pttrace --plugin-dir '$T/plugins' to load it$" \
		"as root, PTTRACE_PLUGIN_DIR is ignored, and said"
	grep -q myedu "$T/out" && not_ok "as root, nothing is loaded from PTTRACE_PLUGIN_DIR" ||
		ok "as root, nothing is loaded from PTTRACE_PLUGIN_DIR"
	mkdir -p "$T/home/.local/lib/pttrace/plugins"
	cp "$T/plugins/myedu.so" "$T/home/.local/lib/pttrace/plugins/"
	HOME=$T/home run "$PTTRACE" plugins
	grep -q myedu "$T/out" && not_ok "as root, ~/.local/lib/pttrace/plugins is ignored" ||
		ok "as root, ~/.local/lib/pttrace/plugins is ignored"
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
