#include "outputs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "child.h"
#include "goerr.h"

static char *json_dup(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return strdup(v ? v : "");
}

int goenv_start(const char *real_go, struct child_pipe *cp)
{
	char *argv[] = {(char *)real_go, "env", "-json", "GOOS", "GOARCH", "GOHOSTOS",
			"GOHOSTARCH", "GOEXE", "GOBIN", "GOPATH", NULL};

	return child_start_capture(real_go, argv, 1, cp);
}

int goenv_load(const char *real_go, struct goenv *env)
{
	struct child_pipe cp;

	memset(env, 0, sizeof *env);
	if (goenv_start(real_go, &cp) != 0)
		return -1;
	return goenv_finish(&cp, env);
}

int goenv_finish(struct child_pipe *cp, struct goenv *env)
{
	char *text = NULL;
	size_t len;
	json_t *obj;
	int status = child_finish_capture(cp, &text, &len);

	memset(env, 0, sizeof *env);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(text);
		return -1;
	}
	obj = json_loadb(text, len, 0, NULL);
	free(text);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return -1;
	}
	env->goos = json_dup(obj, "GOOS");
	env->goarch = json_dup(obj, "GOARCH");
	env->gohostos = json_dup(obj, "GOHOSTOS");
	env->gohostarch = json_dup(obj, "GOHOSTARCH");
	env->goexe = json_dup(obj, "GOEXE");
	env->gobin = json_dup(obj, "GOBIN");
	env->gopath = json_dup(obj, "GOPATH");
	json_decref(obj);
	if (!env->goos || !env->goarch || !env->gohostos || !env->gohostarch || !env->goexe ||
	    !env->gobin || !env->gopath) {
		goenv_free(env);
		return -1;
	}
	return 0;
}

void goenv_free(struct goenv *env)
{
	free(env->goos);
	free(env->goarch);
	free(env->gohostos);
	free(env->gohostarch);
	free(env->goexe);
	free(env->gobin);
	free(env->gopath);
	memset(env, 0, sizeof *env);
}

char *goenv_file_value(const char *name)
{
	const char *goenv = getenv("GOENV"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char path[4096], line[8192];
	size_t n = strlen(name);
	char *value = NULL;
	FILE *f;

	if (goenv && !strcmp(goenv, "off"))
		return NULL;
	if (goenv && *goenv)
		snprintf(path, sizeof path, "%s", goenv);
	else if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/go/env", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/go/env", home);
	else
		return NULL;
	if (!(f = fopen(path, "r")))
		return NULL;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, name, n) != 0 || line[n] != '=')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		free(value);
		value = strdup(line + n + 1);
	}
	fclose(f);
	return value;
}

int goenv_guess_host(struct goenv *env)
{
	static const char *const vars[] = {"GOOS", "GOARCH"};

	memset(env, 0, sizeof *env);
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		char *v = goenv_file_value(vars[i]);
		int set = getenv(vars[i]) != NULL || v != NULL;
		free(v);
		if (set)
			return -1;
	}
	/* pgo-go runs where it was built for, and so does the go it runs. */
	env->goos = strdup("linux");
	env->gohostos = strdup("linux");
	env->goarch = strdup("host");
	env->gohostarch = strdup("host");
	env->goexe = strdup("");
	env->gobin = strdup("");
	env->gopath = strdup("");
	if (!env->goos || !env->gohostos || !env->goarch || !env->gohostarch || !env->goexe ||
	    !env->gobin || !env->gopath) {
		goenv_free(env);
		return -1;
	}
	return 0;
}

static char *path_join3(const char *a, const char *b, const char *c)
{
	char *p;
	if (asprintf(&p, "%s/%s%s", a, b, c) < 0)
		return NULL;
	return p;
}

/* The file name go gives a main package's output, with the platform's suffix. */
static const char *exe_suffix(const struct gocmd *cmd, const struct goenv *env)
{
	if (cmd->buildmode && !strcmp(cmd->buildmode, "c-shared"))
		return !strcmp(env->goos, "windows") ? ".dll" : !strcmp(env->goos, "darwin") ? ".dylib" : ".so";
	return env->goexe;
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

	if (!o) /* several packages and no -o: go discards what it builds */
		return l->npackages == 1 ? path_join3(workdir, m->name, exe_suffix(cmd, env)) : NULL;
	if (!is_dir_output(o, workdir))
		return l->npackages == 1 ? (o[0] == '/' ? strdup(o) : path_join3(base, o, "")) : NULL;
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
	int archive = cmd->buildmode && (!strcmp(cmd->buildmode, "c-archive") ||
					 !strcmp(cmd->buildmode, "archive"));

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
