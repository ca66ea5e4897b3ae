# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for pttrace; make install puts it where bash-completion
# finds it ($(PREFIX)/share/bash-completion/completions/pttrace).
#
# It knows nothing of pttrace itself: it asks the binary, so it cannot
# drift from the code:
#   pttrace --list-cmds          the commands
#   pttrace --list-opts [CMD]    CMD's options with their <placeholders>, its
#                                subcommands and arguments, read from the usage
#                                text --help prints (cli/usage.h); without CMD
#                                pttrace's own options
#   pttrace vms                  the running VMs (the NAME column): --vm <name>
#   pttrace lab list             the lab's scenarios: lab run <scenario>
#   pttrace analyze --json FILE  the devices of the trace given on the line
#                                (the report's "bdf"s): --device <bdf>
# <file>, <elf>, <socket> and <binary> are files, <dir> directories.

# The pttrace the line runs: the word typed, else the one on PATH.
_pttrace_bin()
{
	local pt=${words[0]}

	[[ $pt == */* ]] || pt=pttrace
	printf '%s\n' "${pt/#\~/$HOME}"
}

_pttrace_files()
{
	if declare -F _filedir > /dev/null; then
		_filedir "$@"
		return
	fi
	local IFS=$'\n'
	if [ "${1:-}" = -d ]; then
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -d -- "$cur"))
	else
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	compopt -o filenames 2> /dev/null
}

# COMPREPLY from the words of $1 that start with $cur
_pttrace_words()
{
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# The argument of an option or a position, by its placeholder ($1: <file>).
# $2 is the trace file the line names, for <bdf>.
_pttrace_arg()
{
	local pt
	pt=$(_pttrace_bin)
	case $1 in
	'<file>' | '<elf>' | '<socket>' | '<binary>') _pttrace_files ;;
	'<dir>') _pttrace_files -d ;;
	'<command>') _pttrace_words "$("$pt" --list-cmds 2> /dev/null)" ;;
	'<name>') _pttrace_words "$("$pt" vms 2> /dev/null | awk 'NR > 1 && $1 != "-" { print $1 }')" ;;
	'<fmt>') _pttrace_words "text csv json" ;;
	'<scenario>') _pttrace_words "$("$pt" lab list 2> /dev/null | awk 'NR > 1 { print $1 }')" ;;
	'<bdf>')
		[ -f "$2" ] || return
		_pttrace_words "$(timeout 10 "$pt" analyze --json -- "$2" 2> /dev/null |
			grep -o '"bdf": *"[^"]*"' | cut -d'"' -f4)"
		# bash replaces what follows the word's last colon (COMP_WORDBREAKS)
		if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
			local pre=${cur%"${cur##*:}"} i
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
			done
		fi
		;;
	*) COMPREPLY=() ;;	# a number, a time, an address: nothing to offer
	esac
}

_pttrace()
{
	local cur prev words cword
	if declare -F _get_comp_words_by_ref > /dev/null; then
		_get_comp_words_by_ref -n =: cur prev words cword
	elif [ -n "${COMP_LINE:-}" ]; then
		# the words as typed, not split at COMP_WORDBREAKS' colons (00:03.0)
		local typed=${COMP_LINE:0:COMP_POINT} rest=${COMP_LINE:COMP_POINT}
		local -a after=()
		read -ra words <<< "$typed"
		[[ ${#words[@]} = 0 || $typed == *[[:space:]] ]] && words+=('')
		cword=$((${#words[@]} - 1))
		cur=${words[cword]}
		prev=${words[cword - 1]:-}
		read -ra after <<< "$rest"
		if [[ ${#after[@]} -gt 0 && $rest != [[:space:]]* ]]; then
			words[cword]+=${after[0]}	# the rest of the word at the cursor
			after=("${after[@]:1}")
		fi
		words+=("${after[@]}")
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
		prev=${words[cword - 1]:-}
	fi
	COMPREPLY=()

	local pt i cmd='' ci=0 opts
	pt=$(_pttrace_bin)
	# the command: the first word that is not one of pttrace's own options
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--plugin-dir) i=$((i + 1)) ;;
		-*) ;;
		*) cmd=${words[i]} ci=$i && break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		opts=$("$pt" --list-opts 2> /dev/null)
	else
		opts=$("$pt" --list-opts "$cmd" 2> /dev/null) || return
	fi

	# the placeholder of each option that takes an argument: "--vm <name>"
	local -A arg=()
	local -a subs=() places=()
	local line
	while read -r line; do
		case $line in
		-*' '*) arg[${line%% *}]=${line#* } ;;
		-*) ;;
		'<'*) places+=("$line") ;;
		*) subs+=("$line") ;;
		esac
	done <<< "$opts"

	# the words before the cursor that are not options or their arguments,
	# and the first such word anywhere on the line (analyze's trace file)
	local -a given=()
	local file=''
	for ((i = ci + 1; i < ${#words[@]}; i++)); do
		[ "$i" = "$cword" ] && continue
		case ${words[i]} in
		-*) [ -n "${arg[${words[i]}]:-}" ] && i=$((i + 1)) ;;
		*)
			[ -z "$file" ] && file=${words[i]/#\~/$HOME}
			[ "$i" -lt "$cword" ] && given+=("${words[i]}")
			;;
		esac
	done
	[ -n "$cmd" ] || given=()

	if [ -n "$prev" ] && [ -n "${arg[$prev]:-}" ]; then
		_pttrace_arg "${arg[$prev]}" "$file"
	elif [[ $cur == -* ]]; then
		_pttrace_words "$(printf '%s\n' "$opts" | sed -n 's/^\(-[^ ]*\).*/\1/p')"
	elif [ -z "$cmd" ]; then
		_pttrace_words "$("$pt" --list-cmds 2> /dev/null)"
	elif [ ${#subs[@]} -gt 0 ]; then
		# lab: "list", "run <scenario>"; the subcommand, then its argument
		if [ ${#given[@]} = 0 ]; then
			_pttrace_words "$(printf '%s\n' "${subs[@]%% *}")"
		elif [ ${#given[@]} = 1 ]; then
			for line in "${subs[@]}"; do
				[ "${line%% *}" = "${given[0]}" ] && [[ $line == *' '* ]] &&
					_pttrace_arg "${line#* }" "$file"
			done
		fi
	elif [ ${#given[@]} -lt ${#places[@]} ]; then
		_pttrace_arg "${places[${#given[@]}]}" "$file"
	fi
}
complete -F _pttrace pttrace
