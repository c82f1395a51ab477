/* Fuzzes duration parsing (fetch/window.c) and the window arithmetic on what
 * it accepts: a parsed duration is positive and bounded, its rendering
 * parses back to no more than it (it rounds down), and every window lies
 * where window.h says it does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[64];
	int64_t secs, again;
	fetch_err err;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (window_parse_duration(s, &secs, &err) == 0) {
		if (secs < 0)
			abort();
		window_format_duration(secs, buf, sizeof buf);
		if (secs > 0 && (window_parse_duration(buf, &again, &err) != 0 || again > secs))
			abort();
	}
	if (window_parse(s, &secs, &err) == 0) {
		if (secs < WINDOW_MIN || secs > WINDOW_MAX)
			abort();
		check_windows(secs);
	}
	free(s);
	return 0;
}
