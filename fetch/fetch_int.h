/* fetch_int.h — what fetch.c, fetch_server.c and fetch_discover.c share;
 * not for other users. */
#ifndef PGO_GO_FETCH_INT_H
#define PGO_GO_FETCH_INT_H

#include "cache.h"
#include "fetch.h"
#include "window.h"

/* One fetch_profile call: the options resolved once. */
struct fetch_job {
	const fetch_opts *o;
	int64_t now, len;      /* the clock; the window length (s) */
	const char *type;
	char *server;          /* base URL, no credentials */
	char **selectors;      /* sorted, unique */
	size_t nselectors;
	char *label;           /* for messages: the service, or the selectors */
	cache *c;
	cache_query q;
	window newest;
	char key[CACHE_HEX_LEN + 1];
};

/* Fetches the newest window with samples, stores the profile and its
 * record (m, owned by the caller), counts the HTTP requests. */
int fetch_from_server(struct fetch_job *j, cache_meta *m, unsigned *requests, fetch_err *err);

/* A line through the job's callbacks. */
void fetch_note(const struct fetch_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fetch_warn(const struct fetch_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
