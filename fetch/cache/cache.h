/* cache.h — the content-addressed profile cache.
 *
 * Layout under the cache directory (mode 0700 when this code creates it):
 *   profiles/<sha256>.pgo    canonical profiles, named by their SHA-256
 *   snapshots/<key>.json     one metadata record per snapshot key: what was
 *                            asked (server, tenant, selectors, profile type,
 *                            window length, newest window end, reduction) and
 *                            what came back (the window used, sizes, sha256)
 *   locks/<key>.lock         flock(2) per snapshot key, so concurrent fetches
 *                            of one key make one request; the holder leaves a
 *                            note there when its fetch failed
 *   services/<hash>          a service discovery answer (one name)
 *   down/<hash>              a server that failed, remembered for a while
 *                            (made on the first failure)
 *   holds/<key>              the hold (fetch_hold.c): the snapshot chosen to
 *                            stand for a newer one's key (made on the first)
 * Every file is written to a temporary file in its final directory and
 * renamed into place: a reader sees the whole file or none. Profiles hold no
 * secrets (0644); metadata never holds a credential (the tenant is not one).
 *
 * Ownership: cache_open returns a cache the caller releases with
 * cache_close. cache_meta strings are malloc'd and released by
 * cache_meta_clear; cache_meta_write only reads the record. Free of NULL
 * and clear of a zeroed record are no-ops.
 */
#ifndef PGO_GO_CACHE_H
#define PGO_GO_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_err.h"

#define CACHE_HEX_LEN 64 /* SHA-256 in hex */

typedef struct cache {
	char *dir; /* absolute */
} cache;

/* What a snapshot key is made of. selectors are sorted and unique (the
 * caller's job: the same set must give the same key). */
typedef struct cache_query {
	const char *server; /* base URL without credentials */
	const char *tenant; /* "" when none */
	const char *const *selectors;
	size_t nselectors;
	const char *profile_type;
	int64_t window_len;      /* seconds */
	unsigned keep_locations; /* the reduction: part of the bytes */
	int aggregate_callees;
	const char *rules; /* the rewrites' key (fetch_rules_key), NULL or "" for none */
} cache_query;

typedef struct cache_meta {
	char key[CACHE_HEX_LEN + 1];
	char sha256[CACHE_HEX_LEN + 1];
	char *server, *tenant, *profile_type;
	char **selectors;
	size_t nselectors;
	char *service; /* for people: the service, or NULL */
	int64_t window_len;
	int64_t newest_end;               /* the newest window's end when asked: the key's */
	int64_t window_start, window_end; /* the window whose data this is */
	int open_window;
	int64_t fetched_at; /* seconds since the epoch */
	int64_t raw_size;   /* decompressed bytes the server sent */
	int64_t size;       /* bytes of the canonical profile */
	int64_t samples;    /* samples after the reduction */
	unsigned keep_locations;
	int aggregate_callees;
	char rules[CACHE_HEX_LEN + 1]; /* the rewrites' key; "" for none */
	/* The profile file as it was when the record was written (inode,
	 * size, change time; cache_meta_write fills it): while it is so, the
	 * file is the one hashed then. "" in older records. */
	char stamp[80];
} cache_meta;

/* The directory to use: configured if not empty, else $XDG_CACHE_HOME/pgo-go,
 * else $HOME/.cache/pgo-go. *out is malloc'd. setting names the
 * configured one in the error when there is none. */
int cache_default_dir(const char *configured, const char *setting, char **out, fetch_err *err);

/* Opens the cache at dir. With create, makes it and its subdirectories
 * (0700) when missing; without, a missing directory is an empty cache. */
int cache_open(const char *dir, int create, cache **out, fetch_err *err);
void cache_close(cache *c);

/* The snapshot key of q for the window ending at newest_end: the hex
 * SHA-256 of a versioned text of every field. */
void cache_key(const cache_query *q, int64_t newest_end, char key[CACHE_HEX_LEN + 1]);

/* Hex SHA-256 of data. */
void cache_sha256_hex(const void *data, size_t len, char hex[CACHE_HEX_LEN + 1]);

/* Hex SHA-256 of a file's content, read in blocks; -1 when it cannot be
 * read. */
int cache_sha256_file(const char *path, char hex[CACHE_HEX_LEN + 1]);

/* Stores a profile under its SHA-256 (nothing written when an intact copy
 * is there). Fills sha. */
int cache_put_profile(cache *c, const void *data, size_t len, char sha[CACHE_HEX_LEN + 1],
                      fetch_err *err);

/* Path of the profile with this hash (malloc'd; NULL when out of memory). */
char *cache_profile_path(const cache *c, const char *sha);

/* 1 when the profile file exists and its content hashes to sha, else 0. */
int cache_profile_ok(const cache *c, const char *sha);

/* cache_profile_ok for m's profile, without reading it when the file is
 * still the one m's record was written with (m->stamp): any write to it
 * since, even of the same size, changed its change time. */
int cache_profile_intact(const cache *c, const cache_meta *m);

/* Reads snapshots/<key>.json. Returns 1 (found, m filled), 0 (no record, or
 * one that cannot be read: treated as missing), -1 (out of memory). */
int cache_meta_read(const cache *c, const char *key, cache_meta *m, fetch_err *err);

/* Writes m to snapshots/<m->key>.json atomically, with the profile file's
 * stamp as it is now (the caller has just stored or checked it). */
int cache_meta_write(const cache *c, const cache_meta *m, fetch_err *err);

void cache_meta_clear(cache_meta *m);

/* Whether record m is of the same server, tenant, selectors and profile
 * type as q (any window, any reduction). */
int cache_meta_matches(const cache_meta *m, const cache_query *q);

/* Calls fn for every readable snapshot record whose profile file exists;
 * fn returns 0 to go on, non-zero to stop (and cache_scan returns that). The
 * record is only lent to fn. */
int cache_scan(const cache *c, int (*fn)(void *ctx, const cache_meta *m), void *ctx,
               fetch_err *err);

/* The newest snapshot (by window end, then fetch time) matching q, fetched
 * at or after min_fetched_at, whose profile is intact. Returns 1 found, 0
 * none, -1 error. */
int cache_find_newest(const cache *c, const cache_query *q, int64_t min_fetched_at, cache_meta *m,
                      fetch_err *err);

/* A held (or not) lock on one snapshot key. */
typedef struct cache_lock {
	int fd;     /* -1 when not held */
	int waited; /* another holder had it first */
} cache_lock;

/* Takes the key's lock, waiting at most wait_ms. Returns 0 when held, 1 when
 * the wait ran out (l->fd = -1: go on without it), -1 on error. */
int cache_lock_take(const cache *c, const char *key, int64_t wait_ms, cache_lock *l,
                    fetch_err *err);

/* While holding: record that this fetch failed at time t (seconds) with
 * code and msg (one line, no secrets), or clear that record after a
 * success. Fetches that waited for the lock take the failure as theirs
 * instead of asking a failing server again. */
void cache_lock_note_failure(cache_lock *l, int64_t t, int code, const char *msg);
void cache_lock_clear_failure(cache_lock *l);

/* While holding: the failure the previous holder recorded, if any. Returns 1
 * and fills *t, *code and msg, else 0. */
int cache_lock_last_failure(cache_lock *l, int64_t *t, int *code, char *msg, size_t msgsz);

/* Servers remembered as down (fetch_down.c): down/<key> holds when one
 * failed (seconds), the fetch_code and the one-line message. The directory
 * is made on the first failure. cache_down_get returns 1 (found) or 0 (none,
 * or a record that does not read back whole); cache_down_clear removes the
 * record if there is one. */
int cache_down_get(const cache *c, const char *key, int64_t *t, int *code, char *msg, size_t msgsz);
int cache_down_put(const cache *c, const char *key, int64_t t, int code, const char *msg,
                   fetch_err *err);
void cache_down_clear(const cache *c, const char *key);

/* Service discovery answers, kept so a build within the same hour asks the
 * server nothing: services/<key> holds the name. key: cache_sha256_hex of
 * what was asked. cache_service_get returns 1 (found: *name malloc'd,
 * *written its time), 0 (none) or -1 (out of memory). */
int cache_service_get(const cache *c, const char *key, char **name, int64_t *written,
                      fetch_err *err);
int cache_service_put(const cache *c, const char *key, const char *name, fetch_err *err);

void cache_lock_release(cache_lock *l);

/* The hold's records: holds/<key> names the snapshot (its key) chosen to
 * stand for snapshot key, and how much the compiler's decisions would have
 * changed with key's own (0..1, to a millionth). cache_hold_get returns 1
 * (found) or 0 (none, or a record that does not read back whole). */
int cache_hold_get(const cache *c, const char *key, char chosen[CACHE_HEX_LEN + 1], double *change);
int cache_hold_put(const cache *c, const char *key, const char *chosen, double change,
                   fetch_err *err);

typedef struct cache_clean_stats {
	size_t snapshots, profiles; /* removed */
	int64_t bytes;              /* of the removed profiles */
} cache_clean_stats;

/* Removes the snapshots fetched before now - older_than (every one when
 * older_than is 0), then the profiles no remaining snapshot names (except
 * ones written in the last minute: a fetch may be about to name them), and
 * the service answers and servers remembered as down written before then. */
int cache_clean(const cache *c, int64_t older_than, int64_t now, cache_clean_stats *st,
                fetch_err *err);

/* Writes dir/name the way the cache writes every file: a temporary file in
 * dir, fsync'd, then renamed into place, so a reader sees the old file or
 * the new one, never part of one, even after a crash. Mode 0644. The one
 * atomic write of the program (`pgo-go fetch -o` uses it too). */
int cache_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                       fetch_err *err);

#endif
