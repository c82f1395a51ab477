#include "goflag.h"

#include "bi_quote.h"
#include "gocmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct goflag_def *lookup(const struct goflag_def *defs, const char *name, size_t n)
{
	for (; defs->name; defs++)
		if (strlen(defs->name) == n && !strncmp(defs->name, name, n))
			return defs;
	return NULL;
}

int goflag_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (!strcmp(s, yes[i]))
			return *out = 1, 0;
		if (!strcmp(s, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* %q of a flag value, as Go's flag package prints it. */
static void put_quoted(FILE *f, const char *s)
{
	bi_buf b = {0};
	size_t n;
	char *q;

	bi_quote_append(&b, s, strlen(s));
	if ((q = bi_buf_take(&b, &n)) != NULL)
		fwrite(q, 1, n, f);
	free(q);
}

struct parse_ctx {
	const char *prefix;
	const char *usage;
};

/* Prints "<prefix><what><n bytes of s><tail>\n" and the usage. */
static int fail(const struct parse_ctx *ctx, const char *what, const char *s, int n,
                const char *tail)
{
	fprintf(stderr, "%s%s%.*s%s\n", ctx->prefix, what, n, s, tail);
	if (ctx->usage)
		fputs(ctx->usage, stderr);
	return GOFLAG_ERROR;
}

/* "<prefix>invalid <kind> <%q value><what><n bytes of name><tail>" and the
 * usage: a flag's value refused. */
static int bad_value(const struct parse_ctx *ctx, const char *kind, const char *value,
                     const char *what, const char *name, int n, const char *tail)
{
	fprintf(stderr, "%sinvalid %s ", ctx->prefix, kind);
	put_quoted(stderr, value);
	return fail(&(struct parse_ctx){"", ctx->usage}, what, name, n, tail);
}

/* A boolean flag's value: none is true, else strconv.ParseBool's. */
static int set_bool(const struct goflag_def *def, const char *eq, const struct parse_ctx *ctx,
                    const char *what, const char *name, int n, const char *tail)
{
	if (!eq)
		return *def->bool_out = 1, 0;
	if (goflag_parse_bool(eq + 1, def->bool_out) == 0)
		return 0;
	return bad_value(ctx, "boolean value", eq + 1, what, name, n, tail);
}

/* One flag at argv[*i]; returns 1 when flags end, 0 to go on, -1 on error. */
static int parse_one(const struct goflag_def *defs, int argc, char **argv, int *i,
                     const struct parse_ctx *ctx)
{
	const char *s = argv[*i], *name, *eq;
	const struct goflag_def *def;
	size_t n;

	if (strlen(s) < 2 || s[0] != '-')
		return 1;
	name = s + 1;
	if (s[1] == '-') {
		if (s[2] == '\0') {
			(*i)++;
			return 1;
		}
		name++;
	}
	if (name[0] == '\0' || name[0] == '-' || name[0] == '=') {
		return fail(ctx, "bad flag syntax: ", s, (int)strlen(s), "");
	}
	eq = strchr(name, '=');
	n = eq ? (size_t)(eq - name) : strlen(name);
	def = lookup(defs, name, n);
	if (!def) {
		if ((n == 1 && name[0] == 'h') || (n == 4 && !strncmp(name, "help", 4))) {
			if (ctx->usage)
				fputs(ctx->usage, stderr);
			return GOFLAG_HELP;
		}
		return fail(ctx, "flag provided but not defined: -", name, (int)n, "");
	}
	int first = *i == 1;
	(*i)++;
	if (def->kind == GOFLAG_BOOL)
		return set_bool(def, eq, ctx, " for -", def->name, (int)strlen(def->name),
		                ": parse error");
	if (!eq && *i >= argc)
		return fail(ctx, "flag needs an argument: -", def->name, (int)strlen(def->name),
		            "");
	*def->string_out = eq ? eq + 1 : argv[(*i)++];
	if (def->kind == GOFLAG_CHDIR && !first) {
		/* cmd/go handles -C before parsing; later, its flag only refuses. */
		return bad_value(ctx, "value", *def->string_out, " for flag -", def->name,
		                 (int)strlen(def->name),
		                 ": -C flag must be first flag on command line");
	}
	return 0;
}

int goflag_parse(const struct goflag_def *defs, int argc, char **argv, const char *prefix,
                 const char *usage)
{
	struct parse_ctx ctx = {prefix, usage};
	int i = 1;

	fflush(stdout);
	while (i < argc) {
		int r = parse_one(defs, argc, argv, &i, &ctx);
		if (r < 0)
			return r;
		if (r > 0)
			break;
	}
	return i;
}

/* One GOFLAGS word; 0, or GOFLAG_ERROR after the message and usage. */
static int apply_word(const struct goflag_def *defs, const char *w, const struct parse_ctx *ctx)
{
	const char *eq = strchr(w, '='), *name = w;
	const struct goflag_def *def;
	size_t n;

	if (eq == w)
		return 0;
	if (!strncmp(name, "--", 2))
		name++;
	n = eq ? (size_t)(eq - name) : strlen(name);
	if (!(def = lookup(defs, name + 1, n - 1)))
		return 0;
	if (def->kind == GOFLAG_BOOL)
		return set_bool(def, eq, ctx, " for flag ", name, (int)n,
		                " (from $GOFLAGS): parse error");
	if (!eq)
		return fail(ctx, "flag needs an argument: ", name, (int)n, " (from $GOFLAGS)");
	if (def->kind == GOFLAG_CHDIR) {
		/* go's -C flag only ever refuses: it is handled before parsing. */
		return bad_value(ctx, "value", eq + 1, " for flag ", name, (int)n,
		                 " (from $GOFLAGS): -C flag must be first flag on command line");
	}
	*def->string_out = eq + 1;
	return 0;
}

/* base.InitGOFLAGS's check: every word looks like -x, --x, -x=v or --x=v. */
static int is_flag_word(const char *w)
{
	return w[0] == '-' && strcmp(w, "-") && strcmp(w, "--") && strncmp(w, "---", 3) &&
	       strncmp(w, "-=", 2) && strncmp(w, "--=", 3);
}

int goflag_apply_env(const struct goflag_def *defs, const char *goflags, const char *prefix,
                     const char *usage, char ***wordsp)
{
	struct parse_ctx ctx = {prefix, usage};
	const char *error;
	char **words;
	int rc = 0;

	*wordsp = NULL;
	if (!goflags || !*goflags)
		return 0;
	fflush(stdout);
	if (!(*wordsp = words = gocmd_split_quoted(goflags, &error))) {
		fprintf(stderr, "%sparsing $GOFLAGS: %s\n", prefix,
		        error ? error : "out of memory");
		return GOFLAG_FATAL;
	}
	for (size_t i = 0; words[i] && rc == 0; i++)
		if (!is_flag_word(words[i])) {
			fprintf(stderr, "%sparsing $GOFLAGS: non-flag ", prefix);
			put_quoted(stderr, words[i]);
			fputc('\n', stderr);
			rc = GOFLAG_FATAL;
		}
	for (size_t i = 0; words[i] && rc == 0; i++)
		rc = apply_word(defs, words[i], &ctx);
	return rc;
}
