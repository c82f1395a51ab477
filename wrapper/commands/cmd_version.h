/* cmd_version.h — `pgo-go version [-m] [-v] [-json] FILE|DIR…`.
 *
 * Prints what `go version` of the Go release pgo-go is tested against prints,
 * byte for byte, with the same exit status; only Go's flag-error messages
 * name pgo-go instead of go.
 */
#ifndef PGO_GO_CMD_VERSION_H
#define PGO_GO_CMD_VERSION_H

/* argv[0] is "version". Returns the exit status. */
int cmd_version(int argc, char **argv);

#endif
