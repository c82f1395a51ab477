/* cache_int.h — what cache.c and cache_meta.c share; not for other users. */
#ifndef PGO_GO_CACHE_INT_H
#define PGO_GO_CACHE_INT_H

#include <stddef.h>

#include "fetch_err.h"

/* Whether name is 64 lowercase hex digits followed by suffix. */
int cache_is_hex_name(const char *name, const char *suffix);

#endif
