/* window.c — aligned window arithmetic, and durations for people. */
#include "window.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Floor division: times before 1970 do not occur, but a negative clock in a
 * test must not make a window end after now. */
static int64_t floor_multiple(int64_t t, int64_t len)
{
	int64_t r = t % len;
	return r < 0 ? t - r - len : t - r;
}

window window_newest(int64_t len, int64_t now)
{
	window w;

	w.end = floor_multiple(now, len);
	w.start = w.end - len;
	w.open = 0;
	return w;
}

window window_back(window newest, int64_t len, unsigned k)
{
	window w = newest;

	w.end -= (int64_t)k * len;
	w.start = w.end - len;
	w.open = 0;
	return w;
}

unsigned window_steps(int64_t len)
{
	int64_t n = len > 0 ? WINDOW_LOOKBACK / len : 1;
	return n < 1 ? 1 : (unsigned)n;
}

window window_current(int64_t len, int64_t now)
{
	window w;

	w.start = floor_multiple(now, len);
	w.end = now;
	w.open = 1;
	return w;
}

int window_reusable(window w, int64_t len, int64_t now)
{
	return !w.open || now < w.start + len;
}

static void utc(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	gmtime_r(&tt, tm);
}

/* "HH:MM", or "HH:MM:SS" when the seconds are not 0. */
static void clock_text(const struct tm *tm, char *buf, size_t bufsz)
{
	if (tm->tm_sec)
		strftime(buf, bufsz, "%H:%M:%S", tm);
	else
		strftime(buf, bufsz, "%H:%M", tm);
}

char *window_format(window w, char *buf, size_t bufsz)
{
	struct tm a, b;
	char day_a[16], day_b[16], clock_a[16], clock_b[16];

	utc(w.start, &a);
	utc(w.end, &b);
	strftime(day_a, sizeof day_a, "%Y-%m-%d", &a);
	strftime(day_b, sizeof day_b, "%Y-%m-%d", &b);
	clock_text(&a, clock_a, sizeof clock_a);
	clock_text(&b, clock_b, sizeof clock_b);
	if (!strcmp(day_a, day_b))
		snprintf(buf, bufsz, "%s %s-%s UTC%s", day_a, clock_a, clock_b,
		         w.open ? " (open)" : "");
	else
		snprintf(buf, bufsz, "%s %s-%s %s UTC%s", day_a, clock_a, day_b, clock_b,
		         w.open ? " (open)" : "");
	return buf;
}

char *window_format_duration(int64_t s, char *buf, size_t bufsz)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, bufsz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, bufsz, "%" PRId64 "m", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, bufsz, "%" PRId64 "h", s / 3600);
	else
		snprintf(buf, bufsz, "%" PRId64 "d", s / 86400);
	return buf;
}
