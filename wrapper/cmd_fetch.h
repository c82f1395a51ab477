/* cmd_fetch.h — `pgo-go fetch`, and the mapping from pgo-go's settings to
 * the fetch library's options that the shim shares.
 *
 * `pgo-go fetch [--url U] [--service S | --query Q ...] [--window W]
 * [--profile-type T] [--keep-locations N] [--[no-]aggregate-callees]
 * [--offline] [--force] [-o FILE]` fetches the profile the shim would use
 * and writes it (default ./default.pgo), atomically, printing one line
 * saying what it wrote.
 */
#ifndef PGO_GO_CMD_FETCH_H
#define PGO_GO_CMD_FETCH_H

#include <stddef.h>

#include "config.h"
#include "fetch.h"

/* argv[0] is "fetch". Returns the exit status: 0, 1 (no profile), 2 (usage). */
int cmd_fetch(int argc, char **argv);

/* Fills o (after fetch_opts_defaults) from the configuration: server,
 * tenant, credentials, service or query, window, offline, cache directory,
 * and the settings config.h does not have keys for yet (read from the
 * environment as PGO_GO_<NAME>): profile_type, keep_locations,
 * aggregate_callees, ca_file, client_cert, client_key, connect_timeout,
 * timeout, retries, max_response_size, max_cache_age. Warnings and verbose
 * notes go to msg.h. The strings o points to belong to c (or the
 * environment): c must outlive o. Returns 0, or -1 with a one-line reason
 * in err (a setting that does not parse). */
int fetch_opts_from_config(const struct config *c, fetch_opts *o, char *err, size_t errsz);

#endif
