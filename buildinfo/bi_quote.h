/* bi_quote.h — Go's text rules: UTF-8 decoding, strconv.Quote and Unquote.
 *
 * `go version -m` quotes build settings with strconv.Quote and reads them back
 * with strconv.Unquote; matching its bytes means following Go's rules for
 * invalid UTF-8 and non-printable runes exactly, so they live here, once.
 * Output goes to a bi_buf, a growable buffer the caller owns and releases
 * with bi_buf_free (or takes over with bi_buf_take). Used inside buildinfo/
 * and by the wrapper wherever it prints a value the way Go's %q does.
 */
#ifndef PGO_GO_BI_QUOTE_H
#define PGO_GO_BI_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bi.h"

#define BI_RUNE_ERROR 0xFFFD
#define BI_MAX_RUNE   0x10FFFF

/* A growable byte buffer. Zero-initialize it. After an allocation fails every
 * further append is ignored and `failed` stays set, so a run of appends can be
 * checked once at the end. */
typedef struct bi_buf {
	char *p;
	size_t n;
	size_t cap;
	bool failed;
} bi_buf;

void bi_buf_put(bi_buf *b, const void *s, size_t n);
void bi_buf_putc(bi_buf *b, char c);
void bi_buf_puts(bi_buf *b, const char *s);
void bi_buf_free(bi_buf *b);

/* Hands the contents over, NUL-terminated, and leaves b empty. Returns NULL
 * (and frees everything) if any append failed. */
char *bi_buf_take(bi_buf *b, size_t *len);

/* utf8.DecodeRune: the rune at s[0..n) and its width; (BI_RUNE_ERROR, 1) for
 * an invalid or truncated sequence (overlongs, surrogates, > U+10FFFF), and
 * (BI_RUNE_ERROR, 0) when n == 0. */
int32_t bi_utf8_decode(const unsigned char *s, size_t n, size_t *width);

/* utf8.AppendRune: invalid runes are written as U+FFFD. */
void bi_utf8_append(bi_buf *b, int32_t r);

/* strconv.IsPrint (generated table in bi_isprint.c). */
bool bi_isprint(int32_t r);

/* strconv.AppendQuote: a double-quoted Go literal of s[0..n). */
void bi_quote_append(bi_buf *b, const char *s, size_t n);

/* strconv.AppendQuoteRune: a single-quoted Go literal of r; this is what
 * fmt's %q prints for a byte. */
void bi_quote_rune_append(bi_buf *b, int32_t r);

/* strconv.Unquote of s[0..n): BI_OK with out malloc'd and NUL-terminated (the
 * caller frees out->p), BI_E_PARSE if s is not a Go string or rune literal,
 * BI_E_NOMEM. out is untouched on error. */
int bi_unquote(const char *s, size_t n, bi_str *out);

/* strconv.QuotedPrefix: the length of the quoted literal s starts with, or
 * BI_E_PARSE if it does not start with one. */
int bi_quoted_prefix(const char *s, size_t n, size_t *len);

#endif
