#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name, *forms;
} kinds[] = {
    [VALUE_BOOL] = {"a boolean", "1, true, yes, on or 0, false, no, off"},
    [VALUE_ENUM] = {"one of", ""},
    [VALUE_DURATION] = {"a duration", "500ms, 30s, 5m, 1h30m, 7d, or a number of seconds"},
    [VALUE_SIZE] = {"a size", "64MB, 512k, 1G, or a number of bytes"},
    [VALUE_COUNT] = {"a number", "decimal digits"},
    [VALUE_FRACTION] = {"a fraction", "0.8 or 80%"},
    [VALUE_URL] = {"a URL", "http://host:port[/prefix] or https://…"},
    [VALUE_PATH] = {"a path", "a file or directory name"},
    [VALUE_SECRET] = {"a secret", "any text, or KEY_file naming a file that holds it"},
    [VALUE_STRING] = {"text", "any text"},
};

const char *value_kind_name(enum value_kind k)
{
	return kinds[k].name;
}

const char *value_forms(enum value_kind k)
{
	return kinds[k].forms;
}

int value_bool(const char *s, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};

	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* Bounded well below INT64_MAX so that sums and products never overflow. */
#define DURATION_MAX_MS ((int64_t)100 * 365 * 86400 * 1000)

static int64_t unit_ms(const char **p)
{
	switch (**p) {
	case 'd':
		return (*p)++, (int64_t)86400000;
	case 'h':
		return (*p)++, (int64_t)3600000;
	case 'm':
		if ((*p)[1] == 's')
			return *p += 2, (int64_t)1;
		return (*p)++, (int64_t)60000;
	case 's':
		return (*p)++, (int64_t)1000;
	}
	return 0;
}

int value_duration(const char *s, int64_t *ms)
{
	const char *p = s;
	int64_t total = 0;

	if (!*s)
		return -1;
	while (*p) {
		int64_t n = 0, u;
		const char *digits = p;
		while (*p >= '0' && *p <= '9' && n <= DURATION_MAX_MS)
			n = n * 10 + (*p++ - '0');
		if (p == digits || n > DURATION_MAX_MS)
			return -1;
		if (!*p && digits == s) /* a plain number: seconds */
			u = 1000;
		else if (!(u = unit_ms(&p)))
			return -1;
		if (n > DURATION_MAX_MS / u || (total += n * u) > DURATION_MAX_MS)
			return -1;
	}
	*ms = total;
	return 0;
}

int value_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end && strchr("kKmMgG", *end)) {
		shift = *end == 'k' || *end == 'K' ? 10 : *end == 'm' || *end == 'M' ? 20 : 30;
		end++;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v == 0 || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

int value_count(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int value_fraction(const char *s, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !(v >= 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

int value_url(const char *s, const char **why)
{
	const char *host;

	if (!strncasecmp(s, "http://", 7))
		host = s + 7;
	else if (!strncasecmp(s, "https://", 8))
		host = s + 8;
	else
		return *why = "it must start with http:// or https://", -1;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return *why = "it holds white space or a control character", -1;
	if (!*host || *host == '/' || *host == '?' || *host == '#')
		return *why = "it names no host", -1;
	return 0;
}

int value_enum(const char *s, const char *const *choices)
{
	for (int i = 0; choices[i]; i++)
		if (!strcasecmp(s, choices[i]))
			return i;
	return -1;
}
