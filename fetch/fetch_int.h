/* fetch_int.h — what fetch.c, fetch_server.c, fetch_discover.c and
 * fetch_url.c, fetch_files.c share; not for other users. */
#ifndef PGO_GO_FETCH_INT_H
#define PGO_GO_FETCH_INT_H

#include "cache.h"
#include "fetch.h"
#include "window.h"

/* One fetch: the options resolved once. */
struct fetch_job {
	const fetch_opts *o;
	int64_t now, len; /* the clock; the window length (s) */
	const char *type;
	char *server;     /* base URL, no credentials */
	char **selectors; /* sorted, unique */
	size_t nselectors;
	char *label; /* for messages: the service, or the selectors */
	cache *c;
	cache_query q;
	window newest;
	char key[CACHE_HEX_LEN + 1];
	/* Makes the snapshot when it is not cached: stores the profile and
	 * fills its record m (the caller's), counts the HTTP requests. */
	int (*pull)(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err);
	void *src;       /* the pull's own state */
	int64_t pull_ms; /* the longest a pull may take; 0: the conn's timeout */
};

/* Opens the cache o->cache_dir names into j->c. */
int fetch_job_cache(struct fetch_job *j, fetch_err *err);

/* With j filled: offline, the newest cached snapshot; else this key's
 * snapshot if cached; else j->pull under the key's lock, falling back to a
 * stale snapshot within o->max_age when it fails. */
int fetch_job_run(struct fetch_job *j, fetch_result *r, fetch_err *err);

/* Frees what j owns (server, selectors, label, cache); not src. */
void fetch_job_free(struct fetch_job *j);

/* Fetches the newest window with samples, stores the profile and its
 * record (m, owned by the caller), counts the HTTP requests. */
int fetch_from_server(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err);

/* A line through the job's callbacks. */
void fetch_note(const struct fetch_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fetch_warn(const struct fetch_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
