#include "split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "golist.h"

/* cmd/go's runBuild: -o naming no directory takes exactly one package. */
static int single_output_for_many(const struct gocmd *cmd, const struct mainpkg_list *pkgs,
                                  const char *workdir)
{
	const char *o = cmd->output;
	char path[4096];
	struct stat st;
	size_t n;

	if (cmd->sub != GOCMD_BUILD || !o || !strcmp(o, "/dev/null") || pkgs->npackages < 2)
		return 0;
	n = strlen(o);
	if (n > 0 && o[n - 1] == '/')
		return 0;
	snprintf(path, sizeof path, "%s%s%s", o[0] == '/' ? "" : workdir, o[0] == '/' ? "" : "/",
	         o);
	return !(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* go build refuses packages that do not load before it builds any: the
 * runs must not build some of them first. go list loads the same way
 * (load.CheckPackageErrors), so its success is go build's. */
static int packages_load(const char *real_go, const struct gocmd *cmd, char **argv,
                         const char *workdir, const struct mainpkg_list *pkgs)
{
	struct mainpkg_list again;
	pgo_err err;

	if (pkgs->listed)
		return 1;
	if (golist_mains(real_go, cmd, argv, workdir, &again, &err) != 0)
		return 0;
	mainpkg_list_free(&again);
	return 1;
}

enum split_plan split_decide(const char *real_go, const struct gocmd *cmd, char **argv,
                             const char *workdir, const struct mainpkg_list *pkgs, const char **why)
{
	*why = NULL;
	if (single_output_for_many(cmd, pkgs, workdir))
		return SPLIT_AS_TYPED;
	if (cmd->step_output) {
		*why = "-x, -json and -work describe every step of the build, and one go run per "
		       "profile would describe the shared steps more than once";
		return SPLIT_REFUSED;
	}
	if (!packages_load(real_go, cmd, argv, workdir, pkgs))
		return SPLIT_AS_TYPED;
	return SPLIT_RUNS;
}

int split_discards(const struct gocmd *cmd, const struct mainpkg_list *pkgs)
{
	return cmd->sub == GOCMD_BUILD && !cmd->output && pkgs->npackages > 1;
}

static int contains(char *const *lines, size_t n, const char *line, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(lines[i]) == len && !memcmp(lines[i], line, len))
			return 1;
	return 0;
}

int split_keep_line(void *ctx, const char *line, size_t len)
{
	struct split_lines *s = ctx;
	char **grown, *copy;

	if (contains(s->seen, s->nseen, line, len))
		return 0;
	/* Out of memory costs a line of deduplication, never a line of output. */
	if ((grown = realloc(s->cur, (s->ncur + 1) * sizeof *grown)) != NULL) {
		s->cur = grown;
		if ((copy = strndup(line, len)) != NULL)
			s->cur[s->ncur++] = copy;
	}
	return 1;
}

void split_next_run(struct split_lines *s)
{
	char **grown;

	if (s->ncur == 0)
		return;
	grown = realloc(s->seen, (s->nseen + s->ncur + 1) * sizeof *grown);
	if (!grown) {
		for (size_t i = 0; i < s->ncur; i++)
			free(s->cur[i]);
		s->ncur = 0;
		return;
	}
	s->seen = grown;
	memcpy(s->seen + s->nseen, s->cur, s->ncur * sizeof *s->cur);
	s->nseen += s->ncur;
	s->ncur = 0;
}

void split_lines_free(struct split_lines *s)
{
	split_next_run(s);
	for (size_t i = 0; i < s->nseen; i++)
		free(s->seen[i]);
	free(s->seen);
	free(s->cur);
	memset(s, 0, sizeof *s);
}
