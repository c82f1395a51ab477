/* window.h — the aligned windows a profile snapshot covers.
 *
 * A window of length L ends at the last whole multiple of L seconds since
 * the epoch (UTC) at or before now, so every machine that builds in the same
 * period asks for the same data. When it holds no samples, earlier windows
 * are tried, one length at a time, as far as 24 hours back; the last resort
 * is the current, still open window. Everything here is arithmetic on
 * seconds since the epoch with the clock passed in, so tests fix it.
 *
 * Nothing is allocated.
 */
#ifndef PGO_GO_WINDOW_H
#define PGO_GO_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#define WINDOW_MIN      60    /* 1m: shorter holds too few samples to matter */
#define WINDOW_MAX      86400 /* 24h: Pyroscope refuses longer query ranges */
#define WINDOW_DEFAULT  3600  /* 1h */
#define WINDOW_LOOKBACK 86400 /* how far back empty windows are stepped */

typedef struct window {
	int64_t start, end; /* [start, end), seconds since the epoch */
	int open;           /* the current window: end is "now", not a boundary */
} window;

/* The newest closed window of length len at time now. */
window window_newest(int64_t len, int64_t now);

/* The window k lengths before newest (k = 0: newest itself). */
window window_back(window newest, int64_t len, unsigned k);

/* How many closed windows window_back may reach: as many as fit in
 * WINDOW_LOOKBACK, at least 1. */
unsigned window_steps(int64_t len);

/* The current, still open window: [newest.end, now). Empty (start == end)
 * when now is exactly on a boundary. */
window window_current(int64_t len, int64_t now);

/* Whether a snapshot of window w may still be used at time now: a closed
 * window always, an open one only until its length has passed since it
 * began (then a closed window holds its data). */
int window_reusable(window w, int64_t len, int64_t now);

/* "2024-05-01 10:00-11:00 UTC"; "2024-05-01 23:00-2024-05-02 00:00 UTC"
 * across midnight; seconds shown when a bound has them; " (open)" appended
 * for an open window. Returns buf. */
char *window_format(window w, char *buf, size_t bufsz);

/* A duration for people: "45s", "12m", "3h", "2d" (rounded down). */
char *window_format_duration(int64_t seconds, char *buf, size_t bufsz);

#endif
