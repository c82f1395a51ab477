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

#include "settings_fetch.h"
#include "fetch_sources.h"
#include "gomod.h"
#include "msg.h"
#include "window.h"

static const char fetch_usage[] =
	"usage: pgo-go fetch [--url URL] [--service NAME | --query SELECTOR ...]\n"
	"                    [--window DUR] [--profile-type TYPE] [--keep-locations N]\n"
	"                    [--[no-]aggregate-callees] [--offline] [--force] [-o FILE]\n"
	"       pgo-go fetch --pprof-url URL [--window DUR] [options] [-o FILE]\n"
	"       pgo-go fetch --from FILE|DIR ... [options] [-o FILE]\n";

/* ---- the command line ------------------------------------------------------ */

struct fetch_cli {
	const char *url, *service, *window, *type, *keep, *out;
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
		pgo_errorf("fetch takes no arguments ('%s'); see 'pgo-go fetch --help'", argv[optind]);
		return 2;
	}
	if (cli->service && cli->nqueries) {
		pgo_errorf("fetch: give --service or --query, not both");
		return 2;
	}
	return check_sources(cli);
}

static int apply_cli(const struct fetch_cli *cli, fetch_opts *o)
{
	fetch_err ferr;
	unsigned long n;

	if (cli->url)
		o->conn.url = cli->url;
	if (cli->service) {
		o->service = cli->service;
		o->nselectors = 0;
	}
	if (cli->nqueries) {
		o->selectors = cli->queries;
		o->nselectors = cli->nqueries;
	}
	if (cli->window && window_parse(cli->window, &o->window, &ferr) != 0) {
		pgo_errorf("--window: %s", ferr.msg);
		return 2;
	}
	if (cli->type)
		o->profile_type = cli->type;
	if (cli->keep) {
		if (fetch_config_uint(cli->keep, 1000000, &n) != 0) {
			pgo_errorf("--keep-locations wants a number, not '%s'", cli->keep);
			return 2;
		}
		o->reduce.keep_locations = (unsigned)n;
	}
	if (cli->aggregate >= 0)
		o->reduce.aggregate_callees = cli->aggregate;
	o->force |= cli->force;
	o->offline |= cli->offline;
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

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* dst gets data through a temporary file beside it and a rename: a reader
 * (a build running meanwhile) sees the old profile or the new one. */
static int write_atomic(const char *dst, const unsigned char *data, size_t len)
{
	char *copy = strdup(dst), *tmp = NULL;
	int fd = -1, rc = -1;

	if (!copy || asprintf(&tmp, "%s/.%s.XXXXXX", dirname(copy), "pgo-go-fetch") < 0) {
		tmp = NULL;
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (write_all(fd, data, len) == 0 && fchmod(fd, 0644) == 0 && close(fd) == 0) {
		fd = -1;
		rc = rename(tmp, dst);
	}
out:
	if (rc != 0)
		pgo_errorf("cannot write %s: %s", dst, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(copy);
	return rc;
}

static int copy_profile(const char *src, const char *dst)
{
	size_t len = 0, oldlen = 0;
	unsigned char *data = slurp(src, &len), *old;
	int rc = 0;

	if (!data) {
		pgo_errorf("cannot read the cached profile %s: %s", src, strerror(errno));
		return -1;
	}
	/* Equal bytes are left alone: the file's time stays as it was. */
	old = slurp(dst, &oldlen);
	if (!old || oldlen != len || memcmp(old, data, len) != 0)
		rc = write_atomic(dst, data, len);
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
	char what[512], win[112], size[32], age[32], from[64] = "";

	int raw = !strcmp(m->profile_type, FETCH_URL_TYPE) ||
		  !strcmp(m->profile_type, FETCH_FILES_TYPE);

	subject(m, what, sizeof what);
	format_size(m->size, size, sizeof size);
	window_format_duration((int64_t)time(NULL) - m->fetched_at, age, sizeof age);
	if (r->source == FETCH_FROM_CACHE)
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
	printf("wrote %s: %s%s, %" PRId64 " samples, %s%s\n", out, what, win, m->samples, size,
	       from);
}

/* ---- the command -------------------------------------------------------------- */

static int load_config(struct config *c)
{
	struct gomod mod;
	char err[1024];
	int have_mod = gomod_find(".", &mod) == 0, rc;

	rc = config_load(c, have_mod ? mod.root : NULL, err, sizeof err);
	if (have_mod)
		gomod_free(&mod);
	if (rc != 0)
		pgo_errorf("%s", err);
	return rc;
}

/* The command line's source, else the configured raw endpoint (as the shim
 * would use it), else Pyroscope. */
static int fetch_from_source(const struct config *c, const struct fetch_cli *cli,
			     const fetch_opts *o, fetch_result *r, fetch_err *err)
{
	int pyro = cli->url || cli->service || cli->nqueries;

	if (cli->nfrom)
		return fetch_from_files(o, cli->from, cli->nfrom, r, err);
	if (cli->pprof_url)
		return fetch_from_url(o, cli->pprof_url, r, err);
	if (!pyro && *config_get(c, CFG_PPROF_URL))
		return fetch_from_url(o, config_get(c, CFG_PPROF_URL), r, err);
	return fetch_profile(o, r, err);
}

static int run_fetch(const struct config *c, const struct fetch_cli *cli)
{
	fetch_opts o;
	fetch_result r;
	fetch_err ferr;
	char err[1024];
	int rc;

	fetch_opts_defaults(&o);
	if (settings_fetch_opts(c, &o, err, sizeof err) != 0) {
		pgo_errorf("%s", err);
		return 1;
	}
	if ((rc = apply_cli(cli, &o)) != 0)
		return rc;
	if (fetch_from_source(c, cli, &o, &r, &ferr) != 0) {
		pgo_errorf("%s", ferr.msg);
		return 1;
	}
	rc = copy_profile(r.path, cli->out) == 0 ? 0 : 1;
	if (rc == 0)
		print_summary(cli->out, &r);
	fetch_result_clear(&r);
	return rc;
}

int cmd_fetch(int argc, char **argv)
{
	struct fetch_cli cli;
	struct config c;
	int rc = parse_cli(argc, argv, &cli);

	if (rc != 0) {
		free(cli.queries);
		free(cli.from);
		return rc < 0 ? 0 : rc;
	}
	if (load_config(&c) != 0) {
		free(cli.queries);
		free(cli.from);
		return 1;
	}
	pgo_msg_set_verbose(config_bool(&c, CFG_VERBOSE));
	pgo_msg_set_log(config_get(&c, CFG_LOG));
	pgo_log_argv("command", argv);
	rc = run_fetch(&c, &cli);
	config_free(&c);
	free(cli.queries);
	free(cli.from);
	return rc;
}
