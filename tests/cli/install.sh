# SPDX-License-Identifier: GPL-2.0-or-later
# make, then make install under another PREFIX than the build's, into a
# DESTDIR: each thing installed is checked from the DESTDIR tree (the
# binary finds its plugins and lab guest there, an out-of-tree plugin
# builds with pkg-config, the man pages render, the completion loads), and
# make uninstall removes it all.
. "$(dirname "$0")/../lib.sh"

run make -C "$TOP" --no-print-directory
expect_rc 0 "make (the default PREFIX)"
run make -C "$TOP" --no-print-directory install DESTDIR="$T/d" PREFIX=/opt/x
expect_rc 0 "make install DESTDIR=... PREFIX=/opt/x"
D=$T/d/opt/x
unset PTTRACE_LAB_GUEST PTTRACE_PLUGIN_DIR PTTRACE_NO_PLUGINS

# has FILE DESC: ok when DESTDIR/PREFIX/FILE is a file
has() {
	[ -f "$D/$1" ] && ok "$2: $1" || not_ok "$2: $1 is missing"
}

[ -x "$D/bin/pttrace" ] && ok "the binary in bin" || not_ok "the binary in bin"
run "$D/bin/pttrace" --version
expect_out "^pttrace version " "the installed binary runs"

has lib/pttrace/plugins/edu.so "the plugins"
HOME=$T run "$D/bin/pttrace" plugins
expect_out "^edu +$D/lib/pttrace/plugins/edu.so" "the installed binary loads the installed plugins"

has share/pttrace/lab/pttrace-lab.elf "the lab guest"
run "$D/bin/pttrace" lab run healthy --dry-run
expect_out " -kernel $D/share/pttrace/lab/pttrace-lab.elf " \
	"the installed binary runs the installed lab guest, not the build's PREFIX's"

has include/pttrace-plugin.h "the plugin ABI header"
head -3 "$D/include/pttrace-plugin.h" | grep -q "SPDX-License-Identifier: LGPL-2.1-or-later" &&
	ok "the header is LGPL-2.1-or-later" || not_ok "the header is LGPL-2.1-or-later"

# pkg-config: the flags and the plugin directory, moved with the tree by
# --define-prefix, and a plugin built outside the tree with them alone
has share/pkgconfig/pttrace-plugin.pc "pkg-config's file"
export PKG_CONFIG_PATH=$D/share/pkgconfig
run pkg-config --define-prefix --cflags pttrace-plugin
expect_out "^-I$D/include *$" "pkg-config --cflags points at the installed header"
run pkg-config --define-prefix --variable=plugindir pttrace-plugin
expect_out "^$D/lib/pttrace/plugins$" "pkg-config --variable=plugindir"
run pkg-config --variable=plugindir pttrace-plugin
expect_out "^/opt/x/lib/pttrace/plugins$" "plugindir is PREFIX's"
run pkg-config --modversion pttrace-plugin
expect_out "^$("$D/bin/pttrace" --version | cut -d' ' -f3)$" "the .pc's version is pttrace's"
cat > "$T/mine.c" << 'C'
#include <pttrace-plugin.h>

static const struct pt_plugin_reg regs[] = {
	{ 0, 0x00, "MY_ID", 4, 0, 0, NULL }, { 0, 0, NULL, 0, 0, 0, NULL },
};
static const struct pt_plugin_device devices[] = {
	{ 0x1af4, 0x7777, 0, 0, "my device", regs }, { 0, 0, 0, 0, NULL, NULL },
};
static const struct pt_plugin plugin = { PT_PLUGIN_API_VERSION, "mine", "a test plugin", devices, NULL };

const struct pt_plugin *pt_plugin_init(unsigned host_api)
{
	(void)host_api;
	return &plugin;
}
C
plugindir=$(pkg-config --define-prefix --variable=plugindir pttrace-plugin)
# shellcheck disable=SC2046
if command -v cc > /dev/null &&
	cc $(pkg-config --define-prefix --cflags pttrace-plugin) -std=c99 -Wall -Werror -shared -fPIC \
		-o "$plugindir/mine.so" "$T/mine.c" 2> "$T/err"; then
	ok "a plugin builds with pkg-config --cflags pttrace-plugin"
	HOME=$T run "$D/bin/pttrace" plugins
	expect_out "^mine +$plugindir/mine.so" "the installed binary loads it from plugindir"
	rm -f "$plugindir/mine.so"
else
	not_ok "a plugin builds with pkg-config --cflags pttrace-plugin"
	diag "$T/err"
fi

# the man pages: pttrace(1) and one per command, each rendered by man
for page in pttrace $("$D/bin/pttrace" --list-cmds | sed 's/^/pttrace-/'); do
	f=$D/share/man/man1/$page.1
	if [ -f "$f" ] && MANWIDTH=80 man -l "$f" > "$T/out" 2> "$T/err" &&
		grep -q "^NAME" "$T/out" && grep -q "^SYNOPSIS" "$T/out" &&
		grep -q "^OPTIONS" "$T/out" && grep -q "^EXIT STATUS" "$T/out" &&
		grep -q "^SEE ALSO" "$T/out" && grep -Eq "^ +$page - " "$T/out"; then
		ok "man page $page(1) renders with its sections"
	else
		not_ok "man page $page(1) renders with its sections"
		diag "$T/err" "$T/out"
	fi
done
MANWIDTH=80 run man --manpath="$D/share/man" pttrace-analyze
expect_out "^ +pttrace analyze <file> \[--json\]" "man finds pttrace-analyze in MANDIR/man1"
# the page says what --help says: each option of the usage text is in it
run "$D/bin/pttrace" --list-opts analyze
missing=$(grep -o '^-[^ ]*' "$T/out" | while read -r o; do
	MANWIDTH=200 man -l "$D/share/man/man1/pttrace-analyze.1" | grep -Eq -- "(^| )$o(,| |\$)" ||
		echo "$o"
done)
[ -s "$T/out" ] && [ -z "$missing" ] && ok "pttrace-analyze(1) has each option analyze --help has" ||
	not_ok "pttrace-analyze(1) lacks:" $missing

has share/bash-completion/completions/pttrace "the bash completion"
if bash -c '. "$1" && complete -p pttrace' _ "$D/share/bash-completion/completions/pttrace" \
	> "$T/out" 2>&1 && grep -q "_pttrace pttrace" "$T/out"; then
	ok "the completion loads and completes pttrace"
else
	not_ok "the completion loads and completes pttrace"
	diag "$T/out"
fi

for f in README.md LICENSE LICENSES/GPL-2.0 LICENSES/LGPL-2.1 $(cd "$TOP" && ls docs/*.md); do
	has "share/doc/pttrace/$f" "the docs"
done
grep -q "GPL-2.0-or-later" "$D/share/doc/pttrace/LICENSE" &&
	grep -q "LGPL-2.1-or-later" "$D/share/doc/pttrace/LICENSE" &&
	ok "LICENSE names both licences" || not_ok "LICENSE names both licences"

run make -C "$TOP" --no-print-directory uninstall DESTDIR="$T/d" PREFIX=/opt/x
expect_rc 0 "make uninstall"
left=$(find "$T/d" -type f)
[ -z "$left" ] && ok "make uninstall removes every file it installed" ||
	not_ok "make uninstall left:" $left
left=$(ls -d "$D/lib/pttrace" "$D/share/pttrace" "$D/share/doc/pttrace" 2> /dev/null)
[ -z "$left" ] && ok "and pttrace's own directories" || not_ok "directories left:" $left
