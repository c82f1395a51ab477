#include "gocmd.h"

#include "goflag.h"
#include <stdlib.h>
#include <string.h>

enum arity { FLAG_BOOL, FLAG_VALUE };

struct flag_info {
	const char *name;
	enum arity arity;
};

/* The build flags of `go build` and `go install` in Go 1.26
 * (cmd/go/internal/work.AddBuildFlags, AddCoverFlags, and -o for build).
 * -buildvcs takes a value but also accepts the bare boolean form. */
static const struct flag_info build_flags[] = {
    {"a", FLAG_BOOL},
    {"asan", FLAG_BOOL},
    {"asmflags", FLAG_VALUE},
    {"buildmode", FLAG_VALUE},
    {"buildvcs", FLAG_BOOL},
    {"compiler", FLAG_VALUE},
    {"cover", FLAG_BOOL},
    {"covermode", FLAG_VALUE},
    {"coverpkg", FLAG_VALUE},
    {"debug-actiongraph", FLAG_VALUE},
    {"debug-runtime-trace", FLAG_VALUE},
    {"debug-trace", FLAG_VALUE},
    {"gccgoflags", FLAG_VALUE},
    {"gcflags", FLAG_VALUE},
    {"installsuffix", FLAG_VALUE},
    {"json", FLAG_BOOL},
    {"ldflags", FLAG_VALUE},
    {"linkshared", FLAG_BOOL},
    {"mod", FLAG_VALUE},
    {"modcacherw", FLAG_BOOL},
    {"modfile", FLAG_VALUE},
    {"msan", FLAG_BOOL},
    {"n", FLAG_BOOL},
    {"o", FLAG_VALUE},
    {"overlay", FLAG_VALUE},
    {"p", FLAG_VALUE},
    {"pgo", FLAG_VALUE},
    {"pkgdir", FLAG_VALUE},
    {"race", FLAG_BOOL},
    {"tags", FLAG_VALUE},
    {"toolexec", FLAG_VALUE},
    {"trimpath", FLAG_BOOL},
    {"v", FLAG_BOOL},
    {"work", FLAG_BOOL},
    {"x", FLAG_BOOL},
};

static const struct flag_info *find_flag(const char *name, size_t n, enum gocmd_sub sub)
{
	for (size_t i = 0; i < sizeof build_flags / sizeof *build_flags; i++) {
		const struct flag_info *f = &build_flags[i];
		if (strlen(f->name) == n && !strncmp(f->name, name, n))
			return (sub == GOCMD_INSTALL && !strcmp(f->name, "o")) ? NULL : f;
	}
	return NULL;
}

/* A boolean flag's value, true when there is none or it does not parse:
 * the real go reports the error; we only need not to misread a valid value. */
static int bool_value(const char *v)
{
	int b;

	return !v || goflag_parse_bool(v, &b) != 0 || b;
}

/* Records one flag the shim cares about. from_env: it came from GOFLAGS,
 * where the command line overrides it. */
static void note_flag(struct gocmd *cmd, const char *name, const char *value, int from_env)
{
	if (!strcmp(name, "pgo")) {
		if (!from_env || !cmd->pgo_set)
			cmd->pgo = value;
		cmd->pgo_set = 1;
	} else if (!strcmp(name, "n")) {
		cmd->dry_run = bool_value(value);
	} else if (!strcmp(name, "x") || !strcmp(name, "json") || !strcmp(name, "work")) {
		cmd->step_output |= bool_value(value);
	} else if (!strcmp(name, "trimpath")) {
		cmd->trimpath = bool_value(value);
	} else if (!strcmp(name, "o")) {
		cmd->output = value;
	} else if (!strcmp(name, "buildmode")) {
		cmd->buildmode = value;
	} else if (!strcmp(name, "overlay")) {
		cmd->overlay = value;
	} else if (!strcmp(name, "modfile")) {
		cmd->modfile = value;
	} else if (!strcmp(name, "h") || !strcmp(name, "help")) {
		cmd->help = 1;
	}
}

/* Splits "-name=value" / "--name" into name and value; 0 if not a flag. */
static int split_flag(const char *s, const char **name, size_t *n, const char **value)
{
	const char *eq;

	if (s[0] != '-' || s[1] == '\0')
		return 0;
	s += (s[1] == '-') ? 2 : 1;
	if (*s == '\0' || *s == '-' || *s == '=')
		return 0;
	eq = strchr(s, '=');
	*name = s;
	*n = eq ? (size_t)(eq - s) : strlen(s);
	*value = eq ? eq + 1 : NULL;
	return 1;
}

static void apply_goflags(struct gocmd *cmd)
{
	for (char **w = cmd->goflags; w && *w; w++) {
		const char *name, *value;
		size_t n;
		char buf[32];
		if (!split_flag(*w, &name, &n, &value) || n >= sizeof buf)
			continue;
		memcpy(buf, name, n);
		buf[n] = '\0';
		/* GOFLAGS applies only the flags the command knows. */
		if (find_flag(buf, n, cmd->sub))
			note_flag(cmd, buf, value, 1);
	}
}

/* Parses the flags after the subcommand, starting at argv[i]. */
static void parse_flags(struct gocmd *cmd, int argc, char **argv, int i)
{
	while (i < argc) {
		const char *s = argv[i], *name, *value;
		const struct flag_info *f;
		char buf[32];
		size_t n;

		if (!strcmp(s, "--")) {
			i++;
			break;
		}
		if (!split_flag(s, &name, &n, &value))
			break;
		if ((n == 1 && name[0] == 'h') || (n == 4 && !strncmp(name, "help", 4))) {
			cmd->help = 1;
			return;
		}
		if (n >= sizeof buf || !(f = find_flag(name, n, cmd->sub))) {
			cmd->unknown_flag = 1;
			return;
		}
		memcpy(buf, name, n);
		buf[n] = '\0';
		i++;
		if (f->arity == FLAG_VALUE && !value) {
			if (i >= argc) {
				cmd->unknown_flag = 1; /* go will say what is missing */
				return;
			}
			value = argv[i++];
		}
		if (!strcmp(buf, "C")) {
			cmd->unknown_flag = 1; /* -C is only valid first; go reports it */
			return;
		}
		note_flag(cmd, buf, value, 0);
	}
	cmd->first_arg = i;
	cmd->nargs = argc - i;
}

/* -C dir directly after the subcommand, as cmd/go's handleChdirFlag. */
static int take_chdir(struct gocmd *cmd, int argc, char **argv, int i)
{
	const char *a;

	if (i >= argc)
		return i;
	a = argv[i];
	if ((!strcmp(a, "-C") || !strcmp(a, "--C")) && i + 1 < argc) {
		cmd->chdir = argv[i + 1];
		return i + 2;
	}
	if (!strncmp(a, "-C=", 3) || !strncmp(a, "--C=", 4)) {
		cmd->chdir = strchr(a, '=') + 1;
		return i + 1;
	}
	return i;
}

int gocmd_parse(struct gocmd *cmd, int argc, char **argv, const char *goflags)
{
	int i = 1;

	memset(cmd, 0, sizeof *cmd);
	cmd->sub_index = -1;
	/* `go -C dir build`: -C may also come before the subcommand. */
	i = take_chdir(cmd, argc, argv, i);
	if (i >= argc)
		return 0;
	if (argv[i][0] == '-') {
		cmd->unknown_flag = 1;
		return 0;
	}
	if (!strcmp(argv[i], "build"))
		cmd->sub = GOCMD_BUILD;
	else if (!strcmp(argv[i], "install"))
		cmd->sub = GOCMD_INSTALL;
	else
		return 0;
	cmd->sub_index = i;
	if (goflags && *goflags) {
		cmd->goflags = gocmd_split_quoted(goflags, &cmd->error);
		if (!cmd->goflags && !cmd->error)
			return -1;
	}
	if (!cmd->chdir)
		i = take_chdir(cmd, argc, argv, i + 1);
	else
		i++;
	apply_goflags(cmd);
	parse_flags(cmd, argc, argv, i);
	return 0;
}

void gocmd_free_words(char **words)
{
	for (char **w = words; w && *w; w++)
		free(*w);
	free(words);
}

void gocmd_free(struct gocmd *cmd)
{
	gocmd_free_words(cmd->goflags);
	cmd->goflags = NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int push_word(char ***words, size_t *n, const char *s, size_t len)
{
	char **grown = realloc(*words, (*n + 2) * sizeof **words);
	if (!grown)
		return -1;
	*words = grown;
	if (!(grown[*n] = strndup(s, len)))
		return -1;
	grown[++*n] = NULL;
	return 0;
}

char **gocmd_split_quoted(const char *s, const char **error)
{
	char **words = calloc(1, sizeof *words);
	size_t n = 0;

	*error = NULL;
	if (!words)
		return NULL;
	while (*s) {
		const char *start;
		if (is_space(*s)) {
			s++;
			continue;
		}
		if (*s == '"' || *s == '\'') {
			char q = *s++;
			start = s;
			while (*s && *s != q)
				s++;
			if (!*s) {
				*error =
				    q == '"' ? "unterminated \" string" : "unterminated ' string";
				goto fail;
			}
			if (push_word(&words, &n, start, (size_t)(s - start)) != 0)
				goto fail;
			s++;
			continue;
		}
		start = s;
		while (*s && !is_space(*s))
			s++;
		if (push_word(&words, &n, start, (size_t)(s - start)) != 0)
			goto fail;
	}
	return words;
fail:
	gocmd_free_words(words);
	return NULL;
}
