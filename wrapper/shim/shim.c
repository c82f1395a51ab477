#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build.h"
#include "gocmd.h"
#include "msg.h"
#include "outputs.h"
#include "realgo.h"

static int env_true(const char *name)
{
	const char *v = getenv(name);
	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
		     !strcasecmp(v, "on"));
}

/* Whether pgo-go has anything to add: a build or install that did not
 * already choose its profile, is not a dry run and asks for no help. */
static int wants_profile(const struct gocmd *cmd)
{
	return cmd->sub != GOCMD_OTHER && !cmd->unknown_flag && !cmd->help && !cmd->dry_run &&
	       !cmd->pgo_set && !cmd->error;
}

int shim_main(int argc, char **argv)
{
	const char *nested = getenv(REALGO_GUARD_ENV);
	const char *goflags;
	char *file_goflags = NULL, *real;
	struct gocmd cmd;
	int rc;

	/* A go started by pgo-go calling go again: straight through. */
	if (nested && *nested)
		return realgo_exec(nested, argv);
	if (!(real = realgo_find())) {
		pgo_errorf("no real go found on PATH after pgo-go's own directory; put the Go "
			   "toolchain's bin directory on PATH or set PGO_GO_REAL");
		return 127;
	}
	if (env_true("PGO_GO_DISABLE"))
		return realgo_exec(real, argv);
	if (gocmd_parse(&cmd, argc, argv, NULL) != 0 || cmd.sub == GOCMD_OTHER)
		return realgo_exec(real, argv);
	if (!(goflags = getenv("GOFLAGS")))
		goflags = file_goflags = goenv_file_value("GOFLAGS");
	gocmd_free(&cmd);
	if (gocmd_parse(&cmd, argc, argv, goflags) != 0 || !wants_profile(&cmd)) {
		free(file_goflags);
		gocmd_free(&cmd);
		return realgo_exec(real, argv);
	}
	rc = build_main(real, &cmd, argc, argv);
	gocmd_free(&cmd);
	free(file_goflags);
	free(real);
	return rc;
}
