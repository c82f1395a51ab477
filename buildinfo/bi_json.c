/* bi_json.c — `go version -m -json`: json.MarshalIndent(bi, "", "\t") of a
 * runtime/debug.BuildInfo, rendered by hand.
 *
 * A JSON library would produce valid JSON but not Go's bytes: Go escapes
 * < > & and U+2028/U+2029, turns each invalid UTF-8 byte into \ufffd, and
 * omits empty fields by its own `omitempty` rules. The field order is the
 * struct's: GoVersion, Path, Main, Deps, Settings; Path, Version, Sum,
 * Replace; Key, Value.
 */
#include <stdbool.h>
#include <string.h>

#include "bi.h"
#include "bi_quote.h"

static const char hex[] = "0123456789abcdef";

/* Writes r as \uXXXX into u (7 bytes) and returns u. */
static const char *unicode_escape(char u[7], int32_t r)
{
	u[0] = '\\';
	u[1] = 'u';
	for (int k = 0; k < 4; k++)
		u[2 + k] = hex[(r >> (12 - 4 * k)) & 0xF];
	u[6] = '\0';
	return u;
}

/* What encoding/json writes for an ASCII byte, or NULL for the byte itself.
 * With escapeHTML, < > & are escaped too, so the output is safe in HTML. */
static const char *ascii_escape(unsigned char c, char u[7])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '<':
	case '>':
	case '&':
		return unicode_escape(u, c);
	}
	return c < 0x20 ? unicode_escape(u, c) : NULL;
}

/* encoding/json's appendString with escapeHTML set: runs of bytes that need
 * no escape are copied as they are. */
static void put_string(bi_buf *b, const bi_str *s)
{
	const unsigned char *p = (const unsigned char *)s->p;
	size_t i = 0, start = 0, w = 1;

	bi_buf_putc(b, '"');
	while (i < s->n) {
		const char *esc;
		char u[7];

		if (p[i] < 0x80) {
			w = 1;
			esc = ascii_escape(p[i], u);
		} else {
			int32_t r = bi_utf8_decode(p + i, s->n - i, &w);
			/* U+2028 and U+2029 end lines in JavaScript (JSONP). */
			if (r == BI_RUNE_ERROR && w == 1)
				esc = "\\ufffd";
			else if (r == 0x2028 || r == 0x2029)
				esc = unicode_escape(u, r);
			else
				esc = NULL;
		}
		if (esc != NULL) {
			bi_buf_put(b, p + start, i - start);
			bi_buf_puts(b, esc);
			start = i + w;
		}
		i += w;
	}
	bi_buf_put(b, p + start, s->n - start);
	bi_buf_putc(b, '"');
}

static void newline(bi_buf *b, int depth)
{
	bi_buf_putc(b, '\n');
	for (int i = 0; i < depth; i++)
		bi_buf_putc(b, '\t');
}

/* Starts the next member of an object whose members sit at depth. */
static void member(bi_buf *b, int depth, bool *first, const char *name)
{
	if (!*first)
		bi_buf_putc(b, ',');
	*first = false;
	newline(b, depth);
	bi_buf_putc(b, '"');
	bi_buf_puts(b, name);
	bi_buf_puts(b, "\": ");
}

/* A string member with `omitempty`. */
static void string_member(bi_buf *b, int depth, bool *first, const char *name, const bi_str *s)
{
	if (s->n == 0)
		return;
	member(b, depth, first, name);
	put_string(b, s);
}

/* Closes an object opened at depth; an object with no members is "{}". */
static void close_object(bi_buf *b, int depth, bool first)
{
	if (!first)
		newline(b, depth);
	bi_buf_putc(b, '}');
}

static void put_module(bi_buf *b, const bi_module *m, int depth)
{
	bool first = true;

	/* Go encodes a nil *Module in a slice as null. */
	if (m == NULL) {
		bi_buf_puts(b, "null");
		return;
	}
	bi_buf_putc(b, '{');
	string_member(b, depth + 1, &first, "Path", &m->path);
	string_member(b, depth + 1, &first, "Version", &m->version);
	string_member(b, depth + 1, &first, "Sum", &m->sum);
	/* omitempty drops only a nil pointer: an empty replacement is {}. */
	if (m->replace != NULL) {
		member(b, depth + 1, &first, "Replace");
		put_module(b, m->replace, depth + 1);
	}
	close_object(b, depth, first);
}

static void put_setting(bi_buf *b, const bi_setting *s, int depth)
{
	bool first = true;

	bi_buf_putc(b, '{');
	string_member(b, depth + 1, &first, "Key", &s->key);
	string_member(b, depth + 1, &first, "Value", &s->value);
	close_object(b, depth, first);
}

static void put_deps(bi_buf *b, const bi_info *info)
{
	for (size_t i = 0; i < info->ndeps; i++) {
		if (i > 0)
			bi_buf_putc(b, ',');
		newline(b, 2);
		put_module(b, info->deps[i], 2);
	}
	newline(b, 1);
	bi_buf_putc(b, ']');
}

static void put_settings(bi_buf *b, const bi_info *info)
{
	for (size_t i = 0; i < info->nsettings; i++) {
		if (i > 0)
			bi_buf_putc(b, ',');
		newline(b, 2);
		put_setting(b, &info->settings[i], 2);
	}
	newline(b, 1);
	bi_buf_putc(b, ']');
}

char *bi_info_json(const bi_info *info, size_t *len)
{
	bi_buf b = {0};
	bool first = true;

	bi_buf_putc(&b, '{');
	string_member(&b, 1, &first, "GoVersion", &info->go_version);
	string_member(&b, 1, &first, "Path", &info->path);
	/* Main has no omitempty (and a struct is never empty to Go anyway). */
	member(&b, 1, &first, "Main");
	put_module(&b, &info->main, 1);
	/* omitempty drops empty slices, so an array here is never "[]". */
	if (info->ndeps > 0) {
		member(&b, 1, &first, "Deps");
		bi_buf_putc(&b, '[');
		put_deps(&b, info);
	}
	if (info->nsettings > 0) {
		member(&b, 1, &first, "Settings");
		bi_buf_putc(&b, '[');
		put_settings(&b, info);
	}
	close_object(&b, 0, first);
	return bi_buf_take(&b, len);
}
