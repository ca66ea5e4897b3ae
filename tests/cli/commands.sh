# SPDX-License-Identifier: GPL-2.0-or-later
# The pttrace command table: help, version, lookup, errors.
. "$(dirname "$0")/../lib.sh"

run "$PTTRACE" help
expect_rc 0 "help exits 0"
for c in analyze check help lab record tui version vms; do
	expect_out "^   $c " "help lists $c"
done
expect_absent "not built yet" "no command is left unbuilt"

run "$PTTRACE"
expect_rc 2 "no command is a usage error"
expect_err "^usage: pttrace" "no command prints the usage"

run "$PTTRACE" --version
expect_rc 0 "--version exits 0"
expect_out "^pttrace version [0-9]+\.[0-9]+\.[0-9]+$" "--version prints the version"
run "$PTTRACE" version
expect_out "^pttrace version " "version command"

run "$PTTRACE" help lab
expect_rc 0 "help lab exits 0"
expect_out "^usage: pttrace lab list" "help lab prints lab's usage"
run "$PTTRACE" lab --help
expect_out "^usage: pttrace lab list" "lab --help prints lab's usage"
run "$PTTRACE" lab run irq-storm -h
expect_out "^usage: pttrace lab list" "-h after arguments prints the usage"

run "$PTTRACE" frobnicate
expect_rc 2 "unknown command exits 2"
expect_err "^pttrace: 'frobnicate' is not a pttrace command. See 'pttrace help'.$" "unknown command message"
run "$PTTRACE" help frobnicate
expect_rc 2 "help of an unknown command exits 2"
expect_err "no such command: frobnicate" "help of an unknown command says so"
run "$PTTRACE" --frobnicate
expect_rc 2 "unknown option exits 2"
expect_err "unknown option '--frobnicate'" "unknown option message"

run "$PTTRACE" la list
expect_rc 0 "a unique prefix runs the command"
expect_out "^irq-storm " "prefix 'la' ran lab"

# a first letter that two commands share is ambiguous (the unit test covers
# the lookup itself with a constructed table)
for p in $("$PTTRACE" --list-cmds | cut -c1 | sort | uniq -d); do
	run "$PTTRACE" "$p"
	expect_rc 2 "'$p' is ambiguous"
	expect_err "^pttrace: ambiguous command: $p, could be: " "ambiguous '$p' lists the candidates"
done


run "$PTTRACE" --list-cmds
expect_out "^lab$" "--list-cmds lists commands for completion"
