#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build.h"
#include "config.h"
#include "gocmd.h"
#include "msg.h"
#include "outputs.h"
#include "realgo.h"

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
	pgo_err err;
	int rc;

	/* A go started by pgo-go calling go again: straight through. */
	if (nested && *nested)
		return realgo_exec(nested, argv);
	/* The environment only, through the settings table: pass-through
	 * reads no file. */
	if (!(real = realgo_find(config_env(CFG_REAL), "PGO_GO_REAL", &err))) {
		pgo_errorf("%s", err.msg);
		return PGO_EXIT_NO_GO;
	}
	if (config_env_bool(CFG_DISABLE))
		return realgo_exec(real, argv);
	if (gocmd_parse(&cmd, argc, argv, NULL) != 0 || cmd.sub == GOCMD_OTHER)
		return realgo_exec(real, argv);
	/* As go: an empty GOFLAGS counts as unset, and the go env file's holds. */
	if (!(goflags = getenv("GOFLAGS")) || !*goflags)
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
