/*
 * libedit glue for parley's interactive shell. See include/CLineEdit.h.
 */
#define _GNU_SOURCE
#include "CLineEdit.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

/* ------------------------------------------------------------------------ */
/* libedit is loaded with dlopen when the first line editor is made, not
 * linked: a script, a `-c` command or a pipe never edits a line, and loading
 * libedit with the libraries it needs (terminfo, libbsd, libmd) is a good
 * part of a short command's start. The calls below keep libedit's names.   */

static struct {
	EditLine *(*el_init)(const char *, FILE *, FILE *, FILE *);
	void (*el_end)(EditLine *);
	int (*el_set)(EditLine *, int, ...);
	int (*el_get)(EditLine *, int, ...);
	int (*el_wset)(EditLine *, int, ...);
	const wchar_t *(*el_wgets)(EditLine *, int *);
	const LineInfoW *(*el_wline)(EditLine *);
	int (*el_winsertstr)(EditLine *, const wchar_t *);
	void (*el_deletestr)(EditLine *, int);
	int (*el_cursor)(EditLine *, int);
	void (*el_resize)(EditLine *);
	void (*el_wpush)(EditLine *, const wchar_t *);
	History *(*history_init)(void);
	void (*history_end)(History *);
	int (*history)(History *, HistEvent *, int, ...);
} edit;

static pthread_once_t edit_once = PTHREAD_ONCE_INIT;
static char edit_error[512];
static int edit_loaded = 0;

static void edit_load(void)
{
	void *h = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		snprintf(edit_error, sizeof edit_error,
			 "libedit, the line editing library, cannot be loaded (%s): install it with apt-get install libedit2",
			 why ? why : "not found");
		return;
	}
#define BIND(field)                                                                    \
	if (!(*(void **)&edit.field = dlsym(h, #field))) {                             \
		snprintf(edit_error, sizeof edit_error,                                \
			 "libedit lacks %s: install a newer libedit2", #field);        \
		return;                                                                \
	}
	BIND(el_init)
	BIND(el_end)
	BIND(el_set)
	BIND(el_get)
	BIND(el_wset)
	BIND(el_wgets)
	BIND(el_wline)
	BIND(el_winsertstr)
	BIND(el_deletestr)
	BIND(el_cursor)
	BIND(el_resize)
	BIND(el_wpush)
	BIND(history_init)
	BIND(history_end)
	BIND(history)
#undef BIND
	edit_loaded = 1;
}

const char *cle_load(void)
{
	pthread_once(&edit_once, edit_load);
	return edit_loaded ? NULL : edit_error;
}

#define el_init (edit.el_init)
#define el_end (edit.el_end)
#define el_set (edit.el_set)
#define el_get (edit.el_get)
#define el_wset (edit.el_wset)
#define el_wgets (edit.el_wgets)
#define el_wline (edit.el_wline)
#define el_winsertstr (edit.el_winsertstr)
#define el_deletestr (edit.el_deletestr)
#define el_cursor (edit.el_cursor)
#define el_resize (edit.el_resize)
#define el_wpush (edit.el_wpush)
#define history_init (edit.history_init)
#define history_end (edit.history_end)
#define history (edit.history)

History *cle_history_init(void)
{
	return cle_load() ? NULL : history_init();
}

void cle_history_end(History *h)
{
	history_end(h);
}

void cle_el_end(EditLine *el)
{
	el_end(el);
}

/* ------------------------------------------------------------------------ */
/* UTF-8 <-> wchar_t (UCS-4 on the platforms parley runs on), independent of
 * the C library's locale tables.                                            */

static size_t utf8_encode(wchar_t wc, char out[4])
{
	unsigned long c = (unsigned long)wc;
	if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = 0xFFFD;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	} else if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Length of the sequence announced by a lead byte, 0 when not a lead byte. */
static int utf8_seq_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

/* Decode one complete sequence of len bytes; returns -1 when invalid. */
static long utf8_decode_seq(const unsigned char *s, int len)
{
	long c;
	int i;
	if (len == 1)
		return s[0];
	c = s[0] & (0x7F >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	return c;
}

/* Decode a whole UTF-8 string into a malloc'd, NUL-terminated wide string;
 * invalid bytes become U+FFFD. */
static wchar_t *utf8_to_wide(const char *s, size_t *outlen)
{
	size_t n = strlen(s), i = 0, k = 0;
	wchar_t *w = malloc((n + 1) * sizeof(wchar_t));
	if (w == NULL)
		return NULL;
	while (i < n) {
		const unsigned char *p = (const unsigned char *)s + i;
		int len = utf8_seq_len(p[0]);
		long c = -1;
		if (len > 0 && i + (size_t)len <= n)
			c = utf8_decode_seq(p, len);
		if (c < 0) {
			w[k++] = 0xFFFD;
			i += 1;
		} else {
			w[k++] = (wchar_t)c;
			i += (size_t)len;
		}
	}
	w[k] = 0;
	if (outlen)
		*outlen = k;
	return w;
}

static char *wide_to_utf8(const wchar_t *w, size_t n)
{
	char *out = malloc(n * 4 + 1), *p = out;
	size_t i;
	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p += utf8_encode(w[i], p);
	*p = '\0';
	return out;
}

static int wide_width(const wchar_t *w, size_t n)
{
	int total = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		int cw = wcwidth(w[i]);
		if (cw < 0)
			cw = (w[i] < 0x20 || w[i] == 0x7F) ? 2 : 1; /* shown as ^X */
		total += cw;
	}
	return total;
}

/* ------------------------------------------------------------------------ */
/* Locale                                                                    */

static int codeset_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs != NULL &&
	    (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0 ||
	     strcmp(cs, "utf-8") == 0);
}

int cle_setup_utf8_locale(void)
{
	static const char *fallbacks[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	size_t i;
	setlocale(LC_CTYPE, "");
	if (codeset_is_utf8())
		return 1;
	for (i = 0; i < sizeof(fallbacks) / sizeof(fallbacks[0]); i++)
		if (setlocale(LC_CTYPE, fallbacks[i]) != NULL && codeset_is_utf8())
			return 1;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Typed wrappers                                                            */

EditLine *cle_el_init(const char *prog)
{
	if (cle_load())
		return NULL;
	return el_init(prog, stdin, stdout, stderr);
}

int cle_el_set_int(EditLine *el, int op, int value)
{
	return el_set(el, op, value);
}

int cle_el_set_string(EditLine *el, int op, const char *value)
{
	return el_set(el, op, value);
}

int cle_el_set_str1(EditLine *el, int op, const char *a)
{
	return el_set(el, op, a, (const char *)NULL);
}

int cle_el_set_str2(EditLine *el, int op, const char *a, const char *b)
{
	return el_set(el, op, a, b, (const char *)NULL);
}

int cle_el_set_str3(EditLine *el, int op, const char *a, const char *b,
    const char *c)
{
	return el_set(el, op, a, b, c, (const char *)NULL);
}

int cle_el_set_void(EditLine *el, int op)
{
	return el_set(el, op);
}

int cle_el_addfn(EditLine *el, const char *name, const char *help,
    cle_editor_fn fn)
{
	return el_set(el, EL_ADDFN, name, help, fn);
}

int cle_el_set_hist(EditLine *el, History *h)
{
	return el_set(el, EL_HIST, history, h);
}

int cle_el_set_clientdata(EditLine *el, void *data)
{
	return el_set(el, EL_CLIENTDATA, data);
}

void *cle_el_get_clientdata(EditLine *el)
{
	void *data = NULL;
	if (el_get(el, EL_CLIENTDATA, &data) != 0)
		return NULL;
	return data;
}

int cle_el_get_int(EditLine *el, int op, int *value)
{
	return el_get(el, op, value);
}

int cle_el_gettc_int(EditLine *el, const char *cap, int *value)
{
	return el_get(el, EL_GETTC, cap, (void *)value, (void *)NULL);
}

int cle_history_void(History *h, HistEvent *ev, int op)
{
	return history(h, ev, op);
}

int cle_history_int(History *h, HistEvent *ev, int op, int value)
{
	return history(h, ev, op, value);
}

int cle_history_string(History *h, HistEvent *ev, int op, const char *value)
{
	return history(h, ev, op, value);
}

/* ------------------------------------------------------------------------ */
/* Terminal guard: restore the saved settings on fatal signals.              */

static const int guard_signals[] = { SIGTERM, SIGHUP, SIGQUIT };
#define GUARD_COUNT (sizeof(guard_signals) / sizeof(guard_signals[0]))

static volatile sig_atomic_t g_guard_active;
static int g_guard_fd = -1;
static struct termios g_guard_saved;
static struct sigaction g_guard_prev[GUARD_COUNT];

static void guard_handler(int sig)
{
	size_t i;
	int saved_errno = errno;
	if (g_guard_active)
		(void)tcsetattr(g_guard_fd, TCSANOW, &g_guard_saved);
	for (i = 0; i < GUARD_COUNT; i++)
		if (guard_signals[i] == sig)
			(void)sigaction(sig, &g_guard_prev[i], NULL);
	/* Pending until this handler returns, then delivered with the
	 * disposition the program had before. */
	(void)raise(sig);
	errno = saved_errno;
}

void cle_guard_begin(int fd)
{
	struct sigaction sa;
	size_t i;
	if (g_guard_active)
		return;
	if (tcgetattr(fd, &g_guard_saved) != 0)
		return;
	g_guard_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < GUARD_COUNT; i++)
		(void)sigaction(guard_signals[i], &sa, &g_guard_prev[i]);
	g_guard_active = 1;
}

void cle_guard_end(void)
{
	size_t i;
	if (!g_guard_active)
		return;
	g_guard_active = 0;
	for (i = 0; i < GUARD_COUNT; i++)
		(void)sigaction(guard_signals[i], &g_guard_prev[i], NULL);
}

/* ------------------------------------------------------------------------ */
/* The character reader.
 *
 * libedit's own reader retries a read() interrupted by SIGINT and, with
 * EL_SIGNAL, re-sends the signal to the whole process group after switching
 * the terminal to cooked mode. Neither gives "Ctrl-C cancels the line", and a
 * signal may be delivered to any thread of the process, leaving read()
 * blocked. So parley reads with poll() on the terminal and on a self-pipe the
 * handlers write to:
 *   SIGINT   -> the reader returns ^C, bound to parley-interrupt
 *   SIGWINCH -> el_resize
 *   SIGTSTP  -> terminal restored, process stopped, redrawn on resume
 */

#define CLE_INTERRUPT_KEY 0x03

/* Combining marks. libedit's redisplay gives every character of the line a
 * screen cell of its own, a zero-width one included, while the terminal
 * draws a combining mark on the cell before it: once the line holds one,
 * libedit's idea of the screen and cursor drifts from the terminal's and
 * later edits land in the wrong columns. So a mark typed or pasted after a
 * character it composes with replaces that character with the precomposed
 * one (NFC: e + U+0301 becomes U+00E9), and the line only ever holds
 * characters libedit measures right. The reader hands the mark over as
 * CLE_COMPOSE_KEY, a C1 control no keyboard sends, bound to fn_compose. */
#define CLE_COMPOSE_KEY 0x9F

static cle_compose_fn g_composer;
static wchar_t g_pending_mark;

void cle_set_composer(cle_compose_fn fn)
{
	g_composer = fn;
}

static int is_zero_width_mark(wchar_t c)
{
	return c >= 0x300 && wcwidth(c) == 0;
}

/* During an incremental search libedit shows the search prompt after a
 * newline appended to the line; the keys read then are the pattern's. */
static int line_is_searching(EditLine *el)
{
	const LineInfoW *li = el_wline(el);
	return wmemchr(li->buffer, L'\n', (size_t)(li->lastchar - li->buffer))
	    != NULL;
}

static unsigned char fn_compose(EditLine *el, int ch)
{
	const LineInfoW *li = el_wline(el);
	wchar_t text[2] = { g_pending_mark, 0 };
	(void)ch;
	g_pending_mark = 0;
	if (text[0] == 0)
		return CC_ERROR;
	if (g_composer != NULL && li->cursor > li->buffer) {
		wchar_t c = g_composer(li->cursor[-1], text[0]);
		if (c != 0) {
			el_deletestr(el, 1);
			text[0] = c;
		}
	}
	if (el_winsertstr(el, text) != 0)
		return CC_ERROR;
	return CC_REFRESH;
}

static int g_sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t g_pending_int;
static volatile sig_atomic_t g_pending_winch;
static volatile sig_atomic_t g_pending_tstp;
static int g_interrupted;
static unsigned long g_keys;
static int g_infd = 0;

static const int reader_signals[] = { SIGINT, SIGWINCH, SIGTSTP };
#define READER_COUNT (sizeof(reader_signals) / sizeof(reader_signals[0]))
static struct sigaction g_reader_prev[READER_COUNT];

static void reader_handler(int sig)
{
	int saved_errno = errno;
	char b = (char)sig;
	if (sig == SIGINT)
		g_pending_int = 1;
	else if (sig == SIGWINCH)
		g_pending_winch = 1;
	else if (sig == SIGTSTP)
		g_pending_tstp = 1;
	if (g_sigpipe[1] >= 0)
		(void)!write(g_sigpipe[1], &b, 1);
	errno = saved_errno;
}

static void reader_signals_install(void)
{
	struct sigaction sa;
	size_t i;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reader_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: let poll() return */
	for (i = 0; i < READER_COUNT; i++)
		(void)sigaction(reader_signals[i], &sa, &g_reader_prev[i]);
}

static void reader_signals_restore(void)
{
	size_t i;
	for (i = 0; i < READER_COUNT; i++)
		(void)sigaction(reader_signals[i], &g_reader_prev[i], NULL);
}

static void drain_sigpipe(void)
{
	char buf[64];
	while (read(g_sigpipe[0], buf, sizeof(buf)) > 0)
		continue;
}

static void suspend_self(EditLine *el)
{
	struct termios raw;
	struct sigaction dfl, old;
	sigset_t set, oset;
	int have_raw = tcgetattr(g_infd, &raw) == 0;

	fputs("\r\n", stdout);
	fflush(stdout);
	if (g_guard_active)
		(void)tcsetattr(g_infd, TCSADRAIN, &g_guard_saved);

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	(void)sigaction(SIGTSTP, &dfl, &old);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	(void)pthread_sigmask(SIG_UNBLOCK, &set, &oset);
	(void)raise(SIGTSTP); /* stops here until SIGCONT */
	(void)pthread_sigmask(SIG_SETMASK, &oset, NULL);
	(void)sigaction(SIGTSTP, &old, NULL);

	/* Resumed: the shell may have changed the cooked settings. */
	if (g_guard_active)
		(void)tcgetattr(g_infd, &g_guard_saved);
	if (have_raw)
		(void)tcsetattr(g_infd, TCSADRAIN, &raw);
	el_resize(el);
	el_set(el, EL_REFRESH);
}

static int cle_getcfn(EditLine *el, wchar_t *wc)
{
	unsigned char buf[4];
	int have = 0, need = 0;

	for (;;) {
		struct pollfd fds[2];
		int r;

		if (g_pending_winch) {
			g_pending_winch = 0;
			el_resize(el);
		}
		if (g_pending_tstp) {
			g_pending_tstp = 0;
			suspend_self(el);
		}
		if (g_pending_int) {
			g_pending_int = 0;
			*wc = CLE_INTERRUPT_KEY;
			g_keys++;
			return 1;
		}

		fds[0].fd = g_infd;
		fds[0].events = POLLIN;
		fds[0].revents = 0;
		fds[1].fd = g_sigpipe[0];
		fds[1].events = POLLIN;
		fds[1].revents = 0;
		r = poll(fds, g_sigpipe[0] >= 0 ? 2 : 1, -1);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			*wc = 0;
			return -1;
		}
		if (g_sigpipe[0] >= 0 && (fds[1].revents & POLLIN)) {
			drain_sigpipe();
			continue;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			ssize_t k = read(g_infd, buf + have, 1);
			if (k < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				*wc = 0;
				return -1;
			}
			if (k == 0) {
				*wc = 0;
				return 0; /* end of file */
			}
			if (have == 0) {
				need = utf8_seq_len(buf[0]);
				if (need == 0)
					continue; /* stray byte: drop it */
			} else if ((buf[have] & 0xC0) != 0x80) {
				/* Broken sequence: restart with this byte. */
				buf[0] = buf[have];
				have = 0;
				need = utf8_seq_len(buf[0]);
				if (need == 0)
					continue;
			}
			have++;
			if (have < need)
				continue;
			{
				long c = utf8_decode_seq(buf, need);
				have = 0;
				if (c < 0)
					continue;
				*wc = (wchar_t)c;
				g_keys++;
				if (g_composer != NULL && is_zero_width_mark(*wc) &&
				    !line_is_searching(el)) {
					g_pending_mark = *wc;
					*wc = CLE_COMPOSE_KEY;
				}
				return 1;
			}
		}
	}
}

unsigned long cle_keys_read(void)
{
	return g_keys;
}

/* Ctrl-C: show ^C at the end of the line, then end the line through
 * ed-newline (pushed as input) so that libedit leaves the cursor below the
 * whole, possibly wrapped, line. cle_read_line reports it as interrupted. */
static unsigned char fn_interrupt(EditLine *el, int ch)
{
	const LineInfoW *li = el_wline(el);
	(void)ch;
	g_interrupted = 1;
	el_cursor(el, (int)(li->lastchar - li->cursor));
	(void)el_winsertstr(el, L"^C");
	el_wpush(el, L"\n");
	return CC_REFRESH;
}

/* ------------------------------------------------------------------------ */
/* Prompt                                                                    */

static wchar_t *g_prompt;
static wchar_t g_empty_prompt[1] = { 0 };

static wchar_t *prompt_fn(EditLine *el)
{
	(void)el;
	return g_prompt ? g_prompt : g_empty_prompt;
}

void cle_set_prompt(const char *utf8)
{
	wchar_t *w = utf8_to_wide(utf8 ? utf8 : "", NULL);
	if (w == NULL)
		return;
	free(g_prompt);
	g_prompt = w;
}

static int prompt_width(void)
{
	const wchar_t *p = g_prompt ? g_prompt : g_empty_prompt;
	int w = 0, in_escape = 0;
	for (; *p; p++) {
		if (*p == 1) {
			in_escape = !in_escape;
			continue;
		}
		if (!in_escape)
			w += wide_width(p, 1);
	}
	return w;
}

/* ------------------------------------------------------------------------ */
/* Set-up and reading                                                        */

int cle_configure(EditLine *el, History *h)
{
	int rc = 0;
	if (g_sigpipe[0] < 0 && pipe2(g_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		g_sigpipe[0] = g_sigpipe[1] = -1;
		rc = -1;
	}
	g_infd = fileno(stdin);
	rc |= el_set(el, EL_EDITOR, "emacs");
	rc |= el_set(el, EL_SIGNAL, 0);
	rc |= el_wset(el, EL_PROMPT_ESC, prompt_fn, L'\1');
	if (h != NULL)
		rc |= el_set(el, EL_HIST, history, h);
	rc |= el_wset(el, EL_GETCFN, cle_getcfn);
	rc |= el_set(el, EL_ADDFN, "parley-interrupt",
	    "Cancel the current line", fn_interrupt);
	rc |= el_set(el, EL_BIND, "^C", "parley-interrupt", (const char *)NULL);
	rc |= el_set(el, EL_ADDFN, "parley-compose",
	    "Compose a combining mark with the character before it", fn_compose);
	rc |= el_wset(el, EL_BIND, L"\x9f", L"parley-compose",
	    (const wchar_t *)NULL);
	/* libedit's emacs map has ^R as ed-redisplay. */
	rc |= el_set(el, EL_BIND, "^R", "em-inc-search-prev",
	    (const char *)NULL);
	return rc;
}

char *cle_read_line(EditLine *el, int *status)
{
	const wchar_t *w;
	int n = 0;
	char *out;

	g_infd = fileno(stdin);
	g_interrupted = 0;
	g_pending_int = 0;
	g_pending_tstp = 0;
	if (g_sigpipe[0] >= 0)
		drain_sigpipe();
	cle_guard_begin(g_infd);
	reader_signals_install();
	w = el_wgets(el, &n);
	reader_signals_restore();
	cle_guard_end();

	if (g_interrupted) {
		g_interrupted = 0;
		*status = CLE_INTERRUPTED;
		return NULL;
	}
	if (w == NULL || n <= 0) {
		/* Ctrl-D on an empty line (libedit echoed ^D) or the terminal
		 * went away: leave the cursor on a fresh line. */
		fputs("\n", stdout);
		fflush(stdout);
		*status = CLE_EOF;
		return NULL;
	}
	while (n > 0 && (w[n - 1] == L'\n' || w[n - 1] == L'\r'))
		n--;
	out = wide_to_utf8(w, (size_t)n);
	*status = out ? CLE_LINE : CLE_EOF;
	return out;
}

char *cle_current_line(EditLine *el, int *cursor)
{
	const LineInfoW *li = el_wline(el);
	*cursor = (int)(li->cursor - li->buffer);
	return wide_to_utf8(li->buffer, (size_t)(li->lastchar - li->buffer));
}

int cle_insert(EditLine *el, const char *utf8)
{
	size_t n = 0;
	wchar_t *w;
	int rc;
	if (utf8 == NULL || *utf8 == '\0')
		return 0;
	w = utf8_to_wide(utf8, &n);
	if (w == NULL)
		return -1;
	rc = el_winsertstr(el, w);
	free(w);
	return rc;
}

void cle_delete_before(EditLine *el, int n)
{
	if (n > 0)
		el_deletestr(el, n);
}

int cle_columns(EditLine *el)
{
	int cols = 0;
	if (cle_el_gettc_int(el, "co", &cols) != 0 || cols < 1)
		cols = 80;
	return cols;
}

int cle_display_width(const char *utf8)
{
	size_t n = 0;
	int w;
	wchar_t *ws = utf8_to_wide(utf8 ? utf8 : "", &n);
	if (ws == NULL)
		return 0;
	w = wide_width(ws, n);
	free(ws);
	return w;
}

void cle_print_below(EditLine *el, const char *text)
{
	const LineInfoW *li = el_wline(el);
	int cols = cle_columns(el);
	int pw = prompt_width();
	int before = wide_width(li->buffer, (size_t)(li->cursor - li->buffer));
	int all = wide_width(li->buffer, (size_t)(li->lastchar - li->buffer));
	int row = (pw + before) / cols;  /* row of the cursor in the input */
	int last = (pw + all) / cols;    /* last row used by the input */
	int i;
	const char *p;

	/* Below the input. */
	for (i = row; i <= last; i++)
		fputs("\r\n", stdout);
	for (p = text; *p; p++) {
		if (*p == '\n')
			fputs("\r\n", stdout);
		else
			fputc(*p, stdout);
	}
	if (p != text && p[-1] != '\n')
		fputs("\r\n", stdout);
	/* On CC_REDISPLAY libedit clears the rows it believes the input uses,
	 * counted from where it believes the cursor is: `row` rows above the
	 * actual cursor. Give it blank rows there instead of the list. */
	for (i = 0; i < row; i++)
		fputs("\r\n", stdout);
	fflush(stdout);
}

/* ------------------------------------------------------------------------ */
/* History file                                                              */

static const char hist_cookie[] = "_HiStOrY_V2_\n";

int cle_mkdirs(const char *dir, int mode)
{
	char *buf, *p;
	struct stat st;
	if (dir == NULL || *dir == '\0')
		return 0;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -1;
	buf = strdup(dir);
	if (buf == NULL)
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) {
			free(buf);
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) {
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

int cle_history_load(History *h, const char *path)
{
	HistEvent ev;
	return history(h, &ev, H_LOAD, path);
}

/* Open (creating with 0600) and lock path. If another process replaced the
 * file while we waited for the lock, open the new one. */
static int open_locked(const char *path, int flags)
{
	int tries;
	for (tries = 0; tries < 8; tries++) {
		struct stat a, b;
		int fd = open(path, flags | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) != 0) {
			close(fd);
			return -1;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			if ((a.st_mode & 077) != 0)
				(void)fchmod(fd, S_IRUSR | S_IWUSR);
			return fd;
		}
		close(fd);
	}
	return -1;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, s, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Encode like strvis(VIS_WHITE) so that libedit's H_LOAD (strunvis) reads
 * it back: backslash doubled, blanks and control characters as \ooo. */
static char *vis_encode(const char *line)
{
	size_t n = strlen(line), i;
	char *out = malloc(n * 4 + 2), *p = out;
	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (c <= 0x20 || c == 0x7F) {
			p += sprintf(p, "\\%03o", c);
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '\n';
	*p = '\0';
	return out;
}

int cle_history_append(const char *path, const char *line)
{
	int fd, rc = 0;
	off_t end;
	char *enc = vis_encode(line);
	if (enc == NULL)
		return -1;
	fd = open_locked(path, O_WRONLY | O_APPEND);
	if (fd < 0) {
		free(enc);
		return -1;
	}
	end = lseek(fd, 0, SEEK_END);
	if (end == 0)
		rc = write_all(fd, hist_cookie, strlen(hist_cookie));
	if (rc == 0)
		rc = write_all(fd, enc, strlen(enc));
	free(enc);
	close(fd); /* releases the lock */
	return rc;
}

int cle_history_compact(const char *path, int limit)
{
	History *h;
	HistEvent ev;
	char *tmp;
	int fd, tfd, rc = -1;
	FILE *fp;
	size_t len = strlen(path) + 32;

	if (cle_load())
		return -1;
	fd = open_locked(path, O_RDWR);
	if (fd < 0)
		return -1;
	h = history_init();
	if (h == NULL) {
		close(fd);
		return -1;
	}
	history(h, &ev, H_SETSIZE, limit > 0 ? limit : 1);
	history(h, &ev, H_SETUNIQUE, 1);
	(void)history(h, &ev, H_LOAD, path);

	tmp = malloc(len);
	if (tmp == NULL)
		goto out;
	snprintf(tmp, len, "%s.%ld.tmp", path, (long)getpid());
	tfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (tfd < 0)
		goto out_tmp;
	fp = fdopen(tfd, "w");
	if (fp == NULL) {
		close(tfd);
		unlink(tmp);
		goto out_tmp;
	}
	if (history(h, &ev, H_SAVE_FP, fp) < 0 || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0) {
		fclose(fp);
		unlink(tmp);
		goto out_tmp;
	}
	fclose(fp);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto out_tmp;
	}
	rc = 0;
out_tmp:
	free(tmp);
out:
	history_end(h);
	close(fd);
	return rc;
}
