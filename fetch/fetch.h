/* fetch.h — "give me the profile for this service": the one operation the
 * shim and `pgo-go fetch` share.
 *
 * fetch_profile returns the path of a canonical profile in the cache
 * (cache.h). A snapshot already cached for the newest aligned window
 * (window.h) is used without any network. Otherwise, under the snapshot's
 * lock (one fetch for any number of concurrent callers), the newest window
 * with samples is asked from Pyroscope (pyro.h) for every selector, stepping
 * back up to 24 h, the current open window last; the answers are reduced and
 * merged client-side (pgo_reduce.h), validated (pgo_validate.h), encoded
 * canonically (pgo_canon.h) and stored. Offline, the newest cached snapshot
 * of the same server, tenant, selectors and profile type is used, whatever
 * its window. When the server fails, so is one not older than max_age, with
 * a warning that says how old it is. A server that is down is asked once:
 * the failure is remembered for the command (fetch_memo) and, for a
 * minute or so, in the cache (backoff), and the fetches after it go
 * straight to those fallbacks.
 *
 * Ownership: the fetch_opts and its strings stay the caller's. A
 * fetch_result owns its path and record; release with fetch_result_clear.
 * Warnings and notes go to the callbacks in opts.conn (warn, note), one line
 * each, never holding a credential.
 */
#ifndef PGO_GO_FETCH_H
#define PGO_GO_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "fetch_err.h"
#include "pgo_rewrite.h"
#include "pgo_table.h"
#include "pyro.h"

#define FETCH_PROFILE_TYPE_DEFAULT "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
#define FETCH_MAX_AGE_DEFAULT      ((int64_t)7 * 86400)
#define FETCH_BACKOFF_DEFAULT      ((int64_t)60)
/* The hold (fetch_hold.c): at most this many snapshots make one chain. */
#define FETCH_HOLD_MAX_STEPS 168

/* What the fetches of one command have learnt: the servers that failed
 * (FETCH_E_DOWN), which the later fetches sharing the memo do not ask
 * again, taking the failure as theirs (a build of thirty commands pays
 * for a server that is down once, not thirty times). Zero-initialise; the
 * caller owns it and keeps it for the command. */
#define FETCH_MEMO_SERVERS 8
typedef struct fetch_memo {
	struct fetch_memo_down {
		char key[CACHE_HEX_LEN + 1]; /* the connection (fetch_down.c) */
		fetch_err cause;
	} down[FETCH_MEMO_SERVERS];
	size_t ndown;
} fetch_memo;

typedef struct fetch_opts {
	pyro_conn conn;               /* server, auth, TLS, bounds, callbacks */
	const char *service;          /* service_name, used when nselectors is 0 */
	const char *const *selectors; /* label selectors; their profiles merge */
	size_t nselectors;
	const char *profile_type; /* NULL or "": FETCH_PROFILE_TYPE_DEFAULT */
	int64_t window;           /* seconds; 0: WINDOW_DEFAULT */
	fetch_pgo_opts reduce;    /* asked of the server and redone here */
	/* [rename] and [noinline] (pgo_rewrite.h), applied to the reduced
	 * profile before it is encoded: part of the snapshot's key. NULL or
	 * empty: none. */
	const fetch_pgo_rules *rules;
	const char *cache_dir; /* NULL or "": cache_default_dir(NULL) */
	int offline;           /* the cache only */
	int64_t max_age;       /* stale fallback bound (s); 0: default, <0: off */
	int force;             /* ignore a cached snapshot of this window */
	int64_t now;           /* seconds since the epoch; 0: the clock */
	/* A server that failed (FETCH_E_DOWN) is remembered in the cache for
	 * backoff seconds, by wall time (0: FETCH_BACKOFF_DEFAULT, <0: not
	 * remembered); a success forgets it. With skip_down, a server
	 * remembered as down is not asked: its failure stands, and the
	 * fallbacks apply (the shim's builds). Without, it is asked anyway,
	 * with a note (`pgo-go fetch`: the user asked). */
	int64_t backoff;
	int skip_down;
	fetch_memo *memo; /* NULL, or the command's memo (see above) */
	/* The hold (fetch_hold.c): a newer Pyroscope snapshot is taken only
	 * when it changes the compiler's decisions (pgo_decide.h) by more
	 * than hold_tolerance (0..1); the choice starts afresh at every
	 * multiple of hold seconds since the epoch. 0: always the newest.
	 * force takes no hold; offline takes the hold's choice when it is
	 * recorded for this window, else the newest snapshot cached. */
	int64_t hold;
	double hold_tolerance;
} fetch_opts;

/* Everything at its default; conn as pyro_conn_defaults. */
void fetch_opts_defaults(fetch_opts *o);

typedef enum fetch_source {
	FETCH_FROM_SERVER,  /* fetched now */
	FETCH_FROM_CACHE,   /* this window's snapshot was cached */
	FETCH_FROM_STALE,   /* the server failed; an older snapshot */
	FETCH_FROM_OFFLINE, /* offline: the newest snapshot cached */
} fetch_source;

/* "fetched", "cached", "stale cache", "offline cache". */
const char *fetch_source_name(fetch_source s);

typedef struct fetch_result {
	char *path;      /* the canonical profile: <cache>/profiles/<sha256>.pgo */
	cache_meta meta; /* its snapshot record (window, sizes, samples, …) */
	fetch_source source;
	unsigned requests; /* HTTP requests made */
	/* The hold kept this older snapshot for the newest window (ending
	 * newest_end), whose own would have changed held_change (0..1) of the
	 * compiler's decisions. */
	int held;
	int64_t newest_end;
	double held_change;
} fetch_result;

/* 0 with r filled, or -1 with err: FETCH_E_ARG (bad options), FETCH_E_NODATA
 * (no samples in 24 h, nor in the open window), FETCH_E_OFFLINE (offline,
 * nothing cached), FETCH_E_DOWN (the server could not be had, now or
 * recently: o->memo and o->backoff), FETCH_E_NET / FETCH_E_REFUSED /
 * FETCH_E_INVALID / FETCH_E_FORMAT … (the server failed and nothing usable
 * is cached),
 * FETCH_E_IO (the cache), FETCH_E_NOMEM. */
int fetch_profile(const fetch_opts *o, fetch_result *r, fetch_err *err);

void fetch_result_clear(fetch_result *r);

/* Finds the service_name to use: name if the server knows it, else alt
 * (e.g. the module path's last element; may be NULL), asking LabelValues
 * over the last 24 h. The answer is cached for the rest of the hour (and
 * used offline, or when the server fails, within max_age). No match:
 * FETCH_E_NODATA, the message listing up to 5 closest names. *service is
 * malloc'd. */
int fetch_discover_service(const fetch_opts *o, const char *name, const char *alt, char **service,
                           fetch_err *err);

/* {service_name="<service>"}, quoted as a PromQL string. malloc'd; NULL
 * when out of memory. */
char *fetch_service_selector(const char *service);

/* Levenshtein distance (bytes), for "did you mean". */
size_t fetch_edit_distance(const char *a, const char *b);

/* Up to max of the n names, closest to want (or to alt, if closer) first,
 * ties in their order, as "a, b, c" in buf; "" when n is 0. */
void fetch_closest(char *const *names, size_t n, const char *want, const char *alt, size_t max,
                   char *buf, size_t bufsz);

#endif
