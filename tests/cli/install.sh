# make install honours PREFIX and DESTDIR.
. "$(dirname "$0")/../lib.sh"

run make -C "$TOP" --no-print-directory install DESTDIR="$T/root" PREFIX=/opt/pt
expect_rc 0 "make install DESTDIR=... PREFIX=/opt/pt"
[ -x "$T/root/opt/pt/bin/pttrace" ] && ok "binary in DESTDIR/PREFIX/bin" || not_ok "binary in DESTDIR/PREFIX/bin"
[ -f "$T/root/opt/pt/share/pttrace/lab/pttrace-lab.elf" ] && ok "lab guest in DESTDIR/PREFIX/share/pttrace/lab" ||
	not_ok "lab guest in DESTDIR/PREFIX/share/pttrace/lab"
[ -f "$T/root/opt/pt/lib/pttrace/plugins/edu.so" ] && ok "plugins in DESTDIR/PREFIX/lib/pttrace/plugins" ||
	not_ok "plugins in DESTDIR/PREFIX/lib/pttrace/plugins"
[ -f "$T/root/opt/pt/include/pttrace-plugin.h" ] && ok "the plugin ABI header in DESTDIR/PREFIX/include" ||
	not_ok "the plugin ABI header in DESTDIR/PREFIX/include"
run "$T/root/opt/pt/bin/pttrace" --version
expect_out "^pttrace version " "the installed binary runs"
HOME=$T run "$T/root/opt/pt/bin/pttrace" plugins
expect_out "^edu +$T/root/opt/pt/lib/pttrace/plugins/edu.so" "the installed binary loads the installed plugins"
run make -C "$TOP" --no-print-directory uninstall DESTDIR="$T/root" PREFIX=/opt/pt
[ ! -e "$T/root/opt/pt/bin/pttrace" ] && ok "make uninstall removes it" || not_ok "make uninstall removes it"
