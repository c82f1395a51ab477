/* goenv.c — what `go env` says, asked of the real go or read from its file. */
#include "goenv.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char *json_dup(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return strdup(v ? v : "");
}

int goenv_start(const char *real_go, struct child_pipe *cp)
{
	char *argv[] = {(char *)real_go, "env",   "-json", "GOOS",   "GOARCH", "GOHOSTOS",
	                "GOHOSTARCH",    "GOEXE", "GOBIN", "GOPATH", NULL};

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

/* The go env file's text, read once per process: a build asks it for
 * GOFLAGS, GOOS, GOARCH and GOWORK. NULL when there is none. */
static const char *env_file_text(void)
{
	static int loaded;
	static char *text;
	const char *goenv = getenv("GOENV"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char path[4096];
	FILE *f;
	long n;

	if (loaded)
		return text;
	loaded = 1;
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
	/* go's own file is small; a huge one is not go's. */
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) != NULL) {
		size_t got = fread(text, 1, (size_t)n, f);
		text[got] = '\0';
	}
	fclose(f);
	return text;
}

char *goenv_file_value(const char *name)
{
	const char *p = env_file_text();
	size_t n = strlen(name);
	char *value = NULL;

	/* The last NAME= line wins, as in go's own reading. */
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			size_t vlen = len - n - 1;
			if (vlen > 0 && p[n + 1 + vlen - 1] == '\r')
				vlen--;
			free(value);
			value = strndup(p + n + 1, vlen);
		}
		p += len + (p[len] == '\n');
	}
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
