/* cmd_cache.h — `pgo-go cache list|clean [--older-than DUR]|path`.
 *
 * list: one line per cached snapshot (service or query, window, age, size,
 * file), newest first; clean: removes snapshots (all, or those fetched
 * longer than DUR ago) and the profiles no snapshot names any more; path:
 * prints the cache directory.
 */
#ifndef PGO_GO_CMD_CACHE_H
#define PGO_GO_CMD_CACHE_H

/* argv[0] is "cache". Returns the exit status. */
int cmd_cache(int argc, char **argv);

#endif
