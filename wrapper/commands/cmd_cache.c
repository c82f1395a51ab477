/* `pgo-go cache list|clean|path`: the profile cache, for people. */
#include "cmd_cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "config.h"
#include "msg.h"
#include "project.h"
#include "values.h"
#include "window.h"

static const char cache_usage[] = "usage: pgo-go cache list\n"
                                  "       pgo-go cache clean [--older-than DUR]\n"
                                  "       pgo-go cache path\n";

/* The cache directory the configuration names (PGO_GO_CACHE_DIR, a config
 * file) or the default. malloc'd; NULL after printing why. */
static char *cache_dir(void)
{
	struct config c;
	char *dir = NULL;
	fetch_err ferr;
	pgo_err err;

	if (project_load_config(&c, ".", &err) != 0) {
		pgo_errorf("%s", err.msg);
		return NULL;
	}
	if (cache_default_dir(c.cache_dir, "PGO_GO_CACHE_DIR", &dir, &ferr) != 0)
		pgo_errorf("%s", ferr.msg);
	config_free(&c);
	return dir;
}

/* ---- list ------------------------------------------------------------------ */

struct listing {
	cache_meta *m;
	size_t n, cap;
	int nomem;
};

static int collect(void *ctx, const cache_meta *m)
{
	struct listing *l = ctx;
	cache_meta copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		cache_meta *g = realloc(l->m, cap * sizeof *g);
		if (!g) {
			l->nomem = 1;
			return 1;
		}
		l->m = g;
		l->cap = cap;
	}
	/* Only what a line shows is kept; the rest of the record is lent. */
	memset(&copy, 0, sizeof copy);
	memcpy(copy.sha256, m->sha256, sizeof copy.sha256);
	copy.window_start = m->window_start;
	copy.window_end = m->window_end;
	copy.open_window = m->open_window;
	copy.fetched_at = m->fetched_at;
	copy.size = m->size;
	copy.service = strdup(m->service ? m->service : m->nselectors ? m->selectors[0] : "?");
	if (!copy.service) {
		l->nomem = 1;
		return 1;
	}
	l->m[l->n++] = copy;
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	const cache_meta *x = a, *y = b;
	if (x->fetched_at != y->fetched_at)
		return x->fetched_at > y->fetched_at ? -1 : 1;
	return strcmp(x->sha256, y->sha256);
}

static void print_entry(const cache *c, const cache_meta *m, int64_t now)
{
	window w = {m->window_start, m->window_end, m->open_window};
	char win[96], age[32], *path = cache_profile_path(c, m->sha256);

	printf("%s  %s  %s ago  %" PRId64 " bytes  %s\n", m->service,
	       window_format(w, win, sizeof win),
	       window_format_duration(now - m->fetched_at, age, sizeof age), m->size,
	       path ? path : m->sha256);
	free(path);
}

static int cache_list(const char *dir)
{
	struct listing l = {0};
	fetch_err err;
	cache *c = NULL;
	int rc = 1;

	if (cache_open(dir, 0, &c, &err) != 0 || cache_scan(c, collect, &l, &err) < 0) {
		pgo_errorf("%s", err.msg);
		goto out;
	}
	if (l.nomem) {
		pgo_errorf("out of memory listing %s", dir);
		goto out;
	}
	if (l.n)
		qsort(l.m, l.n, sizeof *l.m, newest_first);
	for (size_t i = 0; i < l.n; i++)
		print_entry(c, &l.m[i], (int64_t)time(NULL));
	rc = 0;
out:
	for (size_t i = 0; i < l.n; i++)
		cache_meta_clear(&l.m[i]);
	free(l.m);
	cache_close(c);
	return rc;
}

/* ---- clean ------------------------------------------------------------------ */

/* clean's options: none, or --older-than DUR (also --older-than=DUR).
 * Returns 0, or the exit status of a usage error (after saying why). */
static int clean_options(int argc, char **argv, int64_t *older)
{
	const char *v = NULL;
	int64_t ms;

	*older = 0;
	if (argc == 4 && !strcmp(argv[2], "--older-than"))
		v = argv[3];
	else if (argc == 3 && !strncmp(argv[2], "--older-than=", 13))
		v = argv[2] + 13;
	else if (argc != 2) {
		pgo_errorf("cache clean takes only --older-than DUR, not '%s'", argv[2]);
		fputs(cache_usage, stderr);
		return PGO_EXIT_USAGE;
	}
	if (v && value_duration(v, &ms) != 0) {
		pgo_errorf("--older-than '%s': not %s (%s)", v, value_kind_name(VALUE_DURATION),
		           value_forms(VALUE_DURATION));
		return PGO_EXIT_USAGE;
	}
	if (v)
		*older = ms / 1000;
	return 0;
}

static int cache_clean_cmd(const char *dir, int64_t older)
{
	cache_clean_stats st;
	fetch_err err;
	cache *c = NULL;
	int rc = 1;

	if (cache_open(dir, 0, &c, &err) != 0 ||
	    cache_clean(c, older, (int64_t)time(NULL), &st, &err) != 0)
		pgo_errorf("%s", err.msg);
	else {
		printf("removed %zu snapshots and %zu profiles (%" PRId64 " bytes) from %s\n",
		       st.snapshots, st.profiles, st.bytes, c->dir);
		rc = 0;
	}
	cache_close(c);
	return rc;
}

int cmd_cache(int argc, char **argv)
{
	int64_t older = 0;
	char *dir;
	int rc;

	if (argc < 2) {
		fputs(cache_usage, stderr);
		return PGO_EXIT_USAGE;
	}
	if (strcmp(argv[1], "list") && strcmp(argv[1], "clean") && strcmp(argv[1], "path")) {
		pgo_errorf("unknown cache command '%s' (list, clean or path)", argv[1]);
		return PGO_EXIT_USAGE;
	}
	if (strcmp(argv[1], "clean") && argc != 2) {
		pgo_errorf("cache %s takes no arguments", argv[1]);
		return PGO_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "clean") && (rc = clean_options(argc, argv, &older)) != 0)
		return rc;
	if (!(dir = cache_dir()))
		return PGO_EXIT_FAIL;
	if (!strcmp(argv[1], "path")) {
		printf("%s\n", dir);
		rc = 0;
	} else if (!strcmp(argv[1], "list"))
		rc = cache_list(dir);
	else
		rc = cache_clean_cmd(dir, older);
	free(dir);
	return rc;
}
