#include "build.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "gowd.h"
#include "mainpkg.h"
#include "msg.h"
#include "plan.h"
#include "profiles.h"
#include "project.h"
#include "realgo.h"
#include "split.h"

/* The service a main package belongs to; *guessed when nothing named it
 * and the binary's name stands in. */
static const char *service_of(const struct config *c, const struct mainpkg *m, int *guessed)
{
	const char *s = c->service;

	*guessed = 0;
	if (*s)
		return s;
	if ((s = config_service_for(c, m->dir, m->reldir, m->importpath)) != NULL)
		return s;
	*guessed = 1;
	return m->name;
}

/* The -pgo argument a target's profile needs, or NULL for none. */
static const char *pgo_arg_value(const struct profile_choice *p)
{
	if (p->invalid_auto)
		return "off";
	return p->is_auto ? NULL : p->path;
}

static int same_profile(const struct profile_choice *a, const struct profile_choice *b)
{
	const char *x = pgo_arg_value(a), *y = pgo_arg_value(b);
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/* Targets that share a profile share a go run. */
static void assign_groups(struct plan *p)
{
	p->ngroups = 0;
	for (size_t i = 0; i < p->pkgs.nmains; i++) {
		struct target *t = &p->targets[i];
		t->group = -1;
		for (size_t j = 0; j < i && t->group < 0; j++)
			if (same_profile(&p->targets[j].profile, &t->profile))
				t->group = p->targets[j].group;
		if (t->group < 0)
			t->group = (int)p->ngroups++;
	}
}

static void report_missing(const struct target *t, int require)
{
	const char *why = t->profile.why;

	if (require)
		pgo_errorf("no profile for service '%s' and PGO_GO_REQUIRE is set: %s", t->service,
		           why ? why
		               : "no source has one (set PGO_GO_URL, PGO_GO_PROFILE, "
		                 "profile_dir, or commit a default.pgo)");
	else if (why)
		pgo_warnf("no profile for service '%s': %s; building without PGO", t->service, why);
	else
		pgo_warnf("no profile for service '%s' (set PGO_GO_URL, PGO_GO_PROFILE or "
		          "profile_dir, or commit a default.pgo); building without PGO",
		          t->service);
}

/* Whether why repeats the reason last given: the packages of a command
 * that fail for one cause (a server that is down) get one warning. */
static int told(const char **last, const char *why)
{
	int same = why && *last && !strcmp(*last, why);

	if (why)
		*last = why;
	return same;
}

static int choose_profiles(struct plan *p)
{
	int require = p->config.require, missing = 0;
	const char *last = NULL;
	pgo_err err;

	for (size_t i = 0; i < p->pkgs.nmains; i++) {
		struct target *t = &p->targets[i];
		struct profile_request req = {NULL, 0, &p->pkgs.mains[i], p->workdir};
		t->pkg = req.pkg;
		/* A package of another module of the workspace is mapped by its
		 * own module's project file. */
		if (t->pkg->modroot &&
		    config_add_mappings(&p->config, t->pkg->modroot, &err) != 0) {
			pgo_errorf("%s", err.msg);
			return -1;
		}
		t->service = req.service = service_of(&p->config, t->pkg, &req.service_guessed);
		if (!*t->service)
			continue; /* mapped to "-": no profile, and nothing to say */
		if (profiles_choose(&p->config, &req, &p->profiles, &t->profile) != 0)
			return -1;
		if (t->profile.path || t->profile.is_auto) {
			/* an earlier source failed: say so once */
			if (t->profile.why && !told(&last, t->profile.why))
				pgo_warnf("%s; using %s", t->profile.why, t->profile.source);
			continue;
		}
		missing = 1;
		if (!told(&last, t->profile.why) || require)
			report_missing(t, require);
	}
	return require && missing ? 1 : 0;
}

/* How many words of argv at i are a -C flag (0, 1 or 2). */
static int chdir_words(char **argv, int i, int argc)
{
	const char *a = i < argc ? argv[i] : "";

	if ((!strcmp(a, "-C") || !strcmp(a, "--C")) && i + 1 < argc)
		return 2;
	return (!strncmp(a, "-C=", 3) || !strncmp(a, "--C=", 4)) ? 1 : 0;
}

/* argv for one go run: the user's command with -pgo added right after the
 * subcommand (after -C, which must come first), and when the command is
 * split, only this group's packages. */
static char **group_argv(const struct plan *p, int group, char **pgo_flag)
{
	const struct gocmd *cmd = p->cmd;
	size_t cap = (size_t)p->argc + p->pkgs.nmains + p->pkgs.nothers + 6, n = 0;
	char **av = calloc(cap, sizeof *av);
	const char *value = NULL;
	int i = 0;

	*pgo_flag = NULL;
	if (!av)
		return NULL;
	for (size_t t = 0; t < p->pkgs.nmains; t++)
		if (p->targets[t].group == group)
			value = pgo_arg_value(&p->targets[t].profile);
	for (; i <= cmd->sub_index; i++)
		av[n++] = p->argv[i];
	for (int k = chdir_words(p->argv, i, p->argc); k > 0; k--)
		av[n++] = p->argv[i++]; /* -C must stay the first flag */
	if (value) {
		if (asprintf(pgo_flag, "-pgo=%s", value) < 0) {
			free(av);
			return NULL;
		}
		av[n++] = *pgo_flag;
	}
	if (p->ngroups > 1 && split_discards(cmd, &p->pkgs)) {
		av[n++] = "-o";
		av[n++] = "/dev/null";
	}
	for (; i < cmd->first_arg; i++)
		av[n++] = p->argv[i];
	if (p->ngroups == 1) {
		for (; i < p->argc; i++)
			av[n++] = p->argv[i];
	} else {
		for (size_t t = 0; t < p->pkgs.nmains; t++)
			if (p->targets[t].group == group)
				av[n++] = p->targets[t].pkg->arg;
		for (size_t o = 0; group == 0 && o < p->pkgs.nothers; o++)
			av[n++] = p->pkgs.others[o];
	}
	av[n] = NULL;
	return av;
}

/* A go run's standard error, watched for the profile's fault while it
 * passes on unchanged (and, when the command is split, each line once). */
struct watch {
	struct split_lines *split; /* several runs: a line is printed once */
	const char *profile;       /* the profile pgo-go added, or NULL */
	int after_header;          /* the last line was go's "# PROFILE" */
	const char *blame;         /* how the profile failed the build, or NULL */
};

static int starts_with(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(line, prefix, n);
}

/* go prints a failing step's output under "# WHAT": for preprofile, WHAT
 * is the profile. A compiler crash says "internal compiler error" in any
 * package's output. */
static int watch_line(void *ctx, const char *line, size_t len)
{
	struct watch *w = ctx;
	size_t body = len && line[len - 1] == '\n' ? len - 1 : len;

	if (w->profile && !w->blame) {
		if (w->after_header && starts_with(line, body, "preprofile: "))
			w->blame = "go tool preprofile failed on it";
		else if (memmem(line, body, "internal compiler error", 23))
			w->blame = "the compiler crashed (an internal compiler error)";
		w->after_header = starts_with(line, body, "# ") && body - 2 == strlen(w->profile) &&
		                  !memcmp(line + 2, w->profile, body - 2);
	}
	return w->split ? split_keep_line(w->split, line, len) : 1;
}

/* One go run. Its standard error is read through a pipe only when there
 * is something to watch for. Returns the wait status or -1. */
static int run_once(const struct plan *p, char **av, struct watch *w)
{
	pgo_log_argv(p->real_go, av);
	if (p->ngroups == 1 && !w->profile)
		return child_run(p->real_go, av);
	return child_run_filtered(p->real_go, av, watch_line, w);
}

/* The profile pgo-go added to a group's run broke the build (golang/go#65615:
 * a profile that crashed the next release's compiler): the run again with
 * -pgo=off, unless PGO_GO_REQUIRE forbids a build without the profile.
 * Returns the new wait status, or st when not run again. */
static int without_profile(struct plan *p, int g, char **av, const char *flag, struct watch *w,
                           int st)
{
	const char *profile = w->profile;

	if (p->config.require) {
		pgo_errorf("the profile %s broke the build: %s; PGO_GO_REQUIRE is set, so not "
		           "building again without it",
		           profile, w->blame);
		return st;
	}
	pgo_warnf("the profile %s broke the build: %s; building again with -pgo=off", profile,
	          w->blame);
	for (size_t i = 0; av[i]; i++)
		if (av[i] == flag)
			av[i] = "-pgo=off";
	for (size_t t = 0; t < p->pkgs.nmains; t++)
		if (p->targets[t].group == g)
			p->targets[t].pgo_off = 1;
	w->profile = NULL;
	return run_once(p, av, w);
}

/* Runs every group; verifies what each produced. */
static int run_groups(struct plan *p)
{
	int status = 0, strict_failed = 0;
	struct split_lines lines = {0};

	setenv(REALGO_GUARD_ENV, p->real_go, 1);
	for (size_t g = 0; g < p->ngroups; g++) {
		char *flag;
		char **av = group_argv(p, (int)g, &flag);
		struct watch w = {.split = p->ngroups > 1 ? &lines : NULL};
		int st;
		if (!av) {
			pgo_errorf("out of memory");
			split_lines_free(&lines);
			return 1;
		}
		if (flag && strcmp(flag, "-pgo=off"))
			w.profile = flag + strlen("-pgo=");
		st = run_once(p, av, &w);
		if (st >= 0 && !WIFSIGNALED(st) && child_status_code(st) != 0 && w.blame)
			st = without_profile(p, (int)g, av, flag, &w, st);
		split_next_run(&lines);
		free(av);
		free(flag);
		if (st < 0) {
			split_lines_free(&lines);
			return 1;
		}
		if (WIFSIGNALED(st)) {
			pgo_logf("go killed by signal %d", WTERMSIG(st));
			child_exit_like(st);
		}
		pgo_logf("go exited with status %d", child_status_code(st));
		if (child_status_code(st) != 0) {
			if (status == 0)
				status = child_status_code(st);
			continue;
		}
		strict_failed |= verdict_group(p, (int)g);
	}
	split_lines_free(&lines);
	return status ? status : strict_failed;
}

/* No profile anywhere: the user's command as it is, with nothing to verify. */
static int nothing_to_add(const struct plan *p)
{
	for (size_t i = 0; i < p->pkgs.nmains; i++)
		if (p->targets[i].profile.path || p->targets[i].profile.is_auto ||
		    p->targets[i].profile.invalid_auto)
			return 0;
	return 1;
}

static void plan_free(struct plan *p)
{
	verdict_free(p);
	for (size_t i = 0; p->targets && i < p->pkgs.nmains; i++)
		profile_choice_clear(&p->targets[i].profile);
	free(p->targets);
	profile_memo_free(&p->profiles);
	mainpkg_list_free(&p->pkgs);
	if (p->have_config)
		config_free(&p->config);
	free(p->real_from_config);
}

/* Whether the command may run as one go run per profile (split.h): 1; 0
 * to run it as typed (with a warning where pgo-go gives up profiles); -1
 * when PGO_GO_REQUIRE forbids building without them. */
static int faithful_split(struct plan *p)
{
	const char *why;

	switch (split_decide(p->real_go, p->cmd, p->argv, p->workdir, &p->pkgs, &why)) {
	case SPLIT_RUNS:
		return 1;
	case SPLIT_AS_TYPED:
		return 0;
	case SPLIT_REFUSED:
		break;
	}
	if (p->config.require) {
		pgo_errorf("the main packages of this command want %zu different profiles and Go "
		           "takes one per command; %s, and PGO_GO_REQUIRE is set: build each "
		           "service with its own command",
		           p->ngroups, why);
		return -1;
	}
	pgo_warnf("the main packages of this command want %zu different profiles and Go takes one "
	          "per command; %s: building without per-service profiles (build each service "
	          "with its own command)",
	          p->ngroups, why);
	return 0;
}

/* What preparing a command came to. */
enum prepared { PREPARED, PASS_THROUGH, PREPARE_FAILED };

/* A `real` setting from a config file names the go to run; the
 * environment's PGO_GO_REAL was taken before anything was read. */
static int take_real(struct plan *p, pgo_err *err)
{
	const struct cfg_value *v = &p->config.v[CFG_REAL];
	char setting[PATH_MAX + 32];

	if (v->layer != CFG_FROM_FILE || !*p->config.real)
		return 0;
	snprintf(setting, sizeof setting, "real (%s)", v->origin);
	if (!(p->real_from_config = realgo_find(p->config.real, setting, err)))
		return -1;
	p->real_go = p->real_from_config;
	return 0;
}

/* The command's main packages cannot be told: when one profile serves
 * every package (a profile or a service set for all), the command gets it
 * and its binaries go unverified; else it runs without a profile, which
 * PGO_GO_REQUIRE forbids. */
static enum prepared unresolved(struct plan *p, const char *why)
{
	struct mainpkg all = {0};

	mainpkg_list_free(&p->pkgs);
	if (*p->config.profile || *p->config.service) {
		all.name = strdup(*p->config.service ? p->config.service : "the packages");
		all.importpath = strdup(p->cmd->nargs ? p->argv[p->cmd->first_arg] : ".");
		if (!all.name || !all.importpath || mainpkg_push(&p->pkgs, &all) != 0) {
			mainpkg_clear(&all);
			pgo_errorf("out of memory");
			return PREPARE_FAILED;
		}
		p->pkgs.npackages = 1;
		p->pkgs.unresolved = 1;
		pgo_notef("cannot tell which main packages this command builds (%s): one profile "
		          "for all of them, and their binaries go unverified",
		          why);
		return PREPARED;
	}
	if (p->config.require) {
		pgo_errorf("cannot tell which main packages this command builds (%s), so not which "
		           "services' profiles they need, and PGO_GO_REQUIRE is set; set "
		           "PGO_GO_SERVICE or PGO_GO_PROFILE for all of them",
		           why);
		return PREPARE_FAILED;
	}
	pgo_notef("cannot tell which main packages this command builds (%s); building without a "
	          "profile",
	          why);
	return PASS_THROUGH;
}

/* Loads the configuration and resolves the packages. Failures are
 * reported here. */
static enum prepared prepare(struct plan *p)
{
	pgo_err err;

	if (gowd_get(p->cmd->chdir, p->workdir) != 0)
		return PASS_THROUGH; /* go reports the bad -C itself */
	if (project_load_config(&p->config, p->workdir, &err) != 0) {
		pgo_errorf("%s", err.msg);
		return PREPARE_FAILED;
	}
	p->have_config = 1;
	pgo_msg_set_verbose(p->config.verbose);
	pgo_msg_set_log(p->config.log);
	pgo_log_argv("command", p->argv);
	if (take_real(p, &err) != 0) {
		pgo_errorf("%s", err.msg);
		return PREPARE_FAILED;
	}
	if (p->config.disable)
		return PASS_THROUGH;
	if (mainpkg_resolve(p->real_go, p->cmd, p->argv, p->workdir, &p->pkgs, &err) != 0)
		return unresolved(p, err.msg);
	/* go list matches nothing for pkg/...@version outside a module: go
	 * install finds the packages itself. */
	if (p->pkgs.npackages == 0 && p->cmd->nargs > 0 && strchr(p->argv[p->cmd->first_arg], '@'))
		return unresolved(p, "go list matched no packages");
	return p->pkgs.nmains == 0 ? PASS_THROUGH : PREPARED;
}

int build_main(const char *real_go, const struct gocmd *cmd, int argc, char **argv)
{
	struct plan p;
	int rc;

	memset(&p, 0, sizeof p);
	p.real_go = real_go;
	p.cmd = cmd;
	p.argc = argc;
	p.argv = argv;
	switch (prepare(&p)) {
	case PREPARED:
		break;
	case PASS_THROUGH:
		rc = realgo_exec(p.real_go, argv);
		plan_free(&p);
		return rc;
	case PREPARE_FAILED:
		plan_free(&p);
		return PGO_EXIT_FAIL;
	}
	if (!(p.targets = calloc(p.pkgs.nmains, sizeof *p.targets))) {
		plan_free(&p);
		pgo_errorf("out of memory");
		return PGO_EXIT_FAIL;
	}
	if (choose_profiles(&p) != 0) {
		plan_free(&p);
		return PGO_EXIT_FAIL;
	}
	assign_groups(&p);
	if (p.ngroups > 1 && (rc = faithful_split(&p)) != 1) {
		rc = rc < 0 ? PGO_EXIT_FAIL : realgo_exec(p.real_go, argv);
		plan_free(&p);
		return rc;
	}
	if (nothing_to_add(&p)) {
		rc = realgo_exec(p.real_go, argv);
		plan_free(&p);
		return rc;
	}
	verdict_start(&p);
	rc = run_groups(&p);
	plan_free(&p);
	return rc;
}
