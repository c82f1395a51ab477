/* cache.c — the cache's directories, content-addressed profiles, keys,
 * locks and cleaning. The metadata records are cache_meta.c's. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_int.h"

static const char *const subdirs[] = {"profiles", "snapshots", "locks", "services"};

int cache_default_dir(const char *configured, char **out, fetch_err *err)
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
				  "no cache directory: set PGO_GO_CACHE_DIR (neither "
				  "XDG_CACHE_HOME nor HOME is set)");
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

	for (char *p = path + 1;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			*p = c;
			return fetch_errf(err, FETCH_E_IO, "cannot create the cache directory %s: %s",
					  path, strerror(e));
		}
		*p = c;
		if (!c)
			break;
	}
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return fetch_errf(err, FETCH_E_IO, "the cache directory %s is not a directory", path);
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
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, hex);
}

/* Hash of a file's content; -1 when it cannot be read. */
static int sha256_file(const char *path, char hex[CACHE_HEX_LEN + 1])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t n;

	if (fd < 0 || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	if (n == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen)) {
		to_hex(md, hex);
		rc = 0;
	}
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Appends "name=<length>:<value>\n": lengths keep any two different field
 * lists from writing the same text. */
static void key_field(EVP_MD_CTX *ctx, const char *name, const char *value)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%s=%zu:", name, strlen(value));

	EVP_DigestUpdate(ctx, head, (size_t)n);
	EVP_DigestUpdate(ctx, value, strlen(value));
	EVP_DigestUpdate(ctx, "\n", 1);
}

void cache_key(const cache_query *q, int64_t newest_end, char key[CACHE_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char num[160];

	if (!ctx) {
		memset(key, '0', CACHE_HEX_LEN);
		key[CACHE_HEX_LEN] = '\0';
		return;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	key_field(ctx, "pgo-go snapshot", "1");
	key_field(ctx, "server", q->server);
	key_field(ctx, "tenant", q->tenant ? q->tenant : "");
	key_field(ctx, "type", q->profile_type);
	snprintf(num, sizeof num, "%" PRId64 " %" PRId64 " %u %d", q->window_len, newest_end,
		 q->keep_locations, q->aggregate_callees ? 1 : 0);
	key_field(ctx, "window end keep aggregate", num);
	for (size_t i = 0; i < q->nselectors; i++)
		key_field(ctx, "selector", q->selectors[i]);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
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
	int ok = path && sha256_file(path, hex) == 0 && !strcmp(hex, sha);

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

/* ---- locks ------------------------------------------------------------ */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cache_lock_take(const cache *c, const char *key, int64_t wait_ms, cache_lock *l,
		    fetch_err *err)
{
	char path[PATH_MAX];
	int64_t deadline = mono_ms() + wait_ms;
	long nap = 10;

	l->fd = -1;
	l->waited = 0;
	snprintf(path, sizeof path, "%s/locks/%s.lock", c->dir, key);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return fetch_errf(err, FETCH_E_IO, "cannot open the lock %s: %s", path,
				  strerror(errno));
	/* Polled rather than blocking, so the wait is bounded without a
	 * signal handler (the shim owns signals while go runs). */
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(fd);
			return fetch_errf(err, FETCH_E_IO, "cannot lock %s: %s", path, strerror(e));
		}
		l->waited = 1;
		if (mono_ms() >= deadline) {
			close(fd);
			return 1;
		}
		sleep_ms(nap);
		nap = nap < 100 ? nap * 2 : 100;
	}
	l->fd = fd;
	return 0;
}

#define FAILURE_TAG "pgo-go fetch failed at "

void cache_lock_note_failure(cache_lock *l, int64_t t, int code, const char *msg)
{
	char buf[1024];
	int n;

	if (l->fd < 0)
		return;
	n = snprintf(buf, sizeof buf, FAILURE_TAG "%" PRId64 " %d\n%s\n", t, code, msg);
	if (n < 0 || ftruncate(l->fd, 0) != 0)
		return;
	if (pwrite(l->fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, 0) < 0)
		return;
}

void cache_lock_clear_failure(cache_lock *l)
{
	if (l->fd >= 0 && ftruncate(l->fd, 0) != 0)
		return;
}

int cache_lock_last_failure(cache_lock *l, int64_t *t, int *code, char *msg, size_t msgsz)
{
	char buf[1024], *nl, *end;
	ssize_t n;

	if (l->fd < 0 || (n = pread(l->fd, buf, sizeof buf - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	if (strncmp(buf, FAILURE_TAG, strlen(FAILURE_TAG)) != 0 || !(nl = strchr(buf, '\n')))
		return 0;
	*t = strtoll(buf + strlen(FAILURE_TAG), &end, 10);
	*code = (int)strtol(end, NULL, 10);
	nl++;
	nl[strcspn(nl, "\n")] = '\0';
	snprintf(msg, msgsz, "%s", nl);
	return 1;
}

void cache_lock_release(cache_lock *l)
{
	if (l->fd >= 0)
		close(l->fd); /* closing drops the flock */
	l->fd = -1;
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

/* ---- cleaning --------------------------------------------------------- */

/* The hashes the remaining snapshots name. */
struct keep_set {
	char (*sha)[CACHE_HEX_LEN + 1];
	size_t n, cap;
};

static int keep_add(struct keep_set *k, const char *sha)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		void *g = realloc(k->sha, cap * sizeof *k->sha);
		if (!g)
			return -1;
		k->sha = g;
		k->cap = cap;
	}
	memcpy(k->sha[k->n++], sha, CACHE_HEX_LEN + 1);
	return 0;
}

static int keep_has(const struct keep_set *k, const char *sha)
{
	for (size_t i = 0; i < k->n; i++)
		if (!memcmp(k->sha[i], sha, CACHE_HEX_LEN))
			return 1;
	return 0;
}

/* Removes old (or unreadable) records; collects the hashes of the rest. */
static int clean_snapshots(const cache *c, int64_t cutoff, struct keep_set *keep,
			   cache_clean_stats *st, fetch_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	DIR *d;
	struct dirent *e;
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/snapshots", c->dir);
	if (!(d = opendir(dir)))
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		cache_meta m = {0};
		char key[CACHE_HEX_LEN + 1];
		int found;

		if (!cache_is_hex_name(e->d_name, ".json"))
			continue;
		memcpy(key, e->d_name, CACHE_HEX_LEN);
		key[CACHE_HEX_LEN] = '\0';
		if ((found = cache_meta_read(c, key, &m, err)) < 0)
			rc = -1;
		else if (found && m.fetched_at >= cutoff)
			rc = keep_add(keep, m.sha256) == 0 ? 0 : fetch_err_nomem(err);
		else {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (unlink(path) == 0)
				st->snapshots++;
		}
		cache_meta_clear(&m);
	}
	closedir(d);
	return rc;
}

/* Removes unnamed profiles and temporary files left by a crash. */
static void clean_profiles(const cache *c, const struct keep_set *keep, int64_t now,
			   cache_clean_stats *st)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/profiles", c->dir);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		int tmp = !strncmp(e->d_name, ".tmp-", 5);
		if (!tmp && (!cache_is_hex_name(e->d_name, ".pgo") || keep_has(keep, e->d_name)))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) != 0 || (int64_t)sb.st_mtime > now - (tmp ? 3600 : 60))
			continue;
		if (unlink(path) == 0 && !tmp) {
			st->profiles++;
			st->bytes += (int64_t)sb.st_size;
		}
	}
	closedir(d);
}

int cache_clean(const cache *c, int64_t older_than, int64_t now, cache_clean_stats *st,
		fetch_err *err)
{
	struct keep_set keep = {0};
	int64_t cutoff = older_than > 0 ? now - older_than : INT64_MAX;
	int rc;

	memset(st, 0, sizeof *st);
	rc = clean_snapshots(c, cutoff, &keep, st, err);
	if (rc == 0)
		clean_profiles(c, &keep, older_than > 0 ? now : INT64_MAX / 2, st);
	free(keep.sha);
	return rc;
}
