/* cache_int.h — what cache.c and cache_meta.c share; not for other users. */
#ifndef PGO_GO_CACHE_INT_H
#define PGO_GO_CACHE_INT_H

#include <stddef.h>

#include "fetch_err.h"

/* Whether name is 64 lowercase hex digits followed by suffix. */
int cache_is_hex_name(const char *name, const char *suffix);

/* Reads the small record <c->dir>/<sub>/<key> into buf, NUL-terminated;
 * how many bytes, 0 when there is none (or it is empty). */
size_t cache_read_record(const char *dir, const char *sub, const char *key, char *buf,
                         size_t bufsz);

#endif
