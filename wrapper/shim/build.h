/* build.h — an intercepted `go build` / `go install`, from plan to verdict.
 *
 * Resolves the main packages, the service and profile of each, runs the real
 * go once per distinct profile (Go takes one -pgo per invocation, so main
 * packages of different services are built in separate runs of the same
 * command), then reads every produced binary's build info to confirm that
 * the profile went in.
 */
#ifndef PGO_GO_BUILD_H
#define PGO_GO_BUILD_H

#include "gocmd.h"

/* Returns the exit status (the real go's, or 1 for pgo-go's own failure);
 * exits by the same signal when go was killed. May exec the real go
 * directly when there turns out to be nothing to add. */
int build_main(const char *real_go, const struct gocmd *cmd, int argc, char **argv);

#endif
