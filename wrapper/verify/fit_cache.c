#include "fit_cache.h"

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bi_buildid.h"
#include "cache.h"

/* Bumped whenever fit_result or the fit's rules change. */
static const char record_magic[16] = "pgo-go-fit 3\n";

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The profile's identity: its name when that is its hash, else the hash
 * of its bytes. "" when it cannot be read. The binaries of one command
 * mostly share a profile: the last one hashed is remembered, so it is read
 * once per process, not once per binary. */
static void profile_id(const char *profile, char id[CACHE_HEX_LEN + 1])
{
	static char last_path[PATH_MAX], last_id[CACHE_HEX_LEN + 1];
	const char *b = base_name(profile);

	if (strlen(b) == CACHE_HEX_LEN + 4 && !strcmp(b + CACHE_HEX_LEN, ".pgo") &&
	    strspn(b, "0123456789abcdef") == CACHE_HEX_LEN) {
		memcpy(id, b, CACHE_HEX_LEN);
		id[CACHE_HEX_LEN] = '\0';
		return;
	}
	if (last_id[0] && !strcmp(last_path, profile)) {
		memcpy(id, last_id, sizeof last_id);
		return;
	}
	if (cache_sha256_file(profile, id) != 0)
		id[0] = '\0';
	if (id[0] && strlen(profile) < sizeof last_path) {
		strcpy(last_path, profile);
		memcpy(last_id, id, sizeof last_id);
	}
}

/* The record's file name, or -1 when the binary has no build ID. */
static int record_path(const char *cache_dir, const char *binary, const char *profile, char *path,
                       size_t pathsz)
{
	char id[256], pid[CACHE_HEX_LEN + 1], key_text[400], key[CACHE_HEX_LEN + 1];
	bi_error err;

	if (bi_read_buildid_file(binary, id, sizeof id, &err) != BI_OK)
		return -1;
	profile_id(profile, pid);
	if (!pid[0])
		return -1;
	snprintf(key_text, sizeof key_text, "%s\n%s\n", id, pid);
	cache_sha256_hex(key_text, strlen(key_text), key);
	return snprintf(path, pathsz, "%s/fits/%s", cache_dir, key) < (int)pathsz ? 0 : -1;
}

static int fraction_ok(double f)
{
	return isfinite(f) && f >= 0 && f <= 1;
}

/* A record read back must be whole and sane: it comes from a file. What
 * follows the magic: the fit_result, then the fit_facts (known 0 when the
 * writer had none). */
static int read_record(const char *path, fit_result *r, fit_facts *facts)
{
	unsigned char buf[sizeof record_magic + sizeof *r + sizeof *facts + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	/* One read: a no-op rebuild reads one record per binary. */
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n != (ssize_t)(sizeof record_magic + sizeof *r + sizeof *facts) ||
	    memcmp(buf, record_magic, sizeof record_magic))
		return -1;
	memcpy(r, buf + sizeof record_magic, sizeof *r);
	memcpy(facts, buf + sizeof record_magic + sizeof *r, sizeof *facts);
	r->reason[sizeof r->reason - 1] = r->cause_text[sizeof r->cause_text - 1] = '\0';
	for (size_t i = 0; i < FIT_MISSING_MAX; i++) {
		r->missing[i].name[sizeof r->missing[i].name - 1] = '\0';
		r->missing[i].renamed_to[sizeof r->missing[i].renamed_to - 1] = '\0';
	}
	facts->go_version[sizeof facts->go_version - 1] = facts->pgo[sizeof facts->pgo - 1] = '\0';
	if (!r->known || r->nmissing > FIT_MISSING_MAX || r->cause > FIT_CAUSE_MISSING ||
	    !fraction_ok(r->total) || !fraction_ok(r->own) || !fraction_ok(r->own_share))
		return -1;
	return 0;
}

static void write_record(const char *cache_dir, const char *path, const fit_result *r,
                         const fit_facts *facts)
{
	unsigned char buf[sizeof record_magic + sizeof *r + sizeof *facts];
	fit_facts none;
	char dir[4096];
	cache *c = NULL;
	fetch_err err;

	/* Opening with create makes fits/ on the first use. */
	snprintf(dir, sizeof dir, "%s", cache_dir);
	if (cache_open(dir, 1, &c, &err) != 0)
		return;
	cache_close(c);
	snprintf(dir, sizeof dir, "%s/fits", cache_dir);
	if (!facts) {
		memset(&none, 0, sizeof none);
		facts = &none;
	}
	memcpy(buf, record_magic, sizeof record_magic);
	memcpy(buf + sizeof record_magic, r, sizeof *r);
	memcpy(buf + sizeof record_magic + sizeof *r, facts, sizeof *facts);
	/* Not kept costs the next build a fit, nothing more. */
	(void)cache_write_atomic(dir, base_name(path), buf, sizeof buf, &err);
}

void fit_cached(const char *cache_dir, const char *binary, const char *profile,
                const fit_facts *facts, fit_result *r)
{
	char path[4096];
	int keyed = cache_dir && record_path(cache_dir, binary, profile, path, sizeof path) == 0;
	fit_facts kept;

	if (keyed && read_record(path, r, &kept) == 0) {
		if (!kept.known && facts && facts->known) /* kept by `pgo-go verify` */
			write_record(cache_dir, path, r, facts);
		return;
	}
	memset(r, 0, sizeof *r);
	fit_files(binary, profile, r);
	if (keyed && r->known)
		write_record(cache_dir, path, r, facts);
}

int fit_cached_facts(const char *cache_dir, const char *binary, const char *profile,
                     fit_facts *facts, fit_result *r)
{
	char path[4096];

	if (!cache_dir || record_path(cache_dir, binary, profile, path, sizeof path) != 0 ||
	    read_record(path, r, facts) != 0 || !facts->known) {
		memset(r, 0, sizeof *r);
		memset(facts, 0, sizeof *facts);
		return 0;
	}
	return 1;
}
