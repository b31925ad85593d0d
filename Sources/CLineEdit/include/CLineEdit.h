#ifndef CLINEEDIT_H
#define CLINEEDIT_H

/*
 * Typed C entry points around libedit for parley's interactive shell.
 *
 * el_set, el_get and history are variadic and cannot be called from Swift,
 * so there is one wrapper per argument shape (cle_el_set_*, cle_history_*).
 * The rest of this header is the small amount of terminal machinery that is
 * easier and safer to write in C: the character reader with its signal
 * handling, the prompt callback, Ctrl-C handling, printing a completion list
 * below a wrapped input line, and the history file.
 *
 * Strings crossing this interface are UTF-8 (char *); wide characters stay
 * on the C side.
 */

#include <histedit.h>
#include <stddef.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Locale ------------------------------------------------------------ */

/* setlocale(LC_CTYPE, "") and fall back to C.UTF-8 (then en_US.UTF-8) when
 * the environment gives a non-UTF-8 character set. Must run before
 * el_init: libedit decides at init which bytes 0x80-0xff are printable.
 * Returns 1 when LC_CTYPE ends up UTF-8. */
int cle_setup_utf8_locale(void);

/* ---- Combining marks ---------------------------------------------------- */

/* The precomposed character for base followed by the combining mark, or 0
 * when there is none. */
typedef wchar_t (*cle_compose_fn)(wchar_t base, wchar_t mark);
/* With a composer set, a zero-width mark read after a character it composes
 * with replaces that character by the composition (see CLineEdit.c). */
void cle_set_composer(cle_compose_fn fn);

/* ---- Typed wrappers for the variadic API ------------------------------- */

/* Loads libedit (once): NULL when it is there, else why not, with what to
 * install. Every entry point below that calls libedit needs it loaded. */
const char *cle_load(void);

/* history_init, history_end, el_end through the loaded library. */
History *cle_history_init(void);
void cle_history_end(History *h);
void cle_el_end(EditLine *el);

/* el_init on stdin/stdout/stderr (NULL when libedit cannot be loaded). */
EditLine *cle_el_init(const char *prog);

/* el_set(el, op, int): EL_SIGNAL, EL_EDITMODE, EL_UNBUFFERED, EL_SAFEREAD. */
int cle_el_set_int(EditLine *el, int op, int value);
/* el_set(el, op, const char *): EL_EDITOR, EL_TERMINAL. */
int cle_el_set_string(EditLine *el, int op, const char *value);
/* el_set(el, op, a, NULL): e.g. EL_SETTY "-d" style single words. */
int cle_el_set_str1(EditLine *el, int op, const char *a);
/* el_set(el, op, a, b, NULL): EL_BIND key command, EL_SETTY mode flag. */
int cle_el_set_str2(EditLine *el, int op, const char *a, const char *b);
/* el_set(el, op, a, b, c, NULL): EL_BIND -a key command. */
int cle_el_set_str3(EditLine *el, int op, const char *a, const char *b,
    const char *c);
/* el_set(el, op): EL_REFRESH. */
int cle_el_set_void(EditLine *el, int op);
/* el_set(el, EL_ADDFN, name, help, fn). */
typedef unsigned char (*cle_editor_fn)(EditLine *, int);
int cle_el_addfn(EditLine *el, const char *name, const char *help,
    cle_editor_fn fn);
/* el_set(el, EL_HIST, history, h). */
int cle_el_set_hist(EditLine *el, History *h);
/* el_set(el, EL_CLIENTDATA, p) / el_get(el, EL_CLIENTDATA, &p). */
int cle_el_set_clientdata(EditLine *el, void *data);
void *cle_el_get_clientdata(EditLine *el);
/* el_get(el, op, &int): EL_SIGNAL, EL_EDITMODE, EL_UNBUFFERED. */
int cle_el_get_int(EditLine *el, int op, int *value);
/* el_get(el, EL_GETTC, cap, &int): numeric terminal capability ("co", "li"). */
int cle_el_gettc_int(EditLine *el, const char *cap, int *value);

/* history(h, ev, op): H_FIRST, H_LAST, H_PREV, H_NEXT, H_CURR, H_CLEAR,
 * H_GETSIZE, H_GETUNIQUE. */
int cle_history_void(History *h, HistEvent *ev, int op);
/* history(h, ev, op, int): H_SETSIZE, H_SETUNIQUE, H_SET, H_DEL. */
int cle_history_int(History *h, HistEvent *ev, int op, int value);
/* history(h, ev, op, const char *): H_ENTER, H_ADD, H_APPEND, H_LOAD, H_SAVE,
 * H_PREV_STR, H_NEXT_STR. */
int cle_history_string(History *h, HistEvent *ev, int op, const char *value);

/* ---- parley's editor set-up -------------------------------------------- */

/* Emacs bindings, prompt callback, history, the signal-aware reader,
 * Ctrl-C (bound to "parley-interrupt") and Ctrl-R (em-inc-search-prev).
 * Does not bind Tab: the caller adds its completion function. */
int cle_configure(EditLine *el, History *h);

/* The prompt shown by the EL_PROMPT_ESC callback; may change before every
 * read. Characters between two \001 are zero-width (escape sequences). */
void cle_set_prompt(const char *utf8);

/* Read one line. Returns a malloc'd UTF-8 string without its trailing
 * newline (free it), or NULL; *status is CLE_LINE, CLE_INTERRUPTED or
 * CLE_EOF. Installs the reader's signal handlers for the duration of the
 * call and restores the previous ones afterwards. */
enum { CLE_LINE = 0, CLE_INTERRUPTED = 1, CLE_EOF = 2 };
char *cle_read_line(EditLine *el, int *status);

/* Number of characters read from the terminal so far (to tell whether two
 * Tab presses were consecutive). */
unsigned long cle_keys_read(void);

/* The current line as malloc'd UTF-8 (free it); *cursor receives the
 * cursor position counted in Unicode scalars. */
char *cle_current_line(EditLine *el, int *cursor);
/* Insert UTF-8 text at the cursor. Returns 0 on success. */
int cle_insert(EditLine *el, const char *utf8);
/* Delete n Unicode scalars before the cursor. */
void cle_delete_before(EditLine *el, int n);

/* Terminal width in columns (at least 1). */
int cle_columns(EditLine *el);
/* Display width of a UTF-8 string (wide characters count 2). */
int cle_display_width(const char *utf8);
/* Print text (lines separated by \n) below the input line, which may wrap
 * over several rows, so that returning CC_REDISPLAY redraws the prompt and
 * line underneath it. */
void cle_print_below(EditLine *el, const char *text);

/* ---- History file -------------------------------------------------------- */

/* mkdir -p with the given mode for missing components. Returns 0 on success. */
int cle_mkdirs(const char *dir, int mode);
/* H_LOAD; returns the number of lines the file held (-1 when unreadable). */
int cle_history_load(History *h, const char *path);
/* Append one entry to the history file in libedit's format, creating it
 * with mode 0600 (and its header) when missing. Locks the file. */
int cle_history_append(const char *path, const char *line);
/* Rewrite the file keeping its last `limit` unique entries (every writer's
 * lines, not only this process's). Atomic (temporary file + rename). */
int cle_history_compact(const char *path, int limit);

/* ---- Terminal guard (also used by the secret reader) ----------------------- */

/* Remember the terminal settings of fd and, until cle_guard_end, restore them
 * if SIGTERM, SIGHUP or SIGQUIT arrives before passing the signal on. */
void cle_guard_begin(int fd);
void cle_guard_end(void);

#ifdef __cplusplus
}
#endif

#endif
