/* cache_hold.c — the hold's records (fetch_hold.c): for a snapshot key, the
 * key of the snapshot chosen to stand for it. One small file each under
 * holds/, made on the first hold. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"
#include "cache_int.h"

#define HOLD_TAG "pgo-go hold v1\n"

int cache_hold_get(const cache *c, const char *key, char chosen[CACHE_HEX_LEN + 1], double *change)
{
	char buf[256], *p, *end;
	size_t n = cache_read_record(c->dir, "holds", key, buf, sizeof buf), tag = strlen(HOLD_TAG);
	long ppm;

	/* A record that does not read back whole is no record. */
	if (n < tag + CACHE_HEX_LEN + 1 || memcmp(buf, HOLD_TAG, tag) != 0)
		return 0;
	p = buf + tag;
	if (p[CACHE_HEX_LEN] != '\n')
		return 0;
	p[CACHE_HEX_LEN] = '\0';
	if (!cache_is_hex_name(p, ""))
		return 0;
	ppm = strtol(p + CACHE_HEX_LEN + 1, &end, 10);
	if (end == p + CACHE_HEX_LEN + 1 || *end != '\n' || end[1] || ppm < 0 || ppm > 1000000)
		return 0;
	memcpy(chosen, p, CACHE_HEX_LEN + 1);
	*change = (double)ppm / 1e6;
	return 1;
}

int cache_hold_put(const cache *c, const char *key, const char *chosen, double change,
                   fetch_err *err)
{
	char dir[PATH_MAX], text[256];
	long ppm = (long)(change * 1e6 + 0.5);
	int n;

	snprintf(dir, sizeof dir, "%s/holds", c->dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fetch_errf(err, FETCH_E_IO, "cannot create %s: %s", dir, strerror(errno));
	n = snprintf(text, sizeof text, HOLD_TAG "%s\n%ld\n", chosen,
	             ppm < 0         ? 0
	             : ppm > 1000000 ? 1000000
	                             : ppm);
	return cache_write_atomic(dir, key, text, (size_t)n, err);
}
