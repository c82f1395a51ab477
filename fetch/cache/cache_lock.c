/* cache_lock.c — one flock(2) per snapshot key, so concurrent fetches of
 * the same snapshot make one request, and the note a failed holder leaves
 * for those that waited. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"

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

int cache_lock_take(const cache *c, const char *key, int64_t wait_ms, cache_lock *l, fetch_err *err)
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
