/* goflag.h — command-line flags parsed the way Go's flag package does.
 *
 * pgo-go's Go-facing subcommands (version, verify) accept what the go
 * command accepts: -flag, --flag, -flag=value, -flag value for non-booleans,
 * "--" to end the flags, and the first non-flag argument ending them. Errors
 * print Go's message and the command's usage on stderr.
 */
#ifndef PGO_GO_GOFLAG_H
#define PGO_GO_GOFLAG_H

enum goflag_kind {
	GOFLAG_BOOL,
	GOFLAG_STRING,
	GOFLAG_CHDIR, /* go's -C: a string flag valid only as the first flag */
};

struct goflag_def {
	const char *name;
	enum goflag_kind kind;
	int *bool_out;           /* GOFLAG_BOOL */
	const char **string_out; /* GOFLAG_STRING: points into argv */
};

/* strconv.ParseBool: 1, t, T, TRUE, true, True and their false forms.
 * Returns 0 with *out, or -1. The one parser of Go's booleans. */
int goflag_parse_bool(const char *s, int *out);

#define GOFLAG_ERROR (-1) /* message and usage printed: exit 2, as Go */
#define GOFLAG_HELP  (-2) /* -h or -help: usage printed on stderr: exit 2, as Go */

/* Parses argv[1..] against defs (terminated by a NULL name). Returns the
 * index of the first non-flag argument, or GOFLAG_ERROR / GOFLAG_HELP.
 * Error lines start with prefix; usage (may be NULL) follows them. */
int goflag_parse(const struct goflag_def *defs, int argc, char **argv, const char *prefix,
                 const char *usage);

/* Applies $GOFLAGS the way cmd/go does before parsing the command line
 * (base.SetFromGOFLAGS): words split by quoted.Split, each -name or
 * -name=value; flags the command does not define are skipped (GOFLAGS is
 * shared by every go command). Errors print "<prefix>…(from $GOFLAGS)…" and
 * the usage. Returns 0, GOFLAG_ERROR (exit 2, as go) or GOFLAG_FATAL (a
 * GOFLAGS that is not a list of flags: exit 1, as go). Unlike go, a flag no
 * go command defines is skipped rather than refused: that needs every
 * command's flags, and a wrong table would break builds.
 * String values point into *words, which the caller frees with
 * gocmd_free_words once done with them (NULL when GOFLAGS is empty). */
#define GOFLAG_FATAL (-3)
int goflag_apply_env(const struct goflag_def *defs, const char *goflags, const char *prefix,
                     const char *usage, char ***words);

#endif
