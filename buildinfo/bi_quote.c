/* bi_quote.c — UTF-8, strconv.Quote and strconv.Unquote as Go defines them.
 *
 * Every branch below mirrors one in Go's strconv/quote.go or
 * unicode/utf8/utf8.go; the unit tests compare against Go's own output.
 */
#include <stdlib.h>
#include <string.h>

#include "bi_quote.h"

static const char lowerhex[] = "0123456789abcdef";

/* The controls with a one-letter escape, and their letters, in step. */
static const char named_ctrl[] = "\a\b\f\n\r\t\v";
static const char named_letter[] = "abfnrtv";

/* Grows b to hold at least need bytes; sets failed and returns false if it
 * cannot. */
static bool buf_grow(bi_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (b->failed)
		return false;
	if (need <= b->cap)
		return true;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void bi_buf_put(bi_buf *b, const void *s, size_t n)
{
	if (n == 0)
		return;
	if (n > SIZE_MAX - b->n) {
		b->failed = true;
		return;
	}
	if (!buf_grow(b, b->n + n))
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

void bi_buf_putc(bi_buf *b, char c)
{
	bi_buf_put(b, &c, 1);
}

void bi_buf_puts(bi_buf *b, const char *s)
{
	bi_buf_put(b, s, strlen(s));
}

void bi_buf_free(bi_buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

char *bi_buf_take(bi_buf *b, size_t *len)
{
	char *p;

	/* The terminator is not counted in n, so a later append overwrites it. */
	if (b->n == SIZE_MAX || !buf_grow(b, b->n + 1)) {
		bi_buf_free(b);
		return NULL;
	}
	b->p[b->n] = '\0';
	p = b->p;
	if (len != NULL)
		*len = b->n;
	memset(b, 0, sizeof(*b));
	return p;
}

/* The accepted range of the second byte after each kind of lead byte: it is
 * narrower after E0, ED, F0 and F4, which is how Go rejects overlong forms,
 * surrogates and runes past U+10FFFF without decoding them first. */
static bool lead_info(unsigned char c, size_t *size, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		*size = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		*size = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		*size = 4;
	else
		return false;
	if (c == 0xE0)
		*lo = 0xA0;
	else if (c == 0xED)
		*hi = 0x9F;
	else if (c == 0xF0)
		*lo = 0x90;
	else if (c == 0xF4)
		*hi = 0x8F;
	return true;
}

int32_t bi_utf8_decode(const unsigned char *s, size_t n, size_t *width)
{
	unsigned char lo, hi;
	size_t size, i;
	int32_t r;

	*width = 0;
	if (n == 0)
		return BI_RUNE_ERROR;
	*width = 1;
	if (s[0] < 0x80)
		return s[0];
	/* Go reports a truncated sequence as one bad byte, even if the bytes
	 * present are a valid start. */
	if (!lead_info(s[0], &size, &lo, &hi) || n < size || s[1] < lo || s[1] > hi)
		return BI_RUNE_ERROR;
	r = s[0] & (0x7F >> size);
	for (i = 1; i < size; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return BI_RUNE_ERROR;
		r = (r << 6) | (s[i] & 0x3F);
	}
	*width = size;
	return r;
}

static bool valid_rune(int32_t r)
{
	return (r >= 0 && r < 0xD800) || (r > 0xDFFF && r <= BI_MAX_RUNE);
}

void bi_utf8_append(bi_buf *b, int32_t r)
{
	unsigned char out[4];
	uint32_t u;

	if (!valid_rune(r))
		r = BI_RUNE_ERROR;
	u = (uint32_t)r;
	if (u < 0x80) {
		out[0] = (unsigned char)u;
		bi_buf_put(b, out, 1);
	} else if (u < 0x800) {
		out[0] = (unsigned char)(0xC0 | u >> 6);
		out[1] = (unsigned char)(0x80 | (u & 0x3F));
		bi_buf_put(b, out, 2);
	} else if (u < 0x10000) {
		out[0] = (unsigned char)(0xE0 | u >> 12);
		out[1] = (unsigned char)(0x80 | (u >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (u & 0x3F));
		bi_buf_put(b, out, 3);
	} else {
		out[0] = (unsigned char)(0xF0 | u >> 18);
		out[1] = (unsigned char)(0x80 | (u >> 12 & 0x3F));
		out[2] = (unsigned char)(0x80 | (u >> 6 & 0x3F));
		out[3] = (unsigned char)(0x80 | (u & 0x3F));
		bi_buf_put(b, out, 4);
	}
}

/* Writes `prefix` and the low `digits` hex digits of v. */
static void put_hex(bi_buf *b, const char *prefix, uint32_t v, int digits)
{
	bi_buf_puts(b, prefix);
	for (int s = (digits - 1) * 4; s >= 0; s -= 4)
		bi_buf_putc(b, lowerhex[v >> s & 0xF]);
}

/* strconv.appendEscapedRune with ASCIIonly and graphicOnly false. */
static void escaped_rune(bi_buf *b, int32_t r, char quote)
{
	const char *e;

	if (r == quote || r == '\\') {
		bi_buf_putc(b, '\\');
		bi_buf_putc(b, (char)r);
		return;
	}
	if (bi_isprint(r)) {
		bi_utf8_append(b, r);
		return;
	}
	/* r > 0 because strchr would also find NUL, the string's terminator. */
	if (r > 0 && r < 0x80 && (e = strchr(named_ctrl, (int)r)) != NULL) {
		bi_buf_putc(b, '\\');
		bi_buf_putc(b, named_letter[e - named_ctrl]);
	} else if (r < ' ' || r == 0x7F) {
		put_hex(b, "\\x", (uint32_t)r & 0xFF, 2);
	} else if (!valid_rune(r)) {
		put_hex(b, "\\u", BI_RUNE_ERROR, 4);
	} else if (r < 0x10000) {
		put_hex(b, "\\u", (uint32_t)r, 4);
	} else {
		put_hex(b, "\\U", (uint32_t)r, 8);
	}
}

void bi_quote_append(bi_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, w;

	bi_buf_putc(b, '"');
	while (i < n) {
		int32_t r = bi_utf8_decode(u + i, n - i, &w);
		/* Each byte of invalid UTF-8 is shown as itself, not as U+FFFD,
		 * so the literal still denotes the same bytes. */
		if (w == 1 && r == BI_RUNE_ERROR)
			put_hex(b, "\\x", u[i], 2);
		else
			escaped_rune(b, r, '"');
		i += w;
	}
	bi_buf_putc(b, '"');
}

void bi_quote_rune_append(bi_buf *b, int32_t r)
{
	bi_buf_putc(b, '\'');
	escaped_rune(b, valid_rune(r) ? r : BI_RUNE_ERROR, '\'');
	bi_buf_putc(b, '\'');
}

static int unhex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One decoded character of a quoted literal: its value, whether it stands for
 * a rune (true) or a raw byte (false), and how many input bytes it took. */
typedef struct uchar {
	int32_t value;
	bool multibyte;
	size_t width;
} uchar;

/* \x, \u, \U: digits hex digits after the two-byte escape. */
static bool unquote_hex(const unsigned char *s, size_t n, size_t digits, uchar *c)
{
	int32_t v = 0;

	if (n < 2 + digits)
		return false;
	for (size_t j = 0; j < digits; j++) {
		int x = unhex(s[2 + j]);
		if (x < 0)
			return false;
		v = (int32_t)((uint32_t)v << 4 | (uint32_t)x);
	}
	c->value = v;
	c->width = 2 + digits;
	/* \x is a byte, possibly not UTF-8; \u and \U must be runes. */
	c->multibyte = s[1] != 'x';
	return !c->multibyte || valid_rune(v);
}

/* \NNN: three octal digits, at most 255. */
static bool unquote_octal(const unsigned char *s, size_t n, uchar *c)
{
	int32_t v = 0;

	if (n < 4)
		return false;
	for (size_t j = 1; j < 4; j++) {
		if (s[j] < '0' || s[j] > '7')
			return false;
		v = v << 3 | (s[j] - '0');
	}
	c->value = v;
	c->width = 4;
	c->multibyte = false;
	return v <= 255;
}

/* The part of strconv.UnquoteChar after a backslash. */
static bool unquote_escape(const unsigned char *s, size_t n, char quote, uchar *c)
{
	const char *e;

	if (n < 2)
		return false;
	c->multibyte = false;
	c->width = 2;
	switch (s[1]) {
	case 'x':
		return unquote_hex(s, n, 2, c);
	case 'u':
		return unquote_hex(s, n, 4, c);
	case 'U':
		return unquote_hex(s, n, 8, c);
	case '\\':
		c->value = '\\';
		return true;
	case '\'':
	case '"':
		c->value = s[1];
		return s[1] == quote;
	}
	if (s[1] >= '0' && s[1] <= '7')
		return unquote_octal(s, n, c);
	if (s[1] == '\0' || (e = strchr(named_letter, s[1])) == NULL)
		return false;
	c->value = named_ctrl[e - named_letter];
	return true;
}

/* strconv.UnquoteChar for a literal delimited by quote. */
static bool unquote_char(const unsigned char *s, size_t n, char quote, uchar *c)
{
	if (n == 0 || s[0] == (unsigned char)quote)
		return false;
	if (s[0] >= 0x80) {
		c->value = bi_utf8_decode(s, n, &c->width);
		c->multibyte = true;
		return true;
	}
	if (s[0] != '\\') {
		c->value = s[0];
		c->multibyte = false;
		c->width = 1;
		return true;
	}
	return unquote_escape(s, n, quote, c);
}

/* The escape-processing loop of strconv.unquote for "..." and '...'. Go's
 * fast path for literals without escapes gives the same result, so it is not
 * repeated here. */
static int unquote_escaped(const unsigned char *in, size_t n, bi_buf *out, size_t *used)
{
	char quote = (char)in[0];
	size_t i = 1;
	uchar c;

	while (i < n && in[i] != (unsigned char)quote) {
		if (in[i] == '\n' || !unquote_char(in + i, n - i, quote, &c))
			return BI_E_PARSE;
		i += c.width;
		if (out != NULL && (c.value < 0x80 || !c.multibyte))
			bi_buf_putc(out, (char)c.value);
		else if (out != NULL)
			bi_utf8_append(out, c.value);
		/* A rune literal holds exactly one character. */
		if (quote == '\'')
			break;
	}
	if (i >= n || in[i] != (unsigned char)quote)
		return BI_E_PARSE;
	*used = i + 1;
	return BI_OK;
}

/* strconv.unquote: parses the literal at the start of in; *used is its
 * length. With out, the value is appended there. */
static int unquote(const unsigned char *in, size_t n, bi_buf *out, size_t *used)
{
	const unsigned char *end;

	if (n < 2)
		return BI_E_PARSE;
	end = memchr(in + 1, in[0], n - 1);
	if (end == NULL)
		return BI_E_PARSE;
	switch (in[0]) {
	case '`':
		/* Raw strings drop carriage returns and are not checked for
		 * valid UTF-8, as in Go. */
		for (const unsigned char *p = in + 1; out != NULL && p < end; p++) {
			if (*p != '\r')
				bi_buf_putc(out, (char)*p);
		}
		*used = (size_t)(end - in) + 1;
		return BI_OK;
	case '"':
	case '\'':
		return unquote_escaped(in, n, out, used);
	default:
		return BI_E_PARSE;
	}
}

int bi_unquote(const char *s, size_t n, bi_str *out)
{
	bi_buf b = {0};
	size_t used = 0, len;
	int rc;

	rc = unquote((const unsigned char *)s, n, &b, &used);
	if (rc == BI_OK && used != n)
		rc = BI_E_PARSE;
	if (rc != BI_OK)
		goto out;
	out->p = bi_buf_take(&b, &len);
	if (out->p == NULL) {
		rc = BI_E_NOMEM;
		goto out;
	}
	out->n = len;
out:
	bi_buf_free(&b);
	return rc;
}

int bi_quoted_prefix(const char *s, size_t n, size_t *len)
{
	return unquote((const unsigned char *)s, n, NULL, len);
}
