# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace record's output file, as root in a directory a user may share:
# the temporary file is made with O_EXCL next to the output and used by
# its descriptor only (strace shows no open, chmod or stat of it by name
# after its creation, and one rename), the mode follows the umask, and a
# symlink planted at the output's name is replaced, not written through.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v strace > /dev/null || skip_all "needs strace (apt-get install strace)"
cleanup_files() {
	[ -n "${LAB_PID:-}" ] && kill "$LAB_PID" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$T"
}
trap cleanup_files EXIT

# a shared, world-writable, non-sticky directory with a planted symlink
D=$T/shared
mkdir -m 0777 "$D"
echo "precious" > "$T/victim"
ln -s "$T/victim" "$D/crash.dat"

lab_start lost-msi pt-files
(umask 027; exec strace -f -qq -o "$T/strace" -e trace=%file,fchmod \
	"$PTTRACE" record --vm pt-files -o "$D/crash.dat") > "$T/rec" 2>&1 &
rec=$!
wait_for "$T/rec" armed || { not_ok "record armed"; diag "$T/rec"; }
kill -USR1 "$LAB_PID"
wait $rec
rc=$?
wait "$LAB_PID"
LAB_PID=""
[ -d "/proc/$QEMU_PID" ] && kill -9 "$QEMU_PID"
[ $rc = 0 ] && ok "record exits 0" || { not_ok "record exits 0 (got $rc)"; diag "$T/rec"; }

[ "$(cat "$T/victim")" = precious ] && ok "the symlink's target is untouched" ||
	not_ok "the symlink's target is untouched"
[ -f "$D/crash.dat" ] && [ ! -L "$D/crash.dat" ] && ok "crash.dat is a regular file now" ||
	not_ok "crash.dat is a regular file now"
mode=$(stat -c %a "$D/crash.dat")
[ "$mode" = 640 ] && ok "its mode follows the umask (027: 640)" || not_ok "its mode follows the umask (got $mode)"
run "$PTTRACE" analyze "$D/crash.dat"
expect_rc 1 "the file analyses"

tmpname=$(sed -n 's/.*openat([^"]*"\([^"]*crash\.dat\.tmp\.[A-Za-z0-9]*\)".*/\1/p' "$T/strace" | head -1)
if [ -n "$tmpname" ] && grep -F "\"$tmpname\"" "$T/strace" | head -1 | grep -q "O_EXCL"; then
	ok "the temporary file is created with O_EXCL"
else
	not_ok "the temporary file is created with O_EXCL ($tmpname)"
	grep -F "crash.dat" "$T/strace" | head -5 | sed 's/^/#   /'
fi
uses=$(grep -F "\"$tmpname\"" "$T/strace" | grep -vc "rename")
[ "$uses" = 1 ] && ok "it is used by name once (its creation), then by its descriptor" ||
	{ not_ok "it is used by name once, then by its descriptor ($uses uses)"; grep -F "\"$tmpname\"" "$T/strace" | sed 's/^/#   /'; }
grep -F "\"$tmpname\"" "$T/strace" | grep -q "rename" && ok "and renamed to crash.dat" ||
	not_ok "and renamed to crash.dat"
grep -q "fchmod(" "$T/strace" && ok "the mode is set by fchmod" || not_ok "the mode is set by fchmod"

# the scratch sits in the same shared directory: made 0700 by mkdtemp, and
# what is inside is reached through its descriptor, never by a name a user
# could redirect by renaming the directory and planting a symlink
scratch=$(grep -o "mkdir(\"$D/\.pttrace-record\.[^\"]*\", 0700)" "$T/strace" | sed 's/^mkdir("\([^"]*\)".*/\1/' | head -1)
[ -n "$scratch" ] && ok "the scratch is made next to the output, mode 0700 ($scratch)" ||
	{ not_ok "the scratch is made next to the output, mode 0700"; grep -F ".pttrace-record" "$T/strace" | head -3 | sed 's/^/#   /'; }
byname=$(grep -F "\"$scratch/" "$T/strace" | grep -c "O_CREAT\|O_WRONLY" || true)
[ -n "$scratch" ] && [ "$byname" = 0 ] && ok "no file inside it is opened for writing by its name" ||
	{ not_ok "no file inside it is opened for writing by its name ($byname)"; grep -F "\"$scratch/" "$T/strace" | head -3 | sed 's/^/#   /'; }
made=$(grep -E 'open(at)?\([^"]*"/tmp/[^"]*".*O_CREAT' "$T/strace" | grep -v -F "$T" || true)
[ -z "$made" ] && ok "nothing is created in /tmp (the scratch and the empty kallsyms are next to the output)" ||
	{ not_ok "nothing is created in /tmp"; echo "$made" | head -3 | sed 's/^/#   /'; }
[ ! -e "$scratch" ] && ok "the scratch is removed" || not_ok "the scratch is removed"
