/* cache.c — the cache's directories, content-addressed profiles, keys and
 * service discovery answers. Records are cache_meta.c's, locks
 * cache_lock.c's, cleaning cache_clean.c's. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_int.h"

static const char *const subdirs[] = {"profiles", "snapshots", "locks", "services", "fits"};

int cache_default_dir(const char *configured, const char *setting, char **out, fetch_err *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (configured && *configured)
		n = asprintf(out, "%s", configured);
	else if (xdg && *xdg)
		n = asprintf(out, "%s/pgo-go", xdg);
	else if (home && *home)
		n = asprintf(out, "%s/.cache/pgo-go", home);
	else
		return fetch_errf(err, FETCH_E_ARG,
		                  "no cache directory: set %s (neither XDG_CACHE_HOME nor HOME is "
		                  "set)",
		                  setting);
	if (n < 0) {
		*out = NULL;
		return fetch_err_nomem(err);
	}
	return 0;
}

/* mkdir -p with mode 0700 for what it creates; existing directories keep
 * their mode (a shared cache a user set up on purpose stays as it is). */
static int make_dirs(char *path, fetch_err *err)
{
	struct stat st;

	/* Every build opens the cache: one stat when it is there, not a
	 * mkdir per path component. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	for (char *p = path + 1;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			*p = c;
			return fetch_errf(err, FETCH_E_IO,
			                  "cannot create the cache directory %s: %s", path,
			                  strerror(e));
		}
		*p = c;
		if (!c)
			break;
	}
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return fetch_errf(err, FETCH_E_IO, "the cache directory %s is not a directory",
		                  path);
	return 0;
}

static char *absolute_dir(const char *dir)
{
	char cwd[PATH_MAX], *p;
	size_t n;

	if (dir[0] == '/')
		p = strdup(dir);
	else if (!getcwd(cwd, sizeof cwd) || asprintf(&p, "%s/%s", cwd, dir) < 0)
		return NULL;
	if (!p)
		return NULL;
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

int cache_open(const char *dir, int create, cache **out, fetch_err *err)
{
	cache *c = calloc(1, sizeof *c);
	char *sub = NULL;

	*out = NULL;
	if (!c || !(c->dir = absolute_dir(dir)))
		goto nomem;
	for (size_t i = 0; create && i < sizeof subdirs / sizeof *subdirs; i++) {
		if (asprintf(&sub, "%s/%s", c->dir, subdirs[i]) < 0) {
			sub = NULL;
			goto nomem;
		}
		if (make_dirs(sub, err) != 0)
			goto fail;
		free(sub);
		sub = NULL;
	}
	*out = c;
	return 0;
nomem:
	fetch_err_nomem(err);
fail:
	free(sub);
	cache_close(c);
	return -1;
}

void cache_close(cache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c);
}

/* ---- hashing ---------------------------------------------------------- */

static void to_hex(const unsigned char *md, char hex[CACHE_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[CACHE_HEX_LEN] = '\0';
}

void cache_sha256_hex(const void *data, size_t len, char hex[CACHE_HEX_LEN + 1])
{
	struct sha256_ctx ctx;
	unsigned char md[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof md, md);
	to_hex(md, hex);
}

int cache_sha256_file(const char *path, char hex[CACHE_HEX_LEN + 1])
{
	unsigned char buf[65536], md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	sha256_init(&ctx);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sha256_update(&ctx, (size_t)n, buf);
	close(fd);
	if (n != 0)
		return -1;
	sha256_digest(&ctx, sizeof md, md);
	to_hex(md, hex);
	return 0;
}

/* Appends "name=<length>:<value>\n": lengths keep any two different field
 * lists from writing the same text. */
static void key_field(struct sha256_ctx *ctx, const char *name, const char *value)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%s=%zu:", name, strlen(value));

	sha256_update(ctx, (size_t)n, (const uint8_t *)head);
	sha256_update(ctx, strlen(value), (const uint8_t *)value);
	sha256_update(ctx, 1, (const uint8_t *)"\n");
}

void cache_key(const cache_query *q, int64_t newest_end, char key[CACHE_HEX_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	char num[160];

	sha256_init(&ctx);
	key_field(&ctx, "pgo-go snapshot", "1");
	key_field(&ctx, "server", q->server);
	key_field(&ctx, "tenant", q->tenant ? q->tenant : "");
	key_field(&ctx, "type", q->profile_type);
	snprintf(num, sizeof num, "%" PRId64 " %" PRId64 " %u %d", q->window_len, newest_end,
	         q->keep_locations, q->aggregate_callees ? 1 : 0);
	key_field(&ctx, "window end keep aggregate", num);
	for (size_t i = 0; i < q->nselectors; i++)
		key_field(&ctx, "selector", q->selectors[i]);
	/* Without rewrites, the keys of older versions stay the same. */
	if (q->rules && *q->rules)
		key_field(&ctx, "rules", q->rules);
	sha256_digest(&ctx, sizeof md, md);
	to_hex(md, key);
}

/* ---- files ------------------------------------------------------------ */

int cache_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                       fetch_err *err)
{
	char *tmp = NULL, *final = NULL;
	const unsigned char *p = data;
	int fd = -1, rc = -1;

	if (asprintf(&tmp, "%s/.tmp-%s-XXXXXX", dir, name) < 0 ||
	    asprintf(&final, "%s/%s", dir, name) < 0) {
		fetch_err_nomem(err);
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		fetch_errf(err, FETCH_E_IO, "cannot write in %s: %s", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto io;
		off += (size_t)n;
	}
	/* 0644: profiles and records hold no secrets, and a cache shared by a
	 * team (a CI cache mount) is read by other users. */
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0)
		goto io;
	if (close(fd) != 0) {
		fd = -1;
		goto io;
	}
	fd = -1;
	if (rename(tmp, final) != 0)
		goto io;
	rc = 0;
	goto out;
io:
	fetch_errf(err, FETCH_E_IO, "cannot write %s: %s", final, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(final);
	return rc;
}

char *cache_profile_path(const cache *c, const char *sha)
{
	char *p;
	return asprintf(&p, "%s/profiles/%s.pgo", c->dir, sha) < 0 ? NULL : p;
}

int cache_profile_ok(const cache *c, const char *sha)
{
	char *path = cache_profile_path(c, sha), hex[CACHE_HEX_LEN + 1];
	int ok = path && cache_sha256_file(path, hex) == 0 && !strcmp(hex, sha);

	free(path);
	return ok;
}

int cache_put_profile(cache *c, const void *data, size_t len, char sha[CACHE_HEX_LEN + 1],
                      fetch_err *err)
{
	char dir[PATH_MAX], name[CACHE_HEX_LEN + 8];

	cache_sha256_hex(data, len, sha);
	if (cache_profile_ok(c, sha))
		return 0;
	snprintf(dir, sizeof dir, "%s/profiles", c->dir);
	snprintf(name, sizeof name, "%s.pgo", sha);
	return cache_write_atomic(dir, name, data, len, err);
}

int cache_is_hex_name(const char *name, const char *suffix)
{
	size_t n = strlen(name), ns = strlen(suffix);

	if (n != CACHE_HEX_LEN + ns || strcmp(name + CACHE_HEX_LEN, suffix) != 0)
		return 0;
	for (size_t i = 0; i < CACHE_HEX_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return 1;
}

/* ---- service discovery answers ----------------------------------------- */

int cache_service_get(const cache *c, const char *key, char **name, int64_t *written,
                      fetch_err *err)
{
	char path[PATH_MAX], buf[512];
	struct stat st;
	size_t n;
	FILE *f;

	*name = NULL;
	snprintf(path, sizeof path, "%s/services/%s", c->dir, key);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fstat(fileno(f), &st) == 0 ? fread(buf, 1, sizeof buf - 1, f) : 0;
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		return 0;
	if (!(*name = strdup(buf)))
		return fetch_err_nomem(err);
	*written = (int64_t)st.st_mtime;
	return 1;
}

int cache_service_put(const cache *c, const char *key, const char *name, fetch_err *err)
{
	char dir[PATH_MAX], *text;
	int rc;

	snprintf(dir, sizeof dir, "%s/services", c->dir);
	if (asprintf(&text, "%s\n", name) < 0)
		return fetch_err_nomem(err);
	rc = cache_write_atomic(dir, key, text, strlen(text), err);
	free(text);
	return rc;
}
