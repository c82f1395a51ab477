/* source_url.h — the raw pprof URL source of the shim's profiles.
 *
 * When pprof_url (PGO_GO_PPROF_URL) is set, the profile comes from that
 * endpoint of a running service instead of from Pyroscope: fetched once per
 * window and cached (fetch_sources.h says how), or an older snapshot when the
 * endpoint fails. Failures leave the choice empty with a reason, and the
 * next source is tried.
 */
#ifndef PGO_GO_SOURCE_URL_H
#define PGO_GO_SOURCE_URL_H

#include "config.h"
#include "profiles.h"

int source_url(const struct config *c, const struct profile_request *req,
               struct profile_choice *out);

#endif
