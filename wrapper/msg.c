#include "msg.h"

#include <stdarg.h>
#include <stdio.h>

static int verbose;

void pgo_msg_set_verbose(int v)
{
	verbose = v;
}

static void emit(const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("pgo-go: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pgo_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void pgo_warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void pgo_notef(const char *fmt, ...)
{
	va_list ap;
	if (!verbose)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
