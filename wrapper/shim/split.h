/* split.h — one command as several go runs, without changing what go does.
 *
 * Go takes one -pgo per command, so main packages of different services
 * are built by separate runs of the same command, one per profile. That is
 * only done where the runs together do what the one command would have
 * done: the same files written, the same exit status, the same messages.
 * Otherwise the command runs as typed, without per-service profiles:
 *   - a command go refuses before building anything (a package that does
 *     not load, -o FILE for several packages): go says so itself;
 *   - -x, -json or -work, whose output describes each step of the build,
 *     which several runs would describe several times: one warning.
 * The runs write what the command would: a build of several packages
 * without -o writes nothing, so each run gets -o /dev/null. A message two
 * runs both print (an error in a package they share) is printed once.
 */
#ifndef PGO_GO_SPLIT_H
#define PGO_GO_SPLIT_H

#include <stddef.h>

#include "gocmd.h"
#include "mainpkg.h"

enum split_plan {
	SPLIT_RUNS,     /* one go run per profile */
	SPLIT_AS_TYPED, /* go refuses the command: run it as typed, say nothing */
	SPLIT_REFUSED,  /* run as typed without per-service profiles; *why says why */
};

/* Decides for a command whose main packages want different profiles. May
 * ask `go list` whether the packages load (when they were resolved without
 * it). */
enum split_plan split_decide(const char *real_go, const struct gocmd *cmd, char **argv,
                             const char *workdir, const struct mainpkg_list *pkgs,
                             const char **why);

/* Whether each run must write nothing (-o /dev/null): go build without -o
 * discards the binaries of several packages. */
int split_discards(const struct gocmd *cmd, const struct mainpkg_list *pkgs);

/* The standard error lines of the runs so far: a line an earlier run
 * printed is not printed again. */
struct split_lines {
	char **seen, **cur; /* earlier runs' lines; this run's */
	size_t nseen, ncur;
};

/* child_run_filtered's keep: ctx is a struct split_lines. */
int split_keep_line(void *ctx, const char *line, size_t len);
/* The current run is over: its lines join the earlier ones. */
void split_next_run(struct split_lines *s);
void split_lines_free(struct split_lines *s);

#endif
