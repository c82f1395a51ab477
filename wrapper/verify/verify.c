#include "verify.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bi.h"
#include "bi_wasm.h"
#include "cache.h"
#include "fit_cache.h"
#include "goerr.h"
#include "msg.h"

const char *verify_status_name(enum verify_status s)
{
	switch (s) {
	case VERIFY_OK:
		return "verified";
	case VERIFY_NO_PGO:
		return "no-pgo";
	case VERIFY_MISMATCH:
		return "mismatch";
	case VERIFY_NOT_GO:
		return "not-go";
	case VERIFY_STALE:
		return "stale";
	case VERIFY_UNREADABLE:
		break;
	}
	return "unreadable";
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* A cache file is named after the SHA-256 of its content, so its name alone
 * identifies the profile wherever the binary was built. */
static int is_content_name(const char *name)
{
	size_t n = strlen(name);

	if (n != 64 + 4 || strcmp(name + 64, ".pgo") != 0)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return 0;
	return 1;
}

/* The SHA-256 of a file's content in hex, or "" when it cannot be read. */
static void file_sha256(const char *path, char hex[CACHE_HEX_LEN + 1])
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	hex[0] = '\0';
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		cache_sha256_hex(buf, (size_t)n, hex);
	free(buf);
	fclose(f);
}

/* Whether two files are the same file, or hold the same bytes. */
static int same_profile_file(const char *a, const char *b)
{
	char ha[CACHE_HEX_LEN + 1], hb[CACHE_HEX_LEN + 1];
	struct stat sa, sb;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return 1;
	if (sa.st_size != sb.st_size)
		return 0;
	file_sha256(a, ha);
	file_sha256(b, hb);
	return ha[0] && !strcmp(ha, hb);
}

int verify_profile_matches(const char *recorded, const char *profile, int trimpath)
{
	const char *rbase = base_name(recorded);
	char hex[CACHE_HEX_LEN + 1];

	/* The same spelling, or (built here, without -trimpath) the same file
	 * or the same bytes under another name or through a link. */
	if (!strcmp(recorded, profile) || (!trimpath && same_profile_file(recorded, profile)))
		return 1;
	/* A content-addressed name identifies the profile wherever it was
	 * built: by the name, or by the bytes of the file given. */
	if (is_content_name(rbase)) {
		if (!strcmp(rbase, base_name(profile)))
			return 1;
		file_sha256(profile, hex);
		return hex[0] && !strncmp(rbase, hex, CACHE_HEX_LEN);
	}
	/* -trimpath records the file name only. */
	return trimpath && !strcmp(rbase, base_name(profile));
}

static int set_message(struct verify_result *r, const char *fmt, ...) PGO_PRINTF(2, 3);

static int set_message(struct verify_result *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r->message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->message = NULL;
		return -1;
	}
	return 0;
}

/* What the verdict needs of bi (judge reads the strings up to a NUL, as
 * these do); facts->known is 0 when one does not fit its field: then none
 * is kept, and the next verdict reads the binary again. */
static void facts_of(const bi_info *bi, fit_facts *f)
{
	const bi_str *pgo = bi_info_setting(bi, "-pgo");
	const bi_str *trim = bi_info_setting(bi, "-trimpath");

	memset(f, 0, sizeof *f);
	f->has_pgo = pgo != NULL;
	f->trimpath = trim && !strcmp(trim->p, "true");
	if (snprintf(f->go_version, sizeof f->go_version, "%s", bi->go_version.p) >=
	        (int)sizeof f->go_version ||
	    snprintf(f->pgo, sizeof f->pgo, "%s", pgo ? pgo->p : "") >= (int)sizeof f->pgo)
		return;
	f->known = 1;
}

/* The verdict on what a binary records: its -pgo setting (NULL: none), and
 * whether that names profile (NULL: any). */
static int judge_setting(const char *go_version, const char *pgo, int trimpath, const char *profile,
                         struct verify_result *r)
{
	char abs[PATH_MAX];

	if (!(r->go_version = strdup(go_version)))
		return -1;
	if (!pgo) {
		r->status = VERIFY_NO_PGO;
		return set_message(r, "built without -pgo");
	}
	if (!(r->pgo = strdup(pgo)))
		return -1;
	if (!profile || verify_profile_matches(r->pgo, profile, trimpath)) {
		r->status = VERIFY_OK;
		return set_message(r, "built with -pgo=%s", r->pgo);
	}
	r->status = VERIFY_MISMATCH;
	return set_message(r, "-pgo=%s, expected %s", r->pgo,
	                   realpath(profile, abs) ? abs : profile);
}

static int judge(const bi_info *bi, const char *profile, struct verify_result *r)
{
	const bi_str *pgo = bi_info_setting(bi, "-pgo");
	const bi_str *trim = bi_info_setting(bi, "-trimpath");

	return judge_setting(bi->go_version.p, pgo ? pgo->p : NULL,
	                     trim && !strcmp(trim->p, "true"), profile, r);
}

/* verify_binary, also saying what the verdict took from the build info
 * (facts->known 0 when it was not read). */
static int verify_read(const char *path, const char *profile, struct verify_result *r,
                       fit_facts *facts)
{
	bi_info *bi = NULL;
	bi_error err, wasm_err;
	char buf[512];
	int rc;

	memset(r, 0, sizeof *r);
	memset(facts, 0, sizeof *facts);
	/* A wasm binary's module information is found by its frame (bi_wasm.h). */
	if (bi_read_file(path, &bi, &err) == BI_E_FORMAT &&
	    bi_read_wasm_file(path, &bi, &wasm_err) != BI_E_FORMAT)
		err = wasm_err;
	if (!bi) {
		if (err.code == BI_E_NOMEM)
			return -1;
		r->read_code = err.code;
		if (err.code == BI_E_OPEN || err.code == BI_E_IO) {
			r->status = VERIFY_UNREADABLE;
			return set_message(r, "%s",
			                   goerr_errno_text(err.sys_errno, buf, sizeof buf));
		}
		r->status = VERIFY_NOT_GO;
		return set_message(r, "%s", err.msg);
	}
	facts_of(bi, facts);
	rc = judge(bi, profile, r);
	bi_info_free(bi);
	return rc;
}

int verify_binary(const char *path, const char *profile, struct verify_result *r)
{
	fit_facts facts;
	return verify_read(path, profile, r, &facts);
}

int verify_info(const bi_info *bi, const char *profile, struct verify_result *r)
{
	memset(r, 0, sizeof *r);
	return judge(bi, profile, r);
}

void verify_result_clear(struct verify_result *r)
{
	free(r->pgo);
	free(r->go_version);
	free(r->message);
	free(r->fit);
	memset(r, 0, sizeof *r);
}

/* "missing here: main.a (now main.b), main.c" */
static void missing_list(const fit_result *f, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->nmissing && o < n; i++)
		o += (size_t)snprintf(
		    buf + o, n - o, "%s%s%s%s%s", i ? ", " : "; missing here: ", f->missing[i].name,
		    f->missing[i].renamed_to[0] ? " (now " : "", f->missing[i].renamed_to,
		    f->missing[i].renamed_to[0] ? ")" : "");
}

/* Turns VERIFY_OK into VERIFY_STALE when the fit f (now r's) is below
 * min_fit. */
static int judge_fit(struct verify_result *r, fit_result *f, double min_fit)
{
	char summary[128], missing[1400];

	free(r->fit);
	r->fit = f;
	if (r->status != VERIFY_OK || !f->known || min_fit <= 0 ||
	    (f->own_weight > 0 && f->own >= min_fit))
		return 0;
	fit_summary(f, summary, sizeof summary);
	missing_list(f, missing, sizeof missing);
	free(r->message);
	r->message = NULL;
	r->status = VERIFY_STALE;
	return set_message(r, "-pgo=%s: %s, below min_fit %d%%%s%s%s", r->pgo, summary,
	                   (int)(min_fit * 100 + 1e-9), missing, f->cause_text[0] ? "; " : "",
	                   f->cause_text);
}

int verify_fit(struct verify_result *r, const char *path, const char *profile, double min_fit,
               const char *cache_dir)
{
	fit_result *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	if (!path || !profile) {
		snprintf(f->reason, sizeof f->reason, "%s",
		         !path ? "the binary is inside an archive"
		               : "the profile is not here to compare");
		free(r->fit);
		r->fit = f;
		return 0;
	}
	fit_cached(cache_dir, path, profile, NULL, f);
	return judge_fit(r, f, min_fit);
}

int verify_built(const char *path, const char *profile, double min_fit, const char *cache_dir,
                 struct verify_result *r)
{
	fit_result *f = calloc(1, sizeof *f);
	fit_facts facts;

	memset(r, 0, sizeof *r);
	if (!f)
		return -1;
	/* A no-op rebuild: the record of this content and profile says it all. */
	if (fit_cached_facts(cache_dir, path, profile, &facts, f)) {
		if (judge_setting(facts.go_version, facts.has_pgo ? facts.pgo : NULL,
		                  facts.trimpath, profile, r) != 0) {
			free(f);
			return -1;
		}
		return judge_fit(r, f, min_fit);
	}
	if (verify_read(path, profile, r, &facts) != 0) {
		free(f);
		return -1;
	}
	fit_cached(cache_dir, path, profile, &facts, f);
	return judge_fit(r, f, min_fit);
}
