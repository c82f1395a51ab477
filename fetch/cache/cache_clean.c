/* cache_clean.c — `pgo-go cache clean`: old snapshot records go, then the
 * profiles no record names any more, and leftovers of crashed writes. */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "cache_int.h"

/* The hashes the remaining snapshots name. */
struct keep_set {
	char (*sha)[CACHE_HEX_LEN + 1];
	size_t n, cap;
};

static int keep_add(struct keep_set *k, const char *sha)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		void *g = realloc(k->sha, cap * sizeof *k->sha);
		if (!g)
			return -1;
		k->sha = g;
		k->cap = cap;
	}
	memcpy(k->sha[k->n++], sha, CACHE_HEX_LEN + 1);
	return 0;
}

static int keep_has(const struct keep_set *k, const char *sha)
{
	for (size_t i = 0; i < k->n; i++)
		if (!memcmp(k->sha[i], sha, CACHE_HEX_LEN))
			return 1;
	return 0;
}

/* A temporary file a crashed writer left: removed once it is an hour old
 * (a younger one may still be being written). Returns whether name is one. */
static int clean_stale_tmp(const char *dir, const char *name, int64_t now)
{
	char path[PATH_MAX * 2];
	struct stat sb;

	if (strncmp(name, ".tmp-", 5) != 0)
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (int64_t)sb.st_mtime <= now - 3600)
		unlink(path);
	return 1;
}

/* Removes old (or unreadable) records and stale temporary files; collects
 * the hashes of the rest. */
static int clean_snapshots(const cache *c, int64_t cutoff, int64_t now, struct keep_set *keep,
                           cache_clean_stats *st, fetch_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	DIR *d;
	struct dirent *e;
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/snapshots", c->dir);
	if (!(d = opendir(dir)))
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		cache_meta m = {0};
		char key[CACHE_HEX_LEN + 1];
		int found;

		if (clean_stale_tmp(dir, e->d_name, now) || !cache_is_hex_name(e->d_name, ".json"))
			continue;
		memcpy(key, e->d_name, CACHE_HEX_LEN);
		key[CACHE_HEX_LEN] = '\0';
		if ((found = cache_meta_read(c, key, &m, err)) < 0)
			rc = -1;
		else if (found && m.fetched_at >= cutoff)
			rc = keep_add(keep, m.sha256) == 0 ? 0 : fetch_err_nomem(err);
		else {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (unlink(path) == 0)
				st->snapshots++;
		}
		cache_meta_clear(&m);
	}
	closedir(d);
	return rc;
}

/* Removes unnamed profiles and temporary files left by a crash. */
static void clean_profiles(const cache *c, const struct keep_set *keep, int64_t now,
                           cache_clean_stats *st)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/profiles", c->dir);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		int tmp = !strncmp(e->d_name, ".tmp-", 5);
		if (!tmp && (!cache_is_hex_name(e->d_name, ".pgo") || keep_has(keep, e->d_name)))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) != 0 || (int64_t)sb.st_mtime > now - (tmp ? 3600 : 60))
			continue;
		if (unlink(path) == 0 && !tmp) {
			st->profiles++;
			st->bytes += (int64_t)sb.st_size;
		}
	}
	closedir(d);
}

/* The records of sub (service answers, servers down, fits, holds) older than the
 * cutoff (all when cleaning all), and temporary files a crash left, once
 * an hour old. */
static void clean_records(const cache *c, const char *sub, int64_t cutoff, int64_t now)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/%s", c->dir, sub);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (clean_stale_tmp(dir, e->d_name, now) || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (int64_t)sb.st_mtime < cutoff)
			unlink(path);
	}
	closedir(d);
}

int cache_clean(const cache *c, int64_t older_than, int64_t now, cache_clean_stats *st,
                fetch_err *err)
{
	struct keep_set keep = {0};
	int64_t cutoff = older_than > 0 ? now - older_than : INT64_MAX;
	int rc;

	memset(st, 0, sizeof *st);
	rc = clean_snapshots(c, cutoff, now, &keep, st, err);
	if (rc == 0) {
		clean_profiles(c, &keep, older_than > 0 ? now : INT64_MAX / 2, st);
		clean_records(c, "services", cutoff, older_than > 0 ? now : INT64_MAX / 2);
		clean_records(c, "down", cutoff, older_than > 0 ? now : INT64_MAX / 2);
		clean_records(c, "fits", cutoff, older_than > 0 ? now : INT64_MAX / 2);
		clean_records(c, "holds", cutoff, older_than > 0 ? now : INT64_MAX / 2);
	}
	free(keep.sha);
	return rc;
}
