/* fetch_sources_int.h — what fetch_url.c and fetch_files.c share;
 * not for other users. */
#ifndef PGO_GO_FETCH_SOURCES_INT_H
#define PGO_GO_FETCH_SOURCES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_int.h"
#include "pgo_table.h"
#include "pprof.h"

/* What one pull has read so far. */
struct fetch_pulled {
	const char *display;      /* the record's "service": the URL, the paths */
	int64_t start_ns, end_ns; /* the data's own span; 0 when unknown */
	int64_t raw_size;         /* decompressed bytes read */
};

/* Decodes one profile (data, len; max_size, release and ctx as
 * pprof_decode_release), counts its size in s, validates it and adds it to
 * acc; a profile without samples adds nothing. release is how the caller
 * gives the bytes up as soon as they are read: a large profile's bytes would
 * otherwise stay in memory beside its decoded form. Errors name it as what
 * ("the file x.pprof"). */
int fetch_source_add(struct fetch_pulled *s, const void *data, size_t len, size_t max_size,
                     pprof_release_fn *release, void *release_ctx, const char *what, fetch_pgo *acc,
                     fetch_err *err);

/* The record of s's data (m, filled here) and fetch_job_store. */
int fetch_source_store(struct fetch_job *j, const struct fetch_pulled *s, const fetch_pgo *acc,
                       cache_meta *m, fetch_err *err);

/* Prefixes err->msg with "prefix: ", setting code unless it is FETCH_OK. */
int fetch_err_context(fetch_err *err, fetch_code code, const char *prefix);

/* The canonical bytes must themselves pass validation: what goes in the
 * cache is what `go build` will read. Returns 0 or -1 (FETCH_E_INVALID). */
int fetch_check_encoded(const unsigned char *buf, size_t len, fetch_err *err);

#endif
