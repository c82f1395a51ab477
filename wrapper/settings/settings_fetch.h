/* settings_fetch.h — pgo-go's settings as the fetch library's options: the
 * one mapping `pgo-go fetch` and the shim share, so both fetch the same
 * snapshot for the same configuration.
 */
#ifndef PGO_GO_SETTINGS_FETCH_H
#define PGO_GO_SETTINGS_FETCH_H

#include <stddef.h>

#include "config.h"
#include "fetch.h"

/* Fills o (after fetch_opts_defaults) from the configuration: server,
 * tenant, credentials, service or query, window, offline, cache directory,
 * and the settings config.h does not have keys for yet (read from the
 * environment as PGO_GO_<NAME>): profile_type, keep_locations,
 * aggregate_callees, ca_file, client_cert, client_key, connect_timeout,
 * timeout, retries, max_response_size, max_cache_age; and the test clock
 * PGO_GO_TEST_NOW (seconds since the epoch). Warnings and verbose
 * notes go to msg.h. The strings o points to belong to c (or the
 * environment): c must outlive o. Returns 0, or -1 with a one-line reason
 * in err (a setting that does not parse). */
int settings_fetch_opts(const struct config *c, fetch_opts *o, char *err, size_t errsz);

/* Parses a decimal number up to max: 0, or -1 when s is not one. */
int fetch_config_uint(const char *s, unsigned long max, unsigned long *out);

#endif
