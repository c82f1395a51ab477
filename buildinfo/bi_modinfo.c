/* bi_modinfo.c — the modinfo text: runtime/debug.ParseBuildInfo and
 * BuildInfo.String().
 *
 * The text is what the go command embeds and what `go version -m` prints, so
 * both directions follow runtime/debug/mod.go line for line, including its
 * error messages and its quirks (a replaced module's entry ends with an empty
 * line; a second `mod` line replaces the first one, replacement and all).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi.h"
#include "bi_quote.h"

/* A borrowed piece of the input text. */
typedef struct span {
	const char *p;
	size_t n;
} span;

typedef struct parser {
	bi_info *info;
	bi_module *last; /* the module a "=>" line may replace, or NULL */
	size_t deps_cap;
	size_t settings_cap;
	int line;
	bi_error *err;
} parser;

static bool has_prefix(span s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

static bool contains_any(span s, const char *set)
{
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] != '\0' && strchr(set, s.p[i]) != NULL)
			return true;
	}
	return false;
}

/* debug.quoteKey and debug.quoteValue: which strings String() quotes, and so
 * which ParseBuildInfo refuses to see unquoted. */
static bool quote_key(span key)
{
	return key.n == 0 || contains_any(key, "= \t\r\n\"`");
}

static bool quote_value(span value)
{
	return contains_any(value, " \t\r\n\"`");
}

/* Replaces *dst with a NUL-terminated copy of src. */
static bool str_set(bi_str *dst, span src)
{
	char *p = malloc(src.n + 1);

	if (p == NULL)
		return false;
	if (src.n > 0)
		memcpy(p, src.p, src.n);
	p[src.n] = '\0';
	free(dst->p);
	dst->p = p;
	dst->n = src.n;
	return true;
}

static void str_free(bi_str *s)
{
	free(s->p);
	s->p = NULL;
	s->n = 0;
}

static void module_free(bi_module *m);

/* Frees what m owns, not m itself. */
static void module_clear(bi_module *m)
{
	str_free(&m->path);
	str_free(&m->version);
	str_free(&m->sum);
	module_free(m->replace);
	m->replace = NULL;
}

static void module_free(bi_module *m)
{
	/* Replacement chains only come from callers building a bi_info by
	 * hand, but walking them iteratively costs nothing. */
	while (m != NULL) {
		bi_module *next = m->replace;
		m->replace = NULL;
		module_clear(m);
		free(m);
		m = next;
	}
}

/* Sets all three strings, so a module is never left with a NULL one. */
static bool module_set(bi_module *m, span path, span version, span sum)
{
	return str_set(&m->path, path) && str_set(&m->version, version) && str_set(&m->sum, sum);
}

void bi_info_free(bi_info *info)
{
	if (info == NULL)
		return;
	str_free(&info->go_version);
	str_free(&info->path);
	module_clear(&info->main);
	for (size_t i = 0; i < info->ndeps; i++)
		module_free(info->deps[i]);
	free(info->deps);
	for (size_t i = 0; i < info->nsettings; i++) {
		str_free(&info->settings[i].key);
		str_free(&info->settings[i].value);
	}
	free(info->settings);
	free(info);
}

static bi_info *info_new(void)
{
	static const span empty = {"", 0};
	bi_info *info = calloc(1, sizeof(*info));

	if (info == NULL)
		return NULL;
	if (!str_set(&info->go_version, empty) || !str_set(&info->path, empty) ||
	    !module_set(&info->main, empty, empty, empty)) {
		bi_info_free(info);
		return NULL;
	}
	return info;
}

/* Go's message after "line N: ", cut at a rune boundary with "..." past
 * 255 bytes (Go's is unbounded; ours lives in a fixed buffer). */
static void set_detail(char *detail, size_t size, const char *msg, size_t n)
{
	const size_t max = size - 1;
	const size_t keep = max - 3;

	if (n <= max) {
		memcpy(detail, msg, n);
		detail[n] = '\0';
		return;
	}
	n = keep;
	while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80)
		n--;
	memcpy(detail, msg, n);
	memcpy(detail + n, "...", 4);
}

static int fail_nomem(parser *ps)
{
	return bi_fail(ps->err, BI_E_NOMEM);
}

/* Reports a malformed line; msg is Go's text after "line N: ". */
static int fail_msg(parser *ps, const char *msg, size_t n)
{
	char detail[256];

	if (ps->err != NULL) {
		bi_fail(ps->err, BI_E_PARSE);
		ps->err->line = ps->line;
		set_detail(detail, sizeof detail, msg, n);
		snprintf(ps->err->msg, sizeof ps->err->msg,
		         "could not parse Go build info: line %d: %s", ps->line, detail);
	}
	return BI_E_PARSE;
}

static int fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *ps, const char *fmt, ...)
{
	char msg[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail_msg(ps, msg, n < 0 ? 0 : strlen(msg));
}

/* The same, for a message built in b, which it frees. */
static int fail_buf(parser *ps, bi_buf *b)
{
	int rc = b->failed ? fail_nomem(ps) : fail_msg(ps, b->p, b->n);

	bi_buf_free(b);
	return rc;
}

/* The messages that embed a string with %q: "<before><Quote(s)><after>". */
static int fail_quoted(parser *ps, const char *before, span s, const char *after)
{
	bi_buf b = {0};

	bi_buf_puts(&b, before);
	bi_quote_append(&b, s.p, s.n);
	bi_buf_puts(&b, after);
	return fail_buf(ps, &b);
}

/* strings.Split(s, "\t"): the number of columns, and the first three. */
static size_t split_tabs(span s, span col[3])
{
	size_t count = 0;
	const char *p = s.p, *end = s.p + s.n;

	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *stop = tab != NULL ? tab : end;
		if (count < 3)
			col[count] = (span){p, (size_t)(stop - p)};
		count++;
		if (tab == NULL)
			return count;
		p = tab + 1;
	}
}

/* readModuleLine: "path\tversion[\tsum]" into m, which it overwrites whole
 * (dropping any replacement), as Go's `*last, err = readModuleLine(elem)`. */
static int read_module(parser *ps, span rest, bi_module *m)
{
	static const span empty = {"", 0};
	span col[3];
	size_t n = split_tabs(rest, col);

	if (n != 2 && n != 3)
		return fail(ps, "expected 2 or 3 columns; got %zu", n);
	module_free(m->replace);
	m->replace = NULL;
	if (!module_set(m, col[0], col[1], n == 3 ? col[2] : empty))
		return fail_nomem(ps);
	ps->last = m;
	return BI_OK;
}

static int parse_dep(parser *ps, span rest)
{
	bi_info *info = ps->info;
	bi_module *m;

	if (info->ndeps == ps->deps_cap) {
		size_t cap = ps->deps_cap ? 2 * ps->deps_cap : 16;
		bi_module **deps = realloc(info->deps, cap * sizeof(*deps));
		if (deps == NULL)
			return fail_nomem(ps);
		info->deps = deps;
		ps->deps_cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return fail_nomem(ps);
	info->deps[info->ndeps++] = m;
	return read_module(ps, rest, m);
}

static int parse_replace(parser *ps, span rest)
{
	span col[3];
	size_t n = split_tabs(rest, col);
	bi_module *r;

	if (n != 3)
		return fail(ps, "expected 3 columns for replacement; got %zu", n);
	if (ps->last == NULL)
		return fail(ps, "replacement with no module on previous line");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return fail_nomem(ps);
	module_free(ps->last->replace);
	ps->last->replace = r;
	ps->last = NULL;
	if (!module_set(r, col[0], col[1], col[2]))
		return fail_nomem(ps);
	return BI_OK;
}

/* Unquotes a key or value into dst, replacing what it held. */
static int unquote_into(bi_str *dst, span s)
{
	bi_str v;
	int rc = bi_unquote(s.p, s.n, &v);

	if (rc != BI_OK)
		return rc;
	free(dst->p);
	*dst = v;
	return BI_OK;
}

/* The key of a build line, quoted or not; *raw_value is what follows '='. */
static int parse_key(parser *ps, span kv, bi_setting *set, span *raw_value)
{
	size_t plen;
	const char *eq;
	span key;
	int rc;

	if (kv.p[0] == '=')
		return fail(ps, "build line with missing key");
	if (kv.p[0] == '`' || kv.p[0] == '"') {
		if (bi_quoted_prefix(kv.p, kv.n, &plen) != BI_OK)
			return fail(ps, "invalid quoted key in build line");
		if (plen == kv.n)
			return fail(ps, "build line missing '=' after quoted key");
		if (kv.p[plen] != '=') {
			bi_buf b = {0};
			/* Go formats the byte with %q, which quotes it as a rune. */
			bi_buf_puts(&b, "unexpected character after quoted key: ");
			bi_quote_rune_append(&b, (unsigned char)kv.p[plen]);
			return fail_buf(ps, &b);
		}
		/* QuotedPrefix accepted it, so Unquote can only fail for memory;
		 * Go ignores the error here, which leaves an empty key. */
		rc = unquote_into(&set->key, (span){kv.p, plen});
		if (rc == BI_E_NOMEM)
			return fail_nomem(ps);
		*raw_value = (span){kv.p + plen + 1, kv.n - plen - 1};
		return BI_OK;
	}
	eq = memchr(kv.p, '=', kv.n);
	if (eq == NULL)
		return fail(ps, "build line missing '=' after key");
	key = (span){kv.p, (size_t)(eq - kv.p)};
	if (quote_key(key))
		return fail_quoted(ps, "unquoted key ", key, " must be quoted");
	if (!str_set(&set->key, key))
		return fail_nomem(ps);
	*raw_value = (span){eq + 1, kv.n - key.n - 1};
	return BI_OK;
}

static int parse_value(parser *ps, span raw, bi_setting *set)
{
	int rc;

	if (raw.n > 0 && (raw.p[0] == '`' || raw.p[0] == '"')) {
		rc = unquote_into(&set->value, raw);
		if (rc == BI_E_NOMEM)
			return fail_nomem(ps);
		if (rc != BI_OK)
			return fail(ps, "invalid quoted value in build line");
		return BI_OK;
	}
	if (quote_value(raw))
		return fail_quoted(ps, "unquoted value ", raw, " must be quoted");
	if (!str_set(&set->value, raw))
		return fail_nomem(ps);
	return BI_OK;
}

static int append_setting(parser *ps, bi_setting *set)
{
	bi_info *info = ps->info;

	if (info->nsettings == ps->settings_cap) {
		size_t cap = ps->settings_cap ? 2 * ps->settings_cap : 16;
		bi_setting *s = realloc(info->settings, cap * sizeof(*s));
		if (s == NULL)
			return fail_nomem(ps);
		info->settings = s;
		ps->settings_cap = cap;
	}
	info->settings[info->nsettings++] = *set;
	return BI_OK;
}

/* "build\t" KEY "=" VALUE, either side possibly quoted. */
static int parse_build(parser *ps, span kv)
{
	static const span empty = {"", 0};
	bi_setting set = {{NULL, 0}, {NULL, 0}};
	span raw = {"", 0};
	int rc;

	if (kv.n < 1)
		return fail(ps, "build line missing '='");
	if (!str_set(&set.key, empty) || !str_set(&set.value, empty)) {
		rc = fail_nomem(ps);
		goto out;
	}
	rc = parse_key(ps, kv, &set, &raw);
	if (rc == BI_OK)
		rc = parse_value(ps, raw, &set);
	if (rc == BI_OK)
		rc = append_setting(ps, &set);
out:
	if (rc != BI_OK) {
		str_free(&set.key);
		str_free(&set.value);
	}
	return rc;
}

static span after(span s, const char *prefix)
{
	size_t n = strlen(prefix);
	return (span){s.p + n, s.n - n};
}

/* One line, without its '\n'. Lines of any other kind, including the "go"
 * line and blank ones, are skipped as in Go. */
static int parse_line(parser *ps, span line)
{
	if (has_prefix(line, "path\t"))
		return str_set(&ps->info->path, after(line, "path\t")) ? BI_OK : fail_nomem(ps);
	if (has_prefix(line, "mod\t"))
		return read_module(ps, after(line, "mod\t"), &ps->info->main);
	if (has_prefix(line, "dep\t"))
		return parse_dep(ps, after(line, "dep\t"));
	if (has_prefix(line, "=>\t"))
		return parse_replace(ps, after(line, "=>\t"));
	if (has_prefix(line, "build\t"))
		return parse_build(ps, after(line, "build\t"));
	return BI_OK;
}

int bi_info_parse(const char *text, size_t len, bi_info **out, bi_error *err)
{
	parser ps = {.line = 1, .err = err};
	int rc = BI_OK;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	ps.info = info_new();
	if (ps.info == NULL)
		return fail_nomem(&ps);
	/* As strings.Cut in Go's loop: text after the last '\n' is ignored. */
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		span line;
		if (nl == NULL)
			break;
		line = (span){text, (size_t)(nl - text)};
		rc = parse_line(&ps, line);
		if (rc != BI_OK)
			goto out;
		text += line.n + 1;
		len -= line.n + 1;
		if (ps.line < INT_MAX)
			ps.line++;
	}
	*out = ps.info;
	ps.info = NULL;
out:
	bi_info_free(ps.info);
	return rc;
}

static bool module_empty(const bi_module *m)
{
	return m->path.n == 0 && m->version.n == 0 && m->sum.n == 0 && m->replace == NULL;
}

static void put_str(bi_buf *b, const bi_str *s)
{
	bi_buf_put(b, s->p, s->n);
}

/* formatMod: a replaced module's line ends after its version, and each level
 * of replacement adds one more '\n' after the chain, as Go's recursion does. */
static void format_mod(bi_buf *b, const char *word, const bi_module *m)
{
	size_t depth = 0;

	for (;;) {
		bi_buf_puts(b, word);
		bi_buf_putc(b, '\t');
		put_str(b, &m->path);
		bi_buf_putc(b, '\t');
		put_str(b, &m->version);
		if (m->replace == NULL)
			break;
		bi_buf_putc(b, '\n');
		word = "=>";
		m = m->replace;
		depth++;
	}
	bi_buf_putc(b, '\t');
	put_str(b, &m->sum);
	for (size_t i = 0; i <= depth; i++)
		bi_buf_putc(b, '\n');
}

static void format_setting(bi_buf *b, const bi_setting *s)
{
	span key = {s->key.p, s->key.n}, value = {s->value.p, s->value.n};

	bi_buf_puts(b, "build\t");
	if (quote_key(key))
		bi_quote_append(b, key.p, key.n);
	else
		bi_buf_put(b, key.p, key.n);
	bi_buf_putc(b, '=');
	if (quote_value(value))
		bi_quote_append(b, value.p, value.n);
	else
		bi_buf_put(b, value.p, value.n);
	bi_buf_putc(b, '\n');
}

char *bi_info_string(const bi_info *info, size_t *len)
{
	bi_buf b = {0};

	if (info->go_version.n > 0) {
		bi_buf_puts(&b, "go\t");
		put_str(&b, &info->go_version);
		bi_buf_putc(&b, '\n');
	}
	if (info->path.n > 0) {
		bi_buf_puts(&b, "path\t");
		put_str(&b, &info->path);
		bi_buf_putc(&b, '\n');
	}
	if (!module_empty(&info->main))
		format_mod(&b, "mod", &info->main);
	/* A NULL dep would be a nil *Module, on which Go's String panics. */
	for (size_t i = 0; i < info->ndeps; i++) {
		if (info->deps[i] != NULL)
			format_mod(&b, "dep", info->deps[i]);
	}
	for (size_t i = 0; i < info->nsettings; i++)
		format_setting(&b, &info->settings[i]);
	return bi_buf_take(&b, len);
}

const bi_str *bi_info_setting(const bi_info *info, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < info->nsettings; i++) {
		const bi_str *k = &info->settings[i].key;
		if (k->n == n && memcmp(k->p, key, n) == 0)
			return &info->settings[i].value;
	}
	return NULL;
}
