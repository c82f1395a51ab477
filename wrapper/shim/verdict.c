/* verdict.c — what the shim says of each binary it built: whether it
 * records the profile that was passed, and how much of that profile its
 * code can use (fit.h). Silent on success; a warning otherwise, or under
 * verify = strict a failure of the command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "msg.h"
#include "outputs.h"
#include "plan.h"
#include "verify.h"

static void summarize(const struct target *t, const struct verify_result *r)
{
	char unwritten[512];
	const char *what = t->output;

	if (!what) {
		snprintf(unwritten, sizeof unwritten, "%s (no binary written)", t->pkg->importpath);
		what = unwritten;
	}
	const char *prof = t->profile.path      ? t->profile.path
	                   : t->profile.is_auto ? "default.pgo"
	                                        : "none";
	char fit[400] = "";

	if (r && r->fit)
		fit_summary(r->fit, fit + 2, sizeof fit - 2), memcpy(fit, "; ", 2);
	pgo_notef("%s: service %s, profile %s (%s%s%s), %s%s", what,
	          t->profile.service ? t->profile.service : t->service, prof,
	          t->profile.source ? t->profile.source : "no source",
	          t->profile.detail ? ": " : "", t->profile.detail ? t->profile.detail : "",
	          r ? (r->status == VERIFY_OK ? "verified" : r->message) : "not verified",
	          r && r->status == VERIFY_OK ? fit : "");
}

/* The profile a binary must name: the one passed, or the default.pgo that
 * -pgo=auto picks up in the main package's directory. */
static char *expected_profile(const struct target *t)
{
	char *p;
	if (t->profile.path)
		return strdup(t->profile.path);
	if (t->profile.is_auto && t->pkg->dir && asprintf(&p, "%s/default.pgo", t->pkg->dir) >= 0)
		return p;
	return NULL;
}

/* What to check when a binary's own code does not fit its profile: which
 * service's profile it took (the cause already says where to look), and
 * for code changed since a server's profile, that newer ones will fit. */
static void fit_advice(const struct target *t, const fit_result *f, char *buf, size_t n)
{
	const char *service = t->profile.service ? t->profile.service : t->service;
	int server = t->profile.source && !strcmp(t->profile.source, "pyroscope");

	if (!f || !service)
		return;
	if (f->cause == FIT_CAUSE_WRONG_SERVICE)
		snprintf(buf, n, "this binary took the profile of service %s", service);
	else if (server && f->cause != FIT_CAUSE_TEST_PROFILE)
		snprintf(buf, n, "service %s: the next profiles of the changed code will fit",
		         service);
}

/* Checks one built binary. Returns 1 when strict verification fails. */
static int verify_target(const struct plan *p, const struct target *t)
{
	enum verify_mode mode = p->config.verify;
	struct verify_result r;
	char *want = expected_profile(t), advice[512] = "";
	int failed = 0;

	if (!want || !t->output || mode == VERIFY_MODE_OFF || t->profile.invalid_auto ||
	    t->pgo_off) {
		free(want);
		summarize(t, NULL);
		return 0;
	}
	if (p->config.min_fit > 0
	        ? verify_built(t->output, want, p->config.min_fit, p->cache_dir, &r)
	        : verify_binary(t->output, want, &r)) {
		verify_result_clear(&r);
		free(want);
		return 0;
	}
	if (r.status == VERIFY_STALE)
		fit_advice(t, r.fit, advice, sizeof advice);
	if (r.status != VERIFY_OK) {
		failed = mode == VERIFY_MODE_STRICT;
		if (failed)
			pgo_errorf("%s: profile not verified: %s%s%s (PGO_GO_VERIFY=strict)",
			           t->output, r.message, advice[0] ? "; " : "", advice);
		else
			pgo_warnf("%s: profile not verified: %s%s%s", t->output, r.message,
			          advice[0] ? "; " : "", advice);
	}
	summarize(t, &r);
	verify_result_clear(&r);
	free(want);
	return failed;
}

/* Where the binaries land depends on go env; asked while the build runs. */
void verdict_start(struct plan *p)
{
	fetch_err err;

	if (p->config.verify == VERIFY_MODE_OFF && !p->config.verbose && !pgo_msg_logging())
		return;
	/* Fits are kept in the cache: a no-op rebuild reads its verdict. */
	if (p->config.min_fit > 0 &&
	    cache_default_dir(p->config.cache_dir, "PGO_GO_CACHE_DIR", &p->cache_dir, &err) != 0)
		p->cache_dir = NULL;
	/* A plain build for this machine writes where go env need not be asked. */
	if (p->cmd->sub == GOCMD_BUILD && goenv_guess_host(&p->host) == 0) {
		p->have_host = 1;
		return;
	}
	p->goenv_running = goenv_start(p->real_go, &p->goenv) == 0;
}

static int compute_outputs(struct plan *p)
{
	struct goenv env;
	char **outs;

	if (p->pkgs.unresolved)
		return 0; /* the packages, and so the binaries, are unknown */
	if (p->have_host) {
		env = p->host;
		p->have_host = 0;
	} else if (!p->goenv_running) {
		return 0;
	} else {
		p->goenv_running = 0;
		if (goenv_finish(&p->goenv, &env) != 0)
			return 0; /* the build still runs; it just goes unverified */
	}
	if (outputs_compute(p->cmd, &p->pkgs, &env, p->workdir, &outs) == 0) {
		for (size_t i = 0; i < p->pkgs.nmains; i++)
			p->targets[i].output = outs[i];
		free(outs);
	}
	goenv_free(&env);
	return 0;
}

int verdict_group(struct plan *p, int g)
{
	int failed = 0;

	compute_outputs(p);
	for (size_t t = 0; t < p->pkgs.nmains; t++)
		if (p->targets[t].group == g)
			failed |= verify_target(p, &p->targets[t]);
	return failed;
}

void verdict_free(struct plan *p)
{
	if (p->have_host)
		goenv_free(&p->host);
	if (p->goenv_running) { /* the build failed: the answer is not needed */
		struct goenv env;
		if (goenv_finish(&p->goenv, &env) == 0)
			goenv_free(&env);
	}
	for (size_t i = 0; p->targets && i < p->pkgs.nmains; i++)
		free(p->targets[i].output);
	free(p->cache_dir);
}
