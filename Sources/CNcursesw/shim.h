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
#include <ncurses.h>
#endif
