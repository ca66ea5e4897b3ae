// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace tui's screen: curses over the index in pt-tui.h.  It lives in
 * tui/ and is linked into the pttrace binary, not into libpttrace.a, so
 * that the library and its benchmarks need no curses.
 */
#ifndef PT_TUI_SCREEN_H
#define PT_TUI_SCREEN_H

#include <stdio.h>
#include "pt-tui.h"

/*
 * Runs the browser until the user quits: 0; the number of the signal
 * (SIGTERM, SIGINT, SIGHUP) that ended it; or -1 with ERR.  The terminal is
 * restored in every case.
 */
int pt_tui_run(struct pt_tui_index *x, struct pt_err *err);

/* The browser's keys, from the table that runs them and makes its help overlay. */
void pt_tui_print_keys(FILE *f);

#endif
