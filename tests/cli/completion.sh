# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (scripts/pttrace.bash) sourced in bash and driven as
# bash drives it: COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set, the
# completion function called, COMPREPLY checked.  Twice when the machine
# has bash-completion: alone, and over bash-completion's own helpers.
. "$(dirname "$0")/../lib.sh"
SCRIPT=$TOP/scripts/pttrace.bash
TRACE=$TOP/samples/traces/d3-access.dat
BC=/usr/share/bash-completion/bash_completion

# a pttrace whose vms reads a fake /proc: VM names without QEMU running
R=$T/root
mkdir -p "$R/proc/4242/task/4242"
echo qemu-system-x86 > "$R/proc/4242/task/4242/comm"
printf '%s\0' qemu-system-x86_64 -name guest=win7,debug-threads=on -enable-kvm > "$R/proc/4242/cmdline"
mkdir -p "$R/sys/bus/pci/devices"
cat > "$T/pttrace" << EOF
#!/bin/sh
[ "\$1" = vms ] && exec "$PTTRACE" vms --sysroot "$R"
exec "$PTTRACE" "\$@"
EOF
chmod +x "$T/pttrace"
mkdir -p "$T/files/subdir"
touch "$T/files/crash.dat" "$T/files/crash-2.dat"

# complete_words WITH_BC WORD...: the words offered for the last WORD ('' for
# a new one), one a line, sorted, in $T/out; $after is more words after the
# cursor
after=
split_words() {
	local w
	for w in "$@"; do
		while [[ $w == *:* ]]; do
			COMP_WORDS+=("${w%%:*}" :)
			w=${w#*:}
		done
		COMP_WORDS+=("$w")
	done
}
complete_words() {
	local bc=$1
	shift
	(
		cd "$T/files" || exit 2
		[ "$bc" = 1 ] && . "$BC"
		. "$SCRIPT"
		# bash splits the words at COMP_WORDBREAKS' colons too: 00 : 1f
		COMP_WORDS=()
		split_words "$@"
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		split_words $after
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMP_LINE="$COMP_LINE${after:+ $after}"
		COMPREPLY=()
		_pttrace
		printf '%s\n' "${COMPREPLY[@]}" | sort
	) > "$T/out" 2> "$T/err"
	rc=$?
}

# offers WITH_BC 'WORD...' DESC LINE...: ok when the words offered are exactly WORD...
offers() {
	local bc=$1 want desc=$3 got
	want=$(printf '%s\n' $2 | sort)
	shift 3
	complete_words "$bc" "$@"
	got=$(cat "$T/out")
	# offering nothing is right only from a pttrace that answers
	if [ -z "$want" ] && ! "$PTTRACE" --list-opts analyze 2> /dev/null | grep -q -- --device; then
		not_ok "$desc (pttrace --list-opts gives nothing to complete from)"
	elif [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc: offered '$(echo $got)', wanted '$(echo $want)'"
		diag "$T/err"
	fi
}

# includes WITH_BC 'WORD...' DESC LINE...: ok when each WORD is offered
includes() {
	local bc=$1 w missing='' desc=$3 words=$2
	shift 3
	complete_words "$bc" "$@"
	for w in $words; do
		grep -qxF -- "$w" "$T/out" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then
		ok "$desc"
	else
		not_ok "$desc: not offered:$missing"
		diag "$T/out" "$T/err"
	fi
}

modes=0
[ -f "$BC" ] && modes="0 1"
for bc in $modes; do
	m=$([ "$bc" = 1 ] && echo "with bash-completion" || echo "alone")
	P=$T/pttrace
	offers $bc "$("$PTTRACE" --list-cmds)" "$m: the commands" "$P" ''
	offers $bc "record report" "$m: a command's prefix" "$P" re
	offers $bc "lab" "$m: a command after pttrace's own options" "$P" --no-plugins la
	includes $bc "--no-plugins --plugin-dir --version --help" "$m: pttrace's own options" "$P" --
	includes $bc "subdir" "$m: --plugin-dir takes a directory" "$P" --plugin-dir sub
	includes $bc "--json --window --device --vcpu --at --ecam --guest-elf --vm --stats --tui \
		--list-detectors --help" "$m: analyze's options" "$P" analyze --
	offers $bc "--device" "$m: an option of analyze by its prefix" "$P" analyze --dev
	includes $bc "--vm --pid -o -b -e --stream --duration --qmp --tmpdir -q --recover \
		--cleanup --list" "$m: record's options" "$P" record -
	includes $bc "--name --duration --paused --pid-file --dry-run --qemu --guest -n -d -p --quiet" \
		"$m: lab's options from its option list" "$P" lab run healthy -
	offers $bc "crash-2.dat crash.dat" "$m: analyze's trace file" "$P" analyze cr
	offers $bc "crash-2.dat" "$m: record -o takes a file" "$P" record -o crash-
	offers $bc "list run" "$m: lab's subcommands" "$P" lab ''
	offers $bc "$("$PTTRACE" lab list | awk 'NR > 1 { print $1 }')" "$m: lab run's scenarios" \
		"$P" lab run ''
	offers $bc "d3-access" "$m: a scenario by its prefix" "$P" lab run d3
	offers $bc "00:00.0 00:04.0 00:1f.0 00:1f.2 00:1f.3" "$m: --device offers the trace's BDFs" \
		"$P" analyze "$TRACE" --device ''
	offers $bc "1f.0 1f.2 1f.3" "$m: BDFs by their prefix (what follows the colon)" "$P" analyze --json "$TRACE" --device 00:1f
	after=$TRACE offers $bc "1f.0 1f.2 1f.3" "$m: BDFs of a trace file given after the cursor" \
		"$P" analyze --device 00:1f
	offers $bc "" "$m: --device offers nothing without a trace file" "$P" analyze --device ''
	offers $bc "" "$m: --window takes seconds: nothing to offer" "$P" analyze "$TRACE" --window ''
	offers $bc "win7" "$m: record --vm offers the running VMs' names" "$P" record --vm ''
	offers $bc "win7" "$m: check --vm too" "$P" check --vm w
	offers $bc "analyze" "$m: help offers the commands" "$P" help an
	offers $bc "" "$m: an unknown command: nothing" "$P" frobnicate ''
done

# what the completion reads: the options of every command's usage text
for c in $("$PTTRACE" --list-cmds); do
	run "$PTTRACE" --list-opts "$c"
	expect_out "^--help$" "--list-opts $c ends with --help"
done
run "$PTTRACE" --list-opts analyze
expect_out "^--device <bdf>$" "--list-opts: an option with its placeholder"
expect_out "^<file>$" "--list-opts: a positional argument"
run "$PTTRACE" --list-opts lab
expect_out "^run <scenario>$" "--list-opts: a subcommand and its argument"
expect_out "^-n <vm>$" "--list-opts: a short option from the option list"
run "$PTTRACE" --list-opts frobnicate
expect_rc 2 "--list-opts of an unknown command"
