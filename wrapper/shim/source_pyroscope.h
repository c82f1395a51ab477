/* source_pyroscope.h — the Pyroscope source of the shim's profiles.
 *
 * Connects the shim's settings and main packages to fetch_profile: the
 * service's newest profile, from the cache when this window's snapshot is
 * there, from the server otherwise, from an older snapshot when the server
 * fails (fetch.h says which). Failures are not errors here: they leave the
 * choice empty with a reason, and the next source is tried.
 */
#ifndef PGO_GO_SOURCE_PYROSCOPE_H
#define PGO_GO_SOURCE_PYROSCOPE_H

#include "config.h"
#include "profiles.h"

int source_pyroscope(const struct config *c, const struct profile_request *req,
                     struct profile_choice *out);

#endif
