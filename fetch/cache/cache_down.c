/* cache_down.c — the negative entries: a server that failed, remembered
 * for the fetches of the next minute or so (fetch_down.c decides how long
 * and for which connection; this file only keeps the records). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "cache_int.h"

#define DOWN_TAG "pgo-go server down v1\n"

size_t cache_read_record(const char *dir, const char *sub, const char *key, char *buf, size_t bufsz)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, key);
	buf[0] = '\0';
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, bufsz - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

int cache_down_get(const cache *c, const char *key, int64_t *t, int *code, char *msg, size_t msgsz)
{
	char buf[1024], *p, *end;
	size_t n = cache_read_record(c->dir, "down", key, buf, sizeof buf), tag = strlen(DOWN_TAG);

	/* A record that does not read back whole is no record. */
	if (n < tag || memcmp(buf, DOWN_TAG, tag) != 0)
		return 0;
	p = buf + tag;
	*t = strtoll(p, &end, 10);
	if (end == p || *end != ' ')
		return 0;
	*code = (int)strtol(end + 1, &end, 10);
	if (*end != '\n' || !strchr(end + 1, '\n'))
		return 0;
	end++;
	end[strcspn(end, "\n")] = '\0';
	snprintf(msg, msgsz, "%s", end);
	return 1;
}

int cache_down_put(const cache *c, const char *key, int64_t t, int code, const char *msg,
                   fetch_err *err)
{
	char dir[PATH_MAX], text[1024];
	int n;

	snprintf(dir, sizeof dir, "%s/down", c->dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fetch_errf(err, FETCH_E_IO, "cannot create %s: %s", dir, strerror(errno));
	n = snprintf(text, sizeof text, DOWN_TAG "%" PRId64 " %d\n%.900s\n", t, code, msg);
	return cache_write_atomic(dir, key, text, (size_t)n, err);
}

void cache_down_clear(const cache *c, const char *key)
{
	char path[PATH_MAX];
	struct stat st;

	/* Looked at first: a success is the common case, and a cache that
	 * holds no record is not to be written to for it. */
	snprintf(path, sizeof path, "%s/down/%s", c->dir, key);
	if (stat(path, &st) == 0)
		unlink(path);
}
