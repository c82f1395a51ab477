/* Fuzzes the setting value parsers (wrapper/settings/values.c) and the
 * window arithmetic (fetch/window.c) on the durations they accept: a parsed
 * duration is positive and bounded, its rendering parses back to no more
 * than it (it rounds down), and every window lies where window.h says it
 * does; sizes, counts and fractions stay in their ranges. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "values.h"
#include "window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_windows(int64_t len)
{
	const int64_t now = 1714557600 + 1234; /* 2024-05-01 10:20:34 UTC */
	window newest = window_newest(len, now), cur = window_current(len, now), w;
	unsigned steps = window_steps(len);
	char buf[96];

	if (newest.end > now || newest.end - newest.start != len || newest.end % len != 0)
		abort();
	if (cur.start != newest.end || cur.end != now || !cur.open)
		abort();
	if (steps < 1)
		abort();
	w = window_back(newest, len, steps - 1);
	if (w.end - w.start != len || w.end > newest.end)
		abort();
	window_format(newest, buf, sizeof buf);
	window_format(cur, buf, sizeof buf);
	if (!window_reusable(newest, len, now))
		abort();
}

static void check_others(const char *s)
{
	const char *why;
	unsigned long n;
	size_t size;
	double f;
	int b;

	if (value_size(s, &size) == 0 && size == 0)
		abort();
	if (value_count(s, 1000, &n) == 0 && n > 1000)
		abort();
	if (value_fraction(s, &f) == 0 && !(f >= 0 && f <= 1))
		abort();
	if (value_bool(s, &b) == 0 && b != 0 && b != 1)
		abort();
	if (value_url(s, &why) == 0 && strncasecmp(s, "http", 4) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[64];
	int64_t ms, again;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (value_duration(s, &ms) == 0) {
		int64_t secs = ms / 1000;
		if (ms < 0)
			abort();
		window_format_duration(secs, buf, sizeof buf);
		if (secs > 0 && (value_duration(buf, &again) != 0 || again > ms))
			abort();
		if (secs >= WINDOW_MIN && secs <= WINDOW_MAX)
			check_windows(secs);
	}
	check_others(s);
	free(s);
	return 0;
}
