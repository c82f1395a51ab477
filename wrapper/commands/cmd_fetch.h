/* cmd_fetch.h — `pgo-go fetch`. (The mapping from settings to the fetch
 * library's options, which the shim shares, is settings_fetch.h.)
 *
 * `pgo-go fetch [--url U] [--service S | --query Q ...] [--window W]
 * [--profile-type T] [--keep-locations N] [--[no-]aggregate-callees]
 * [--offline] [--force] [-o FILE]` fetches the profile the shim would use
 * and writes it (default ./default.pgo), atomically, printing one line
 * saying what it wrote.
 */
#ifndef PGO_GO_CMD_FETCH_H
#define PGO_GO_CMD_FETCH_H

/* argv[0] is "fetch". Returns the exit status: 0, 1 (no profile), 2 (usage). */
int cmd_fetch(int argc, char **argv);

#endif
