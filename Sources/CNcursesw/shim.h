#ifndef DSCONSOLE_CNCURSESW_SHIM_H
#define DSCONSOLE_CNCURSESW_SHIM_H
// SwiftPM drops the -D flags of ncursesw.pc, so the wide-character API must be switched on here,
// before <ncurses.h>, or wget_wch / cchar_t are missing.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <ncurses.h>

// Accessors for C globals and macros that Swift 6 cannot import: the globals are mutable shared
// state (hard errors under strict concurrency) and the macros are not simple constants.

/// The standard screen window of the current ncurses screen.
static inline WINDOW *dsc_stdscr(void) { return stdscr; }

/// The physical-screen window of the current ncurses screen (used with clearok to force a repaint).
static inline WINDOW *dsc_curscr(void) { return curscr; }

/// Number of colours the terminal supports; valid after start_color.
static inline int dsc_colors(void) { return COLORS; }

/// Number of colour pairs the terminal supports; valid after start_color.
static inline int dsc_color_pairs(void) { return COLOR_PAIRS; }

/// Rows of a window (the y part of getmaxyx).
static inline int dsc_window_rows(WINDOW *window) {
    int y, x;
    getmaxyx(window, y, x);
    (void)x;
    return y;
}

/// Columns of a window (the x part of getmaxyx).
static inline int dsc_window_columns(WINDOW *window) {
    int y, x;
    getmaxyx(window, y, x);
    (void)y;
    return x;
}

/// Video attribute bits (A_* macros are computed expressions, not importable constants).
static inline attr_t dsc_attr_normal(void) { return A_NORMAL; }
static inline attr_t dsc_attr_bold(void) { return A_BOLD; }
static inline attr_t dsc_attr_reverse(void) { return A_REVERSE; }
static inline attr_t dsc_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t dsc_attr_dim(void) { return A_DIM; }

/// Starts an ncurses screen on stdout/stdin (whose FILE globals Swift 6 cannot touch).
/// Unlike initscr, newterm returns NULL instead of printing an error and exiting.
static inline SCREEN *dsc_newterm(const char *term) { return newterm(term, stdout, stdin); }

/// Writes one cell at (row, column): `chars` is a spacing character followed by up to
/// CCHARW_MAX - 1 combining characters (count of them in `count`). When ncurses rejects the
/// combination (for example an emoji ZWJ sequence of several spacing characters), only the first
/// character is written. Returns the result of mvwadd_wch (ERR in the bottom-right corner is normal:
/// the character is drawn but the cursor cannot advance).
static inline int dsc_put_cell(WINDOW *window, int row, int column,
                               const wchar_t *chars, int count, attr_t attributes, short pair) {
    wchar_t text[CCHARW_MAX + 1];
    int used = count < CCHARW_MAX ? count : CCHARW_MAX;
    if (used < 1) {
        text[0] = L' ';
        used = 1;
    } else {
        for (int index = 0; index < used; index++) text[index] = chars[index];
    }
    text[used] = L'\0';
    cchar_t cell;
    if (setcchar(&cell, text, attributes, pair, NULL) == ERR) {
        text[1] = L'\0';
        if (setcchar(&cell, text, attributes, pair, NULL) == ERR) return ERR;
    }
    return mvwadd_wch(window, row, column, &cell);
}

/// Turns on the mouse reports the console uses (left press, wheel up/down); returns the mask granted.
static inline mmask_t dsc_enable_mouse(void) {
    mouseinterval(0);
    return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}

/// Reads the pending mouse event after KEY_MOUSE: 1 left press, 4 wheel up, 5 wheel down, 0 other
/// or none; the cell in *row / *column.
static inline int dsc_read_mouse(int *row, int *column) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *row = event.y;
    *column = event.x;
    if (event.bstate & BUTTON1_PRESSED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 4;
    if (event.bstate & BUTTON5_PRESSED) return 5;
    return 0;
}

// <term.h> defines hundreds of lower-case macros (lines, columns, tab, ...): include it only after
// every function that might use such a name.
#include <term.h>

/// Whether terminfo knows `name`. Uses setupterm with an error pointer so ncurses neither prints
/// nor exits, then restores the previous terminal description.
static inline int dsc_terminfo_has_entry(const char *name) {
    TERMINAL *previous = cur_term;
    int status = 0;
    int result = setupterm(name, fileno(stdout), &status);
    if (result == OK && cur_term != previous) {
        TERMINAL *probe = set_curterm(previous);
        del_curterm(probe);
    }
    return result == OK && status == 1;
}

/// tigetstr, with the "absent" (NULL) and "cancelled" ((char *)-1) answers both mapped to NULL.
static inline const char *dsc_terminfo_string(const char *capability) {
    char *value = tigetstr(capability);
    if (value == (char *)-1) return NULL;
    return value;
}

/// Bytes waiting to be read on `descriptor` (FIONREAD), or -1 when the descriptor cannot answer.
/// ioctl is variadic, so Swift cannot call it directly.
static inline int dsc_bytes_available(int descriptor) {
    int count = 0;
    if (ioctl(descriptor, FIONREAD, &count) != 0) return -1;
    return count;
}

#endif
