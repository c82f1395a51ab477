/* settings_fetch.h — pgo-go's settings as the fetch library's options: the
 * one mapping `pgo-go fetch` and the shim share, so both fetch the same
 * snapshot for the same configuration.
 */
#ifndef PGO_GO_SETTINGS_FETCH_H
#define PGO_GO_SETTINGS_FETCH_H

#include "config.h"
#include "fetch.h"

/* Fills o (after fetch_opts_defaults) from the configuration: server,
 * tenant, credentials, TLS, time and size bounds, service or query, window,
 * the reduction, offline, cache directory, how long a failed server is
 * left alone; the process's fetch_memo (one process is one command); the
 * callbacks print through msg.h; and the test clock PGO_GO_TEST_NOW
 * (seconds since the epoch). The strings o points to belong to c: c must
 * outlive o. A client_key without a client_cert is not used: the first
 * call says so, once. */
void settings_fetch_opts(const struct config *c, fetch_opts *o);

#endif
