#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int verbose;
static int log_fd = -1;

void pgo_msg_set_verbose(int v)
{
	verbose = v;
}

int pgo_msg_set_log(const char *path)
{
	if (log_fd >= 0) {
		close(log_fd);
		log_fd = -1;
	}
	if (!path || !*path)
		return 0;
	/* O_APPEND and one write a line: shims running at once (make -j)
	 * interleave whole lines, never parts of them. */
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (log_fd < 0) {
		pgo_warnf("cannot open the log file %s (PGO_GO_LOG): %s; not logging", path,
		          strerror(errno));
		return 0;
	}
	return 1;
}

int pgo_msg_logging(void)
{
	return log_fd >= 0;
}

/* "2026-11-26T10:14:02Z pgo-go[1234]: warning: MESSAGE\n" in one write.
 * A line longer than the buffer is cut: the log is for people, and a line
 * it holds whole beats a write split in two. */
static void log_line(const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void log_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[4096];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;
	int m;

	if (log_fd < 0 || !gmtime_r(&now, &tm))
		return;
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ", &tm);
	m = snprintf(line + n, sizeof line - n, " pgo-go[%ld]: %s", (long)getpid(), prefix);
	if (m < 0 || (size_t)m >= sizeof line - n)
		return;
	n += (size_t)m;
	m = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (m < 0)
		return;
	n = (size_t)m >= sizeof line - n ? sizeof line - 1 : n + (size_t)m;
	line[n++] = '\n';
	while (write(log_fd, line, n) < 0 && errno == EINTR)
		;
}

static void emit(const char *prefix, int to_stderr, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void emit(const char *prefix, int to_stderr, const char *fmt, va_list ap)
{
	va_list copy;
	char *text;

	va_copy(copy, ap);
	log_line(prefix, fmt, copy);
	va_end(copy);
	if (!to_stderr)
		return;
	fflush(stdout);
	/* One write a line (stderr is unbuffered: a fputs each would be four),
	 * so lines of shims running at once do not mix. */
	va_copy(copy, ap);
	if (vasprintf(&text, fmt, copy) >= 0) {
		fprintf(stderr, "pgo-go: %s%s\n", prefix, text);
		free(text);
	} else {
		fputs("pgo-go: ", stderr);
		fputs(prefix, stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(copy);
}

void pgo_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", 1, fmt, ap);
	va_end(ap);
}

void pgo_warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", 1, fmt, ap);
	va_end(ap);
}

void pgo_notef(const char *fmt, ...)
{
	va_list ap;
	if (!verbose && log_fd < 0)
		return;
	va_start(ap, fmt);
	emit("", verbose, fmt, ap);
	va_end(ap);
}

void pgo_logf(const char *fmt, ...)
{
	va_list ap;
	if (log_fd < 0)
		return;
	va_start(ap, fmt);
	log_line("", fmt, ap);
	va_end(ap);
}

/* Appends word to buf (holding *n bytes of size bufsz), single-quoted when
 * a shell would need it. Returns -1 when it does not fit. */
static int append_word(char *buf, size_t bufsz, size_t *n, const char *word)
{
	int plain = *word != '\0';
	size_t need = 1;

	for (const char *c = word; *c; c++) {
		if (!strchr("+-./:=@_,%^", *c) && !(*c >= '0' && *c <= '9') &&
		    !((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z'))
			plain = 0;
		need += *c == '\'' ? 4 : 1;
	}
	need += plain ? 0 : 2;
	if (*n + need >= bufsz)
		return -1;
	if (*n)
		buf[(*n)++] = ' ';
	if (plain) {
		memcpy(buf + *n, word, strlen(word));
		*n += strlen(word);
		return 0;
	}
	buf[(*n)++] = '\'';
	for (const char *c = word; *c; c++) {
		if (*c == '\'') {
			memcpy(buf + *n, "'\\''", 4);
			*n += 4;
		} else {
			buf[(*n)++] = *c;
		}
	}
	buf[(*n)++] = '\'';
	return 0;
}

/* word with the user:password of a URL in it (--url=https://u:p@host/)
 * replaced by "REDACTED": a log is read by more people than a secret is. */
static const char *redact_userinfo(const char *word, char *buf, size_t bufsz)
{
	const char *scheme = strstr(word, "://"), *host, *end, *at;

	if (!scheme)
		return word;
	host = scheme + 3;
	end = host + strcspn(host, "/?#");
	at = memrchr(host, '@', (size_t)(end - host));
	if (!at || snprintf(buf, bufsz, "%.*sREDACTED%s", (int)(host - word), word, at) < 0)
		return word;
	return buf;
}

void pgo_log_argv(const char *what, char *const argv[])
{
	char buf[3072], word[1024];
	size_t n = 0;

	if (log_fd < 0)
		return;
	for (size_t i = 0; argv[i]; i++)
		if (append_word(buf, sizeof buf - 4, &n,
		                redact_userinfo(argv[i], word, sizeof word)) != 0) {
			memcpy(buf + n, " ...", 4);
			n += 4;
			break;
		}
	buf[n] = '\0';
	pgo_logf("%s: %s", what, buf);
}

void pgo_progress(int64_t bytes, int64_t elapsed_ms, int done)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (done)
		fputs("\r\033[K", stderr);
	else if (bytes >= 1000000)
		fprintf(stderr, "\rpgo-go: fetching the profile: %.1f MB, %llds ",
		        (double)bytes / 1e6, (long long)(elapsed_ms / 1000));
	else
		fprintf(stderr, "\rpgo-go: fetching the profile: %.0f kB, %llds ",
		        (double)bytes / 1e3, (long long)(elapsed_ms / 1000));
	fflush(stderr);
}
