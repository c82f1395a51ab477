/* cmd_verify.h — `pgo-go verify [-json] [--profile FILE] BINARY|DIR…`.
 *
 * Exit 0 only if every binary records a -pgo build setting (naming FILE when
 * --profile is given); one line per binary says what was found.
 */
#ifndef PGO_GO_CMD_VERIFY_H
#define PGO_GO_CMD_VERIFY_H

/* argv[0] is "verify". Returns the exit status. */
int cmd_verify(int argc, char **argv);

#endif
