/* testdata.h — the driver for the data files tests/unit/gen writes.
 *
 * Each case is one line of space-separated fields: a kind, then strings in
 * lowercase hex ("-" for empty) and decimal numbers, all computed by Go. The
 * tests read the cases of one kind, run the C code, and report every
 * mismatch before failing, so one run shows all that is wrong. Header-only
 * because each unit test is a single source file.
 */
#ifndef PGO_GO_TESTDATA_H
#define PGO_GO_TESTDATA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define TD_MAX_FIELDS  8
#define TD_MAX_REPORTS 25

typedef struct td_file {
	FILE *f;
	const char *name;
	char *line;
	size_t cap;
	int lineno;
	char *field[TD_MAX_FIELDS];
	size_t nfields;
	int failures;
} td_file;

/* The whole file at path, NUL-terminated (*len bytes before the NUL), or
 * NULL when it cannot be read. The caller frees it. */
static inline char *td_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Opens TESTS_SOURCE_DIR/unit/data/name; exits if it is missing, since a
 * test without its cases would pass for nothing. */
static inline void td_open(td_file *td, const char *name)
{
	char path[1024];

	memset(td, 0, sizeof(*td));
	td->name = name;
	snprintf(path, sizeof(path), "%s/unit/data/%s", TESTS_SOURCE_DIR, name);
	td->f = fopen(path, "r");
	if (td->f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
}

static inline void td_close(td_file *td)
{
	if (td->f != NULL)
		fclose(td->f);
	free(td->line);
	td->f = NULL;
	td->line = NULL;
}

/* Advances to the next case of this kind; false at the end of the file.
 * field[0] is the kind. */
static inline int td_next(td_file *td, const char *kind)
{
	ssize_t got;

	while ((got = getline(&td->line, &td->cap, td->f)) >= 0) {
		char *save = NULL, *tok;
		td->lineno++;
		if (got > 0 && td->line[got - 1] == '\n')
			td->line[got - 1] = '\0';
		if (td->line[0] == '#' || td->line[0] == '\0')
			continue;
		td->nfields = 0;
		for (tok = strtok_r(td->line, " ", &save);
		     tok != NULL && td->nfields < TD_MAX_FIELDS; tok = strtok_r(NULL, " ", &save))
			td->field[td->nfields++] = tok;
		if (strcmp(td->field[0], kind) == 0)
			return 1;
	}
	return 0;
}

static inline int td_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes a hex field into a malloc'd, NUL-terminated buffer; *n is its
 * length. A malformed field aborts: the data file is broken, not the code. */
static inline char *td_hex(const char *field, size_t *n)
{
	size_t len = strcmp(field, "-") == 0 ? 0 : strlen(field);
	char *out = malloc(len / 2 + 1);

	if (out == NULL || len % 2 != 0)
		abort();
	for (size_t i = 0; i < len; i += 2) {
		int hi = td_hexval(field[i]), lo = td_hexval(field[i + 1]);
		if (hi < 0 || lo < 0)
			abort();
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[len / 2] = '\0';
	*n = len / 2;
	return out;
}

/* Writes s as a C-ish literal, so mismatches in control bytes are visible. */
static inline void td_show(const char *label, const char *s, size_t n)
{
	fprintf(stderr, "    %s (%zu bytes): \"", label, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			fprintf(stderr, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\"\n");
}

/* Records a failed case, printing the first few in full. */
static inline void td_fail(td_file *td, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void td_fail(td_file *td, const char *fmt, ...)
{
	va_list ap;

	if (td->failures++ >= TD_MAX_REPORTS)
		return;
	fprintf(stderr, "%s:%d: %s %s: ", td->name, td->lineno, td->field[0],
	        td->nfields > 1 ? td->field[1] : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Compares bytes; on a mismatch records it with both sides shown. */
static inline int td_expect(td_file *td, const char *what, const char *got, size_t gotn,
                            const char *want, size_t wantn)
{
	if (got != NULL && gotn == wantn && memcmp(got, want, wantn) == 0)
		return 1;
	td_fail(td, "%s differs", what);
	if (td->failures <= TD_MAX_REPORTS) {
		td_show("want", want, wantn);
		if (got != NULL)
			td_show("got ", got, gotn);
		else
			fprintf(stderr, "    got  NULL\n");
	}
	return 0;
}

/* Runs check on every case of kind in the data file name; fails if any case
 * fails or if there are fewer than min cases (a truncated data file must not
 * pass). */
static inline void td_run_cases(const char *name, const char *kind, size_t nfields, int min,
                                void (*check)(td_file *))
{
	td_file td;
	int count = 0, failures;

	td_open(&td, name);
	while (td_next(&td, kind)) {
		if (td.nfields < nfields)
			td_fail(&td, "malformed case: %zu fields", td.nfields);
		else
			check(&td);
		count++;
	}
	failures = td.failures;
	td_close(&td);
	if (failures > 0)
		fail_msg("%d of %d %s cases failed", failures, count, kind);
	assert_true(count >= min);
}

#endif
