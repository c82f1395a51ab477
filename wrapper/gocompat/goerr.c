#include "goerr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *goerr_errno_text(int errnum, char *buf, size_t bufsz)
{
	/* Go's table was generated from glibc's messages, lower-cased. */
	const char *s = strerror(errnum);
	snprintf(buf, bufsz, "%s", s);
	if (buf[0] && isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

char *goerr_clean_path(char *s)
{
	size_t n = strlen(s);
	int rooted = n > 0 && s[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;

	if (n == 0) {
		return s; /* callers never pass ""; Clean("") is "." */
	}
	if (rooted) {
		w = r = dotdot = 1;
	}
	/* The lexical algorithm of Go's path.Clean, writing over the input:
	 * the output is never longer than what has been read. */
	while (r < n) {
		if (s[r] == '/') {
			r++;
		} else if (s[r] == '.' && (r + 1 == n || s[r + 1] == '/')) {
			r++;
		} else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == n || s[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && s[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					s[w++] = '/';
				s[w++] = '.';
				s[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				s[w++] = '/';
			for (; r < n && s[r] != '/'; r++)
				s[w++] = s[r];
		}
	}
	if (w == 0)
		s[w++] = '.';
	s[w] = '\0';
	return s;
}

char *goerr_join(const char *dir, const char *name)
{
	size_t dn = strlen(dir), nn = strlen(name);
	char *p;

	if (dn == 0 && nn == 0)
		return strdup("");
	p = malloc(dn + nn + 2);
	if (!p)
		return NULL;
	if (dn == 0) {
		memcpy(p, name, nn + 1);
	} else if (nn == 0) {
		memcpy(p, dir, dn + 1);
	} else {
		memcpy(p, dir, dn);
		p[dn] = '/';
		memcpy(p + dn + 1, name, nn + 1);
	}
	return goerr_clean_path(p);
}
