#include "verify.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bi.h"
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

int verify_profile_matches(const char *recorded, const char *profile, int trimpath)
{
	char abs[PATH_MAX];
	const char *want = profile;

	if (realpath(profile, abs))
		want = abs;
	if (!strcmp(recorded, want) || !strcmp(recorded, profile))
		return 1;
	if (strcmp(base_name(recorded), base_name(want)) != 0)
		return 0;
	return trimpath || is_content_name(base_name(want));
}

static char *dup_str(const bi_str *s)
{
	char *p = malloc(s->n + 1);
	if (p) {
		memcpy(p, s->p, s->n);
		p[s->n] = '\0';
	}
	return p;
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

static int judge(const bi_info *bi, const char *profile, struct verify_result *r)
{
	const bi_str *pgo = bi_info_setting(bi, "-pgo");
	const bi_str *trim = bi_info_setting(bi, "-trimpath");
	char abs[PATH_MAX];

	if (!(r->go_version = dup_str(&bi->go_version)))
		return -1;
	if (!pgo) {
		r->status = VERIFY_NO_PGO;
		return set_message(r, "built without -pgo");
	}
	if (!(r->pgo = dup_str(pgo)))
		return -1;
	if (!profile || verify_profile_matches(r->pgo, profile, trim && !strcmp(trim->p, "true"))) {
		r->status = VERIFY_OK;
		return set_message(r, "built with -pgo=%s", r->pgo);
	}
	r->status = VERIFY_MISMATCH;
	return set_message(r, "-pgo=%s, expected %s", r->pgo,
	                   realpath(profile, abs) ? abs : profile);
}

int verify_binary(const char *path, const char *profile, struct verify_result *r)
{
	bi_info *bi = NULL;
	bi_error err;
	char buf[512];
	int rc;

	memset(r, 0, sizeof *r);
	if (bi_read_file(path, &bi, &err) != BI_OK) {
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
	rc = judge(bi, profile, r);
	bi_info_free(bi);
	return rc;
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
	memset(r, 0, sizeof *r);
}
