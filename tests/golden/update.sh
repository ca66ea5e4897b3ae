#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Rewrites the golden reports from samples/traces; review the diff before committing.
cd "$(dirname "$0")/../.." || exit 2
for f in samples/traces/*.dat; do
	s=$(basename "$f" .dat)
	./pttrace analyze "$f" > "tests/golden/$s.txt"
	./pttrace analyze --json "$f" > "tests/golden/$s.json"
done
exit 0
