#include "project.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gomod.h"
#include "gowd.h"

int project_load_config(struct config *c, const char *dir, pgo_err *err)
{
	const char *projects[2] = {NULL, NULL};
	char wd[PATH_MAX], *work = NULL;
	struct gomod mod;
	int have_mod = gomod_find(dir, &mod) == 0, rc;

	/* A workspace's root file first, the module's own over it. */
	if ((dir[0] == '/' ? snprintf(wd, sizeof wd, "%s", dir) < (int)sizeof wd
	                   : gowd_get(dir, wd) == 0) &&
	    (work = gomod_workspace_root(wd)) != NULL)
		projects[0] = work;
	if (have_mod && (!work || strcmp(work, mod.root) != 0))
		projects[1] = mod.root;
	rc = config_load(c, projects, 2, err);
	if (have_mod)
		gomod_free(&mod);
	free(work);
	return rc;
}
