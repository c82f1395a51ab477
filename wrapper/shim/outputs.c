#include "outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goerr.h"

static char *path_join3(const char *a, const char *b, const char *c)
{
	char *p;
	if (asprintf(&p, "%s/%s%s", a, b, c) < 0)
		return NULL;
	return p;
}

static int buildmode_is(const struct gocmd *cmd, const char *mode)
{
	return cmd->buildmode && !strcmp(cmd->buildmode, mode);
}

/* The suffix go gives a main package's output: cfg.ExeSuffix as
 * cmd/go/internal/work.buildModeInit sets it (c-archive ".a", plugin
 * ".so", c-shared nothing on Windows, else GOEXE). */
static const char *exe_suffix(const struct gocmd *cmd, const struct goenv *env)
{
	if (buildmode_is(cmd, "c-archive"))
		return ".a";
	if (buildmode_is(cmd, "plugin"))
		return ".so";
	if (buildmode_is(cmd, "c-shared") && !strcmp(env->goos, "windows"))
		return "";
	return env->goexe;
}

/* base.IsNull: go writes nothing at all for -o /dev/null. */
static int is_null_output(const char *o)
{
	return o && !strcmp(o, "/dev/null");
}

static int is_dir_output(const char *o, const char *workdir)
{
	struct stat st;
	char *p;
	int dir;
	size_t n = strlen(o);

	if (n > 0 && o[n - 1] == '/')
		return 1;
	if (o[0] == '/')
		return stat(o, &st) == 0 && S_ISDIR(st.st_mode);
	if (asprintf(&p, "%s/%s", workdir, o) < 0)
		return 0;
	dir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return dir;
}

static char *build_output(const struct gocmd *cmd, const struct mainpkg_list *l,
                          const struct mainpkg *m, const struct goenv *env, const char *workdir)
{
	const char *o = cmd->output;
	const char *base = (o && o[0] == '/') ? "" : workdir;
	char *dir, *res;

	if (is_null_output(o))
		return NULL;
	if (!o) /* several packages and no -o: go discards what it builds */
		return l->npackages == 1 ? path_join3(workdir, m->name, exe_suffix(cmd, env))
		                         : NULL;
	if (!is_dir_output(o, workdir))
		return l->npackages == 1 ? (o[0] == '/' ? strdup(o) : path_join3(base, o, ""))
		                         : NULL;
	if (o[0] == '/')
		dir = strdup(o);
	else if (asprintf(&dir, "%s/%s", workdir, o) < 0)
		dir = NULL;
	if (!dir)
		return NULL;
	res = path_join3(dir, m->name, exe_suffix(cmd, env));
	free(dir);
	return res;
}

static char *install_output(const struct gocmd *cmd, const struct mainpkg *m,
                            const struct goenv *env)
{
	int cross = strcmp(env->goos, env->gohostos) || strcmp(env->goarch, env->gohostarch);
	char first[4096], *colon;
	char *dir, *res;

	if (*env->gobin)
		return cross ? NULL : path_join3(env->gobin, m->name, exe_suffix(cmd, env));
	snprintf(first, sizeof first, "%s", env->gopath);
	if ((colon = strchr(first, ':')) != NULL)
		*colon = '\0';
	if (!*first)
		return NULL;
	if (cross) {
		if (asprintf(&dir, "%s/bin/%s_%s", first, env->goos, env->goarch) < 0)
			return NULL;
	} else if (asprintf(&dir, "%s/bin", first) < 0) {
		return NULL;
	}
	res = path_join3(dir, m->name, exe_suffix(cmd, env));
	free(dir);
	return res;
}

int outputs_compute(const struct gocmd *cmd, const struct mainpkg_list *l, const struct goenv *env,
                    const char *workdir, char ***outputs)
{
	char **out = calloc(l->nmains ? l->nmains : 1, sizeof *out);
	/* An archive holds no build info to read; archive and shared build no
	 * main package at all. */
	int archive = buildmode_is(cmd, "c-archive") || buildmode_is(cmd, "archive") ||
	              buildmode_is(cmd, "shared");

	if (!out)
		return -1;
	for (size_t i = 0; i < l->nmains && !archive; i++) {
		if (cmd->sub == GOCMD_INSTALL)
			out[i] = install_output(cmd, &l->mains[i], env);
		else
			out[i] = build_output(cmd, l, &l->mains[i], env, workdir);
		if (out[i])
			goerr_clean_path(out[i]);
	}
	*outputs = out;
	return 0;
}

void outputs_free(char **outputs, size_t n)
{
	for (size_t i = 0; outputs && i < n; i++)
		free(outputs[i]);
	free(outputs);
}
