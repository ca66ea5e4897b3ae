/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The index's memory (index-store.c).  A 20-million-event index is 320 MB
 * and faulting its pages in took an eighth of the indexing thread's time:
 * the room is reserved once, as large as the file's data could ever need,
 * and a helper thread faults its pages in ahead of the writer.  Where no
 * such reservation can be had, the index grows by realloc.
 */
#ifndef PT_TUI_INDEX_STORE_H
#define PT_TUI_INDEX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "pt-tui.h"

struct pt_tui_store;

/* For at most MAX entries (more still fit, slower); HELPER: fault pages in on another thread. */
struct pt_tui_store *pt_tui_store_new(uint64_t max, int helper);

/*
 * Entry N is to be written: *ENTRIES is the array (it may move), *CAP
 * what it holds.  Returns how many entries may be written before asking
 * again (more than N), 0 when out of memory.
 */
size_t pt_tui_store_room(struct pt_tui_store *s, struct pt_tui_entry **entries, size_t *cap,
			 size_t n);

/* The index is whole at N entries: the helper ends and the rest is given back. */
void pt_tui_store_fit(struct pt_tui_store *s, struct pt_tui_entry **entries, size_t *cap, size_t n);

void pt_tui_store_free(struct pt_tui_store *s);

#endif
