/* goerr.h — the few pieces of Go's runtime text that pgo-go must reproduce.
 *
 * `pgo-go version` prints what `go version` prints, including Go's wording
 * of system errors ("stat x: no such file or directory") and Go's cleaned
 * paths when walking a directory. Returned strings are static or written into
 * the caller's buffer; nothing here allocates except goerr_join.
 */
#ifndef PGO_GO_GOERR_H
#define PGO_GO_GOERR_H

#include <stddef.h>

/* syscall.Errno.Error() on Linux: strerror with its first letter lowered. */
const char *goerr_errno_text(int errnum, char *buf, size_t bufsz);

/* path/filepath.Clean, in place; returns s. */
char *goerr_clean_path(char *s);

/* filepath.Join(dir, name): malloc'd, or NULL when out of memory. */
char *goerr_join(const char *dir, const char *name);

#endif
