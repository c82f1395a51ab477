/* values.h — the one parser of each kind of setting value.
 *
 * Every setting, whether it comes from a config file, the environment or a
 * command-line flag, goes through one of these into its type (config.c),
 * and so do the values of commands' own options (`cache clean
 * --older-than`). They only parse: each returns 0 with the value, or -1 when
 * the text is not of the kind; the caller says where it came from and what
 * is accepted (value_forms). Nothing is allocated.
 */
#ifndef PGO_GO_VALUES_H
#define PGO_GO_VALUES_H

#include <stddef.h>
#include <stdint.h>

enum value_kind {
	VALUE_BOOL,
	VALUE_ENUM,
	VALUE_DURATION,
	VALUE_SIZE,
	VALUE_COUNT,
	VALUE_FRACTION,
	VALUE_URL,
	VALUE_PATH,
	VALUE_SECRET,
	VALUE_STRING,
};

/* The kind's name for people ("a duration") and the forms it accepts
 * ("500ms, 30s, 5m, 1h30m, 7d, or seconds"). */
const char *value_kind_name(enum value_kind k);
const char *value_forms(enum value_kind k);

/* 1, true, yes, on / 0, false, no, off, in any case. */
int value_bool(const char *s, int *out);

/* One or more <integer><unit>, unit ms, s, m, h or d ("1h30m", "500ms"), or
 * a plain number of seconds. In milliseconds; at most 100 years. */
int value_duration(const char *s, int64_t *ms);

/* A number of bytes, with an optional k, M or G (powers of 1024) and an
 * optional B: "64MB", "512k", "1G", "1048576". Zero is refused. */
int value_size(const char *s, size_t *out);

/* Decimal digits, at most max. */
int value_count(const char *s, unsigned long max, unsigned long *out);

/* 0 to 1, as a decimal ("0.8") or a percentage ("80%"). */
int value_fraction(const char *s, double *out);

/* An http or https URL with a host and no white space or control
 * characters. On -1, *why says what is wrong. The full check (libcurl's
 * parser) comes when the URL is used. */
int value_url(const char *s, const char **why);

/* The index of s in choices (NULL-terminated), compared without case, or -1. */
int value_enum(const char *s, const char *const *choices);

#endif
