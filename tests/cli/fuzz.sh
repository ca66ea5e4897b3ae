# SPDX-License-Identifier: GPL-2.0-or-later
# A short run of both fuzz targets (tests/fuzz); longer runs: see README.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
[ -x build/fuzz/fuzz_analyze ] && [ -x build/fuzz/fuzz_stream ] ||
	skip_all "fuzz targets not built (needs clang and libclang-rt-14-dev)"
export LSAN_OPTIONS=suppressions=$TOP/tests/fuzz/lsan.supp

mkdir -p "$T/files" "$T/stream"
cp samples/traces/stray-mmio.dat "$T/files/"
run timeout 120 build/fuzz/fuzz_analyze -max_total_time=15 -reduce_inputs=0 -rss_limit_mb=4096 \
	-artifact_prefix="$T/" "$T/files"
if [ "$rc" = 0 ]; then
	ok "fuzz_analyze: 15 s of mutated trace files, no crash ($(grep -o 'Done [0-9]* runs' "$T/err"))"
else
	not_ok "fuzz_analyze found a problem (exit $rc)"
	grep -E 'ERROR|runtime error|SUMMARY' "$T/err" | head -5 | diag /dev/stdin
fi
run timeout 120 build/fuzz/fuzz_stream -max_total_time=15 -artifact_prefix="$T/" "$T/stream"
if [ "$rc" = 0 ]; then
	ok "fuzz_stream: 15 s of random event streams, no crash ($(grep -o 'Done [0-9]* runs' "$T/err"))"
else
	not_ok "fuzz_stream found a problem (exit $rc)"
	grep -E 'ERROR|runtime error|SUMMARY' "$T/err" | head -5 | diag /dev/stdin
fi

# inputs the fuzzers once crashed on, each named for what it broke
for f in tests/fuzz/regress/*; do
	[ -f "$f" ] || continue
	run timeout 60 build/fuzz/fuzz_analyze "$f"
	if [ "$rc" = 0 ]; then
		ok "fuzz_analyze: ${f##*/} no longer crashes"
	else
		not_ok "fuzz_analyze: ${f##*/} crashes again (exit $rc)"
		grep -E 'ERROR|runtime error|SUMMARY' "$T/err" | head -5 | diag /dev/stdin
	fi
done
