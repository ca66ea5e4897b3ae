# make install honours PREFIX and DESTDIR.
. "$(dirname "$0")/../lib.sh"

run make -C "$TOP" --no-print-directory install DESTDIR="$T/root" PREFIX=/opt/pt
expect_rc 0 "make install DESTDIR=... PREFIX=/opt/pt"
[ -x "$T/root/opt/pt/bin/pttrace" ] && ok "binary in DESTDIR/PREFIX/bin" || not_ok "binary in DESTDIR/PREFIX/bin"
[ -f "$T/root/opt/pt/share/pttrace/lab/pttrace-lab.elf" ] && ok "lab guest in DESTDIR/PREFIX/share/pttrace/lab" ||
	not_ok "lab guest in DESTDIR/PREFIX/share/pttrace/lab"
run "$T/root/opt/pt/bin/pttrace" --version
expect_out "^pttrace version " "the installed binary runs"
run make -C "$TOP" --no-print-directory uninstall DESTDIR="$T/root" PREFIX=/opt/pt
[ ! -e "$T/root/opt/pt/bin/pttrace" ] && ok "make uninstall removes it" || not_ok "make uninstall removes it"
