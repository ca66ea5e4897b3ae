/* pttrace tui's screen: curses over the index in pt-tui.h. */
#ifndef PT_TUI_VIEW_H
#define PT_TUI_VIEW_H

#include <stdio.h>
#include "pt-tui.h"

/* Runs the browser until the user quits; 0, or -1 with ERR (the terminal restored). */
int pt_tui_run(struct pt_tui_index *x, struct pt_err *err);

/* The browser's keys, from the table that runs them and makes its help overlay. */
void pt_tui_print_keys(FILE *f);

#endif
