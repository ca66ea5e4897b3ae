#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages pttrace builds and tests with, when missing.
# As root it runs apt-get; otherwise it prints the line to run and fails.
set -e

PACKAGES="gcc make binutils pkg-config libc6-dev
	libtracefs-dev libtraceevent-dev libtracecmd-dev libelf-dev libncurses-dev
	libcmocka-dev clang libclang-rt-14-dev zlib1g-dev libzstd-dev
	qemu-system-x86 trace-cmd tmux python3 strace gdb
	man-db groff-base bash-completion
	libxml2-dev libvirt-dev libvirt-daemon-system libvirt-clients"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "pttrace: missing Debian packages; as root, run:" >&2
	echo "    apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "pttrace: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
