// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest symbols: names the guest code at an instruction pointer from the
 * trace (kvm_exit's guest_rip, kvm_emulate_insn's rip) with the symbol
 * tables of the guest's ELF files, a kernel or a driver module, as
 * "function+0xoff".
 */
#ifndef PT_SYMBOLS_H
#define PT_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>
#include "pttrace.h"

struct pt_symbols;

struct pt_symbols *pt_symbols_new(void);
void pt_symbols_free(struct pt_symbols *s);

/*
 * Adds the function symbols of SPEC, "FILE" or "FILE@BIAS": BIAS is added
 * to every symbol (where the guest loaded the file; for a relocatable
 * module, where its .text went).  Returns the number of symbols added, or
 * -1 with ERR set when FILE cannot be read as ELF.  A file without symbols
 * (stripped) adds 0 and says so in NOTE (NOTE is "" otherwise).
 */
int pt_symbols_add(struct pt_symbols *s, const char *spec, char *note, size_t note_size,
		   struct pt_err *err);

size_t pt_symbols_count(const struct pt_symbols *s);

/* "radeon_fence_wait+0x3c" for ADDR; 0, or -1 when no symbol covers it. */
int pt_symbols_name(const struct pt_symbols *s, uint64_t addr, char *buf, size_t size);

/* ADDR as "function+0xoff" when S names it, else as "0x101977". S may be NULL. */
void pt_symbols_str(const struct pt_symbols *s, uint64_t addr, char *buf, size_t size);

#endif
