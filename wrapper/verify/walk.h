/* walk.h — the one traversal of `pgo-go version` and `pgo-go verify`.
 *
 * Arguments, then directories, then files, then the members of archives:
 * each argument is stat'ed; a directory is walked the way Go's
 * filepath.WalkDir walks it for `go version` (entries sorted by name,
 * symbolic links to directories not followed); every file reaches the
 * command's file action; a file named on the command line that the action
 * finds to be no object file is opened as an archive (bi_archive.h), its
 * members reaching the member action, the end of it the archive action. The
 * commands differ only in their actions, as bsdtar's -t and -x share
 * read_archive.
 */
#ifndef PGO_GO_WALK_H
#define PGO_GO_WALK_H

#include <stddef.h>
#include <sys/stat.h>

#include "bi_archive.h"

/* What a file action found. */
enum walk_found {
	WALK_GO,        /* a Go binary: counted for its directory */
	WALK_OTHER,     /* anything else */
	WALK_ARCHIVE,   /* no object file, named on the command line: try it as an archive */
	WALK_STOP = -1, /* out of memory: stop the walk */
};

struct walk_ops {
	/* An argument that cannot be stat'ed (errno e). */
	void (*missing)(void *ctx, const char *arg, int e);
	/* An entry below a directory argument that cannot be lstat'ed. */
	void (*unreachable)(void *ctx, const char *path, int e);
	/* A file: named on the command line (st from stat), or found in a
	 * directory (st from lstat: it may be a symbolic link). */
	enum walk_found (*file)(void *ctx, const char *path, const struct stat *st, int named);
	/* The end of a directory argument (may be NULL); found: files that were
	 * WALK_GO. */
	void (*dir_done)(void *ctx, const char *dir, size_t found);
	/* For WALK_ARCHIVE: the walk's flags (BI_ARCHIVE_ALL), each member, and
	 * the end (rc a bi_archive_code; err filled for BI_ARCHIVE_FAIL). */
	int archive_flags;
	bi_member_fn member;
	void (*archive_done)(void *ctx, const char *path, int rc, const bi_error *err);
	/* A directory argument reached through a symbolic link is walked (Go's
	 * WalkDir, and so `go version`, does not). */
	int follow_root_link;
};

/* Walks every argument in order. Returns 0, or -1 when an action stopped
 * the walk. */
int walk_args(const struct walk_ops *ops, void *ctx, char *const *args, int nargs);

#endif
