#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes the after-boot corpus: the lab traces pttrace record wrote
# (samples/traces/pttrace, top-level buffer, from the guest's start) with
# their beginning cut off by `trace-cmd split`, as if recorded with plain
# `trace-cmd record -e kvm` after the guest booted.  trace-cmd split drops
# options it does not know, so pttrace's metadata (the BARs) is gone too;
# the check below refuses a file that still has it.  (The top-level
# samples/traces/*.dat keep their events in an instance buffer, which
# trace-cmd 3.1's split does not copy.)
#
# Each cut starts after the boot's last BAR sizing and programming; the
# crash (or, for healthy, the end) stays in.  stray-mmio's guest reads its
# BAR again and moves it near the end: those config cycles stay in.
set -e
cd "$(dirname "$0")"
src=../../../samples/traces/pttrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name start; do
	trace-cmd split -i "$src/$name.dat" -o "$tmp/$name" "$start" > /dev/null 2>&1
	mv "$tmp/$name.1" "$name.dat"
	if trace-cmd dump --options "$name.dat" 2>&1 | grep -q "Unknown option"; then
		echo "$name.dat still has pttrace's metadata" >&2
		exit 1
	fi
	echo "$name.dat: from $start s, $(stat -c %s "$name.dat") bytes"
done <<'LIST'
healthy 2737.8
d3-access 2704.6
hang-reset 2710.6
irq-storm 2717.7
lost-msi 2724.4
stray-mmio 2731.0
LIST
