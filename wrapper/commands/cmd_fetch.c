/* `pgo-go fetch`: the profile the shim would use, written to a file. */
#include "cmd_fetch.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "fetch_sources.h"
#include "msg.h"
#include "project.h"
#include "settings_fetch.h"
#include "window.h"

static const char fetch_usage[] =
    "usage: pgo-go fetch [--url URL] [--service NAME | --query SELECTOR ...]\n"
    "                    [--window DUR] [--hold DUR] [--profile-type TYPE]\n"
    "                    [--keep-locations N] [--[no-]aggregate-callees] [--offline]\n"
    "                    [--force] [-o FILE]\n"
    "       pgo-go fetch --pprof-url URL [--window DUR] [options] [-o FILE]\n"
    "       pgo-go fetch --from FILE|DIR ... [options] [-o FILE]\n";

/* ---- the command line ------------------------------------------------------ */

struct fetch_cli {
	const char *url, *service, *window, *hold, *type, *keep, *out;
	const char **queries;
	size_t nqueries;
	const char *pprof_url; /* a raw endpoint instead of Pyroscope */
	const char **from;     /* local files and directories instead */
	size_t nfrom;
	int aggregate; /* -1: as configured */
	int force, offline;
};

enum {
	OPT_URL = 256,
	OPT_SERVICE,
	OPT_QUERY,
	OPT_WINDOW,
	OPT_HOLD,
	OPT_TYPE,
	OPT_KEEP,
	OPT_AGG,
	OPT_NO_AGG,
	OPT_FORCE,
	OPT_OFFLINE,
	OPT_PPROF_URL,
	OPT_FROM,
	OPT_HELP
};

static const struct option long_options[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"query", required_argument, NULL, OPT_QUERY},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"profile-type", required_argument, NULL, OPT_TYPE},
    {"keep-locations", required_argument, NULL, OPT_KEEP},
    {"aggregate-callees", no_argument, NULL, OPT_AGG},
    {"no-aggregate-callees", no_argument, NULL, OPT_NO_AGG},
    {"force", no_argument, NULL, OPT_FORCE},
    {"offline", no_argument, NULL, OPT_OFFLINE},
    {"pprof-url", required_argument, NULL, OPT_PPROF_URL},
    {"from", required_argument, NULL, OPT_FROM},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int cli_option(struct fetch_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case OPT_URL:
		cli->url = arg;
		break;
	case OPT_SERVICE:
		cli->service = arg;
		break;
	case OPT_QUERY:
		cli->queries[cli->nqueries++] = arg;
		break;
	case OPT_WINDOW:
		cli->window = arg;
		break;
	case OPT_HOLD:
		cli->hold = arg;
		break;
	case OPT_TYPE:
		cli->type = arg;
		break;
	case OPT_KEEP:
		cli->keep = arg;
		break;
	case OPT_AGG:
	case OPT_NO_AGG:
		cli->aggregate = opt == OPT_AGG;
		break;
	case OPT_FORCE:
		cli->force = 1;
		break;
	case OPT_OFFLINE:
		cli->offline = 1;
		break;
	case OPT_PPROF_URL:
		cli->pprof_url = arg;
		break;
	case OPT_FROM:
		cli->from[cli->nfrom++] = arg;
		break;
	case 'o':
		cli->out = arg;
		break;
	case OPT_HELP:
		fputs(fetch_usage, stdout);
		return 1;
	default:
		fputs(fetch_usage, stderr);
		return 2;
	}
	return 0;
}

/* One source: Pyroscope (--url, --service, --query), a raw endpoint, or
 * local files. */
static int check_sources(const struct fetch_cli *cli)
{
	int pyro = cli->url || cli->service || cli->nqueries;

	if (pyro + !!cli->pprof_url + !!cli->nfrom > 1) {
		pgo_errorf("fetch: give one source: --url/--service/--query (Pyroscope), "
		           "--pprof-url, or --from");
		return 2;
	}
	return 0;
}

/* 0, or the exit status to return at once (help: 0 after printing; 2). */
static int parse_cli(int argc, char **argv, struct fetch_cli *cli)
{
	int opt, rc;

	memset(cli, 0, sizeof *cli);
	cli->aggregate = -1;
	cli->out = "default.pgo";
	if (!(cli->queries = calloc((size_t)argc, sizeof *cli->queries)) ||
	    !(cli->from = calloc((size_t)argc, sizeof *cli->from))) {
		pgo_errorf("out of memory");
		return 1;
	}
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "o:", long_options, NULL)) != -1)
		if ((rc = cli_option(cli, opt, optarg)) != 0)
			return rc == 1 ? -1 : rc;
	if (optind < argc) {
		pgo_errorf("fetch takes no arguments ('%s'); see 'pgo-go fetch --help'",
		           argv[optind]);
		return 2;
	}
	if (cli->service && cli->nqueries) {
		pgo_errorf("fetch: give --service or --query, not both");
		return 2;
	}
	return check_sources(cli);
}

/* A flag of the command line, as an override of its setting: through the
 * setting's own parser, named in errors as the flag. */
static int set_flag(struct config *c, enum cfg_key k, const char *value, const char *flag,
                    pgo_err *err)
{
	return value ? config_set(c, k, value, CFG_FROM_FLAG, flag, err) : 0;
}

static int apply_cli(struct config *c, const struct fetch_cli *cli, pgo_err *err)
{
	if (set_flag(c, CFG_URL, cli->url, "--url", err) ||
	    set_flag(c, CFG_PPROF_URL, cli->pprof_url, "--pprof-url", err) ||
	    set_flag(c, CFG_WINDOW, cli->window, "--window", err) ||
	    set_flag(c, CFG_HOLD, cli->hold, "--hold", err) ||
	    set_flag(c, CFG_PROFILE_TYPE, cli->type, "--profile-type", err) ||
	    set_flag(c, CFG_KEEP_LOCATIONS, cli->keep, "--keep-locations", err) ||
	    set_flag(c, CFG_OFFLINE, cli->offline ? "1" : NULL, "--offline", err))
		return -1;
	if (cli->aggregate >= 0 &&
	    set_flag(c, CFG_AGGREGATE_CALLEES, cli->aggregate ? "1" : "0",
	             cli->aggregate ? "--aggregate-callees" : "--no-aggregate-callees", err))
		return -1;
	/* The service and the queries replace each other, whatever the lower
	 * layers said. */
	if (cli->service && (set_flag(c, CFG_SERVICE, cli->service, "--service", err) ||
	                     set_flag(c, CFG_QUERY, "", "--service", err)))
		return -1;
	for (size_t i = 0; i < cli->nqueries; i++)
		if (set_flag(c, CFG_QUERY, cli->queries[i], "--query", err))
			return -1;
	return 0;
}

/* ---- writing the file -------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) &&
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)st.st_size : 0;
	fclose(f);
	return buf;
}

/* Into what is not a regular file (/dev/null, a pipe): written through,
 * as cp would; replacing it with a file would be wrong (and, as root,
 * would replace /dev/null). */
static int write_through(const char *dst, const unsigned char *data, size_t len)
{
	FILE *f = fopen(dst, "wb");
	int rc = f && fwrite(data, 1, len, f) == len ? 0 : -1;

	if (f && fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		pgo_errorf("cannot write the profile to %s: %s", dst, strerror(errno));
	return rc;
}

/* dst gets data the way the cache writes: a reader (a build running
 * meanwhile) sees the old profile or the new one. "-" is standard output;
 * a symbolic link's target is written, the link kept. */
static int write_profile(const char *dst, const unsigned char *data, size_t len)
{
	char *target = realpath(dst, NULL);
	char *dcopy, *bcopy;
	struct stat st;
	fetch_err err;
	int rc = -1;

	if (target)
		dst = target;
	dcopy = strdup(dst);
	bcopy = strdup(dst);
	if (!strcmp(dst, "-")) {
		rc = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
		if (rc != 0)
			pgo_errorf("cannot write the profile to standard output: %s",
			           strerror(errno));
	} else if (stat(dst, &st) == 0 && !S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? -1 : write_through(dst, data, len);
		if (S_ISDIR(st.st_mode))
			pgo_errorf("cannot write the profile to %s: it is a directory", dst);
	} else if (!dcopy || !bcopy) {
		pgo_errorf("out of memory");
	} else if ((rc = cache_write_atomic(dirname(dcopy), basename(bcopy), data, len, &err)) !=
	           0) {
		pgo_errorf("%s", err.msg);
	}
	free(dcopy);
	free(bcopy);
	free(target);
	return rc;
}

static int copy_profile(const char *src, const char *dst)
{
	size_t len = 0, oldlen = 0;
	unsigned char *data = slurp(src, &len), *old = NULL;
	struct stat st;
	int rc = 0;

	if (!data) {
		pgo_errorf("cannot read the cached profile %s: %s", src, strerror(errno));
		return -1;
	}
	/* Equal bytes are left alone: the file's time stays as it was. Only a
	 * regular file is read back (not a pipe). */
	if (strcmp(dst, "-") != 0 && stat(dst, &st) == 0 && S_ISREG(st.st_mode))
		old = slurp(dst, &oldlen);
	if (!old || oldlen != len || memcmp(old, data, len) != 0)
		rc = write_profile(dst, data, len);
	free(old);
	free(data);
	return rc;
}

static void format_size(int64_t n, char *buf, size_t bufsz)
{
	if (n < 1000)
		snprintf(buf, bufsz, "%" PRId64 " B", n);
	else if (n < 1000000)
		snprintf(buf, bufsz, "%.1f kB", (double)n / 1e3);
	else
		snprintf(buf, bufsz, "%.1f MB", (double)n / 1e6);
}

/* What the profile is of: the service, or every query. */
static void subject(const cache_meta *m, char *buf, size_t bufsz)
{
	size_t o = 0;

	if (m->service) {
		snprintf(buf, bufsz, "%s", m->service);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < m->nselectors && o < bufsz; i++)
		o += (size_t)snprintf(buf + o, bufsz - o, "%s%s", i ? " + " : "", m->selectors[i]);
}

static void print_summary(const char *out, const fetch_result *r)
{
	const cache_meta *m = &r->meta;
	window w = {m->window_start, m->window_end, m->open_window};
	char what[512], win[112], size[32], age[32], from[80] = "";

	int raw =
	    !strcmp(m->profile_type, FETCH_URL_TYPE) || !strcmp(m->profile_type, FETCH_FILES_TYPE);

	subject(m, what, sizeof what);
	format_size(m->size, size, sizeof size);
	window_format_duration((int64_t)time(NULL) - m->fetched_at, age, sizeof age);
	if (r->held)
		snprintf(from, sizeof from, ", held: the newest changes %.1f%% of the decisions",
		         r->held_change * 100);
	else if (r->source == FETCH_FROM_CACHE)
		snprintf(from, sizeof from, ", from the cache");
	else if (r->source != FETCH_FROM_SERVER)
		snprintf(from, sizeof from, ", cached %s ago", age);
	/* A raw profile covers the time it was captured, not an aligned
	 * window; a file may not say when that was. */
	if (raw && m->window_end <= 0)
		win[0] = '\0';
	else
		snprintf(win, sizeof win, ", %s ", raw ? "captured" : "window");
	if (win[0])
		window_format(w, win + strlen(win), sizeof win - strlen(win));
	/* With -o -, standard output is the profile: the summary goes to stderr. */
	fprintf(strcmp(out, "-") ? stdout : stderr, "wrote %s: %s%s, %" PRId64 " samples, %s%s\n",
	        strcmp(out, "-") ? out : "standard output", what, win, m->samples, size, from);
}

/* ---- the command -------------------------------------------------------------- */

/* The command line's source, else the configured raw endpoint (as the shim
 * would use it), else Pyroscope. */
static int fetch_from_source(const struct config *c, const struct fetch_cli *cli,
                             const fetch_opts *o, fetch_result *r, fetch_err *err)
{
	int pyro = cli->url || cli->service || cli->nqueries;

	if (cli->nfrom)
		return fetch_from_files(o, cli->from, cli->nfrom, r, err);
	if (!pyro && *c->pprof_url)
		return fetch_from_url(o, c->pprof_url, r, err);
	return fetch_profile(o, r, err);
}

static int run_fetch(const struct config *c, const struct fetch_cli *cli)
{
	fetch_opts o;
	fetch_result r;
	fetch_err ferr;
	int rc;

	fetch_opts_defaults(&o);
	settings_fetch_opts(c, &o);
	if (cli->nqueries) { /* every --query merges: more than the setting's one */
		o.selectors = cli->queries;
		o.nselectors = cli->nqueries;
	}
	o.force = cli->force;
	if (fetch_from_source(c, cli, &o, &r, &ferr) != 0) {
		pgo_errorf("%s", ferr.msg);
		return PGO_EXIT_FAIL;
	}
	rc = copy_profile(r.path, cli->out) == 0 ? PGO_EXIT_OK : PGO_EXIT_FAIL;
	if (rc == 0)
		print_summary(cli->out, &r);
	fetch_result_clear(&r);
	return rc;
}

int cmd_fetch(int argc, char **argv)
{
	struct fetch_cli cli;
	struct config c;
	pgo_err err;
	int rc = parse_cli(argc, argv, &cli);

	if (rc != 0) {
		free(cli.queries);
		free(cli.from);
		return rc < 0 ? 0 : rc;
	}
	if (project_load_config(&c, ".", &err) != 0) {
		pgo_errorf("%s", err.msg);
		free(cli.queries);
		free(cli.from);
		return pgo_exit_for(err.code);
	}
	if (apply_cli(&c, &cli, &err) != 0) {
		pgo_errorf("%s", err.msg);
		rc = pgo_exit_for(err.code);
	} else {
		pgo_msg_set_verbose(c.verbose);
		pgo_msg_set_log(c.log);
		pgo_log_argv("command", argv);
		rc = run_fetch(&c, &cli);
	}
	config_free(&c);
	free(cli.queries);
	free(cli.from);
	return rc;
}
