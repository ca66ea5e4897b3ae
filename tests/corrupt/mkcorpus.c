/*
 * mkcorpus: damaged copies of a trace.dat, for tests/cli/corrupt.sh.
 *
 *   mkcorpus [--max N] OUTDIR NAME FILE  writes OUTDIR/NAME.<what>.dat variants
 *   mkcorpus --dump FILE                 prints the structure it found
 *
 * The file is parsed here on its own terms, from trace-cmd.dat.v6(5) and
 * trace-cmd.dat.v7(5) (not with the reader under test): the initial header,
 * the header_page/header_event sizes, the format counts and sizes, the
 * kallsyms, printk and cmdlines sizes, the v6 cpu count, options and
 * flyrecord offsets, the v7 sections (header, compression header, options,
 * BUFFER options with their per-cpu offsets and sizes), the compressed chunk
 * headers of the trace data, and in uncompressed data the ring-buffer pages
 * (8 bytes timestamp, 8 bytes commit) and the event headers in them
 * (type_len:5, time_delta:27, array[0]).
 *
 * Each variant changes one thing: a truncation, one number or header given
 * an impossible value, or a few random bytes in one region.  Everything is
 * deterministic (the random choices come from a seed made of NAME).
 * All candidates are counted, then about N (default 300) are written: all
 * of the initial header's and the JSON option's, and an evenly spread share
 * of each other class (truncations, metadata numbers, trace data numbers,
 * random bytes); N under 100 also makes fewer candidates (for big files).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkcorpus.h"

int lite;

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkcorpus: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long max_variants = 300;
	size_t i;
	const char *p;

	if (argc == 3 && !strcmp(argv[1], "--dump")) {
		load(argv[2]);
		parse();
		printf("v%d %s endian=%s page=%u long=%d size=%zu\n", v7 ? 7 : 6,
		       compressed ? "compressed" : "uncompressed", big_endian ? "big" : "little",
		       page_size, long_size, trace_len);
		for (i = 0; i < nfields; i++)
			printf("field %-8zu %d %-40s %llu\n", fields[i].off, fields[i].size,
			       fields[i].name, (unsigned long long)rd(trace + fields[i].off, fields[i].size));
		for (i = 0; i < nregions; i++)
			printf("region %-8zu %-8zu %s\n", regions[i].off, regions[i].len, regions[i].name);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--max")) {
		max_variants = strtoul(argv[2], NULL, 0);
		lite = max_variants < 100;
		argv += 2, argc -= 2;
	}
	if (argc != 4)
		die("usage: mkcorpus [--max N] OUTDIR NAME FILE | --dump FILE");
	for (p = argv[2]; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
			die("NAME: letters, digits, _ and - only");
	load(argv[3]);
	parse();
	damage(argv[1], argv[2], max_variants);
	return 0;
}
