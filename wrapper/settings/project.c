#include "project.h"

#include "gomod.h"

int project_load_config(struct config *c, const char *dir, pgo_err *err)
{
	struct gomod mod;
	int have_mod = gomod_find(dir, &mod) == 0, rc;

	rc = config_load(c, have_mod ? mod.root : NULL, err);
	if (have_mod)
		gomod_free(&mod);
	return rc;
}
