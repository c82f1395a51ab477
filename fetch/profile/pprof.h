/* pprof.h — decode a pprof profile the way Go's `-pgo` reader does.
 *
 * pprof_decode takes the bytes of a profile (gzipped or plain protobuf, as
 * Go's internal/profile.Parse accepts), inflates them under a size limit so a
 * gzip bomb is refused, unpacks them with protobuf-c and makes the structural
 * checks Go makes while parsing (ids, string indexes, value counts), so every
 * reference in a decoded profile resolves. Whether the profile is of any use
 * to PGO is pgo_validate.h's question. The samples, most of a raw profile,
 * stay protobuf bytes until visited with pprof_for_each_sample, which
 * unpacks one at a time.
 *
 * Ownership: pprof_decode returns a pprof_profile the caller owns and releases
 * with pprof_free (free of NULL is a no-op). The input bytes stay the
 * caller's and may be freed as soon as pprof_decode returns: the profile
 * holds copies of everything it needs. pprof_gunzip
 * returns a malloc'd buffer the caller frees.
 */
#ifndef PGO_GO_PPROF_H
#define PGO_GO_PPROF_H

#include <stddef.h>
#include <stdint.h>

#include "fetch_err.h"
#include "pb_arena.h"
#include "profile.pb-c.h"
#include "profile_lazy.pb-c.h"

/* Largest decompressed profile accepted when the caller passes 0. A
 * reduced Pyroscope answer is rarely over a few MB and raw runtime profiles
 * of busy services reach tens of MB; unpacking (the samples left packed)
 * costs about 3x the protobuf's size in memory besides the bytes
 * themselves, so this bounds a decode to roughly 1 GB. */
#define PPROF_MAX_SIZE_DEFAULT ((size_t)256 << 20)

#define PPROF_NONE SIZE_MAX

/* A Profile whose sample[i] is the bytes of a Sample message; every other
 * field is as in Perftools__Profiles__Profile. */
typedef Perftools__Profiles__Lazy__Profile pprof_msg;
typedef Perftools__Profiles__Sample pprof_sample;

/* id → position in one of the message's tables. */
typedef struct pprof_idmap {
	size_t n;
	int dense; /* ids are 1..n in table order: position = id - 1 */
	struct pprof_idpos {
		uint64_t id;
		size_t pos;
	} * sorted; /* by id; NULL when dense */
} pprof_idmap;

typedef struct pprof_profile {
	pprof_msg *msg;  /* the unpacked message, in arena */
	pb_arena *arena; /* owned; holds msg */
	pprof_idmap mappings, locations, functions;
	size_t input_size; /* decompressed protobuf size, for reports */
} pprof_profile;

/* Decodes data (gzip or plain). max_size bounds the decompressed size
 * (0: PPROF_MAX_SIZE_DEFAULT). Errors: FETCH_E_FORMAT (empty, not gzip and not
 * protobuf), FETCH_E_GZIP (corrupt or truncated gzip), FETCH_E_TOOBIG,
 * FETCH_E_PARSE (a protobuf message that breaks pprof's rules), FETCH_E_NOMEM. */
int pprof_decode(const void *data, size_t len, size_t max_size, pprof_profile **out,
                 fetch_err *err);

typedef void pprof_release_fn(void *ctx);

/* As pprof_decode, calling release(ctx) (when not NULL) once, as soon as the
 * bytes are read no more: once inflated when gzipped, once unpacked
 * otherwise, and in any case before returning. A caller that can give the
 * bytes up early so keeps them out of the decoding's peak of memory. */
int pprof_decode_release(const void *data, size_t len, size_t max_size, pprof_release_fn *release,
                         void *ctx, pprof_profile **out, fetch_err *err);

void pprof_free(pprof_profile *p);

/* Whether data starts with the gzip magic bytes, as Go's reader decides. */
int pprof_is_gzip(const void *data, size_t len);

/* Inflates a gzip stream (several concatenated members are one stream, as
 * Go's gzip reader reads them) into *out (malloc'd, *outlen bytes). Output
 * beyond max_size (0: the default) is refused with FETCH_E_TOOBIG before it is
 * produced. */
int pprof_gunzip(const void *data, size_t len, size_t max_size, unsigned char **out, size_t *outlen,
                 fetch_err *err);

/* Calls fn(ctx, sample, err) on each sample of p, in order, each unpacked
 * for the call only (it and its arrays are gone once fn returns). Stops at
 * the first non-zero return of fn and returns it. pprof_decode checked that
 * every sample unpacks, so the only error of its own is FETCH_E_NOMEM. */
typedef int pprof_sample_fn(void *ctx, const pprof_sample *s, fetch_err *err);
int pprof_for_each_sample(const pprof_profile *p, pprof_sample_fn *fn, void *ctx, fetch_err *err);

/* Position of the entry with this id in msg->location / function / mapping,
 * or PPROF_NONE. */
size_t pprof_location_pos(const pprof_profile *p, uint64_t id);
size_t pprof_function_pos(const pprof_profile *p, uint64_t id);
size_t pprof_mapping_pos(const pprof_profile *p, uint64_t id);

/* String index → string. Every index a decoded profile holds in a field Go
 * reads is in range; others give "". */
const char *pprof_string(const pprof_profile *p, int64_t index);

#endif
