/* cache_int.h — what cache.c and cache_meta.c share; not for other users. */
#ifndef PGO_GO_CACHE_INT_H
#define PGO_GO_CACHE_INT_H

#include <stddef.h>

#include "fetch_err.h"

/* Writes dir/name through a temporary file in dir and a rename, mode 0644. */
int cache_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		       fetch_err *err);

/* Whether name is 64 lowercase hex digits followed by suffix. */
int cache_is_hex_name(const char *name, const char *suffix);

#endif
