/*
 * mkcorpus (tests/corrupt/mkcorpus.c): the trace.dat being damaged, the
 * places mkcorpus-parse.c finds in it (numbers, regions, truncation points)
 * and the variants mkcorpus-damage.c writes from them.
 */
#ifndef MKCORPUS_H
#define MKCORPUS_H

#include <stddef.h>
#include <stdint.h>

enum kind {
	K_NUM, K_ENDIAN, K_LONGSIZE, K_PAGESIZE, K_SIZE, K_COUNT, K_OFFSET,
	K_OPTID, K_SECID, K_FLAGS, K_STRID, K_COMMIT, K_EVHDR, K_EVTYPE, K_STAMP,
};

struct field {
	size_t off;
	int size;
	enum kind kind;
	char name[40];
};

struct region {
	size_t off, len;
	char name[40];
};

/* mkcorpus.c */
extern int lite;		/* --max under 100: fewer candidates (big files) */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* mkcorpus-parse.c: the file, and what parse() found in it */
extern unsigned char *trace;	/* the file */
extern size_t trace_len;
extern int big_endian, v7, compressed;
extern uint32_t page_size;
extern int long_size;
extern struct field *fields;
extern size_t nfields;
extern struct region *regions;
extern size_t nregions;
extern size_t *cuts;		/* extra truncation points */
extern size_t ncuts;
void load(const char *path);
void parse(void);
uint64_t rd(const unsigned char *p, int size);
void cut(size_t off);

/* mkcorpus-damage.c: writes about MAX variants as OUTDIR/NAME.<what>.dat
 * and prints how many of each class; the random choices come from NAME */
void damage(const char *outdir, const char *name, unsigned long max);

#endif
