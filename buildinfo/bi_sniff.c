/* bi_sniff.c — member kinds from their first bytes and their names. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "bi_sniff.h"

int bi_sniff_exe(const unsigned char *p, size_t n)
{
	uint32_t be;

	/* bi_read_raw refuses anything shorter than its 16-byte ident. */
	if (n < 16)
		return 0;
	be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return !memcmp(p, "\177ELF", 4) || !memcmp(p, "MZ", 2) || !memcmp(p, "\xfe\xed\xfa", 3) ||
	       !memcmp(p + 1, "\xfa\xed\xfe", 3) || !memcmp(p, "\xca\xfe\xba\xbe", 4) ||
	       !memcmp(p, "\xca\xfe\xba\xbf", 4) || !memcmp(p, "\x01\xdf", 2) ||
	       !memcmp(p, "\x01\xf7", 2) || be == 0x1eb || be == 0x8a97 || be == 0x647;
}

/* A tar header's checksum: old tars carry no "ustar" magic. */
static int bi_tar_sum_ok(const unsigned char *h)
{
	unsigned long want = 0, sum = 0;
	int digits = 0;

	for (int i = 148; i < 156; i++) {
		if (h[i] >= '0' && h[i] <= '7') {
			want = want * 8 + (unsigned long)(h[i] - '0');
			digits++;
		} else if (digits > 0 || (h[i] != ' ' && h[i] != '\0')) {
			break;
		}
	}
	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return digits > 0 && sum == want;
}

int bi_sniff_archive(const unsigned char *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
	} m[] = {
	    {"\x1f\x8b", 2}, /* gzip */
	    {"BZh", 3},      /* bzip2 */
	    {"\xfd"
	     "7zXZ\0",
	     6},                     /* xz */
	    {"\x5d\0\0", 3},         /* lzma */
	    {"\x28\xb5\x2f\xfd", 4}, /* zstd */
	    {"\x04\x22\x4d\x18", 4}, /* lz4 */
	    {"PK\x03\x04", 4},       /* zip: a member, */
	    {"PK\x05\x06", 4},       /* an empty archive, */
	    {"PK\x07\x08", 4},       /* a spanned one */
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (n >= m[i].len && memcmp(p, m[i].magic, m[i].len) == 0)
			return 1;
	return n >= 512 && (memcmp(p + 257, "ustar", 5) == 0 || bi_tar_sum_ok(p));
}

int bi_sniff_json(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && isspace(p[i]))
		i++;
	return i < n && (p[i] == '{' || p[i] == '[');
}

int bi_sniff_candidate(const char *path, int exec_bit)
{
	const char *base = strrchr(path, '/'), *dot;
	char ext[5] = "";

	if (exec_bit)
		return 1;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot != NULL && strlen(dot) <= 4) {
		for (size_t i = 0; dot[i]; i++)
			ext[i] = (char)tolower((unsigned char)dot[i]);
		if (!strcmp(ext, ".so") || !strcmp(ext, ".exe") || !strcmp(ext, ".dll"))
			return 1;
	}
	for (const char *p = path; (p = strchr(p, '.')) != NULL; p++)
		if (tolower((unsigned char)p[1]) == 's' && tolower((unsigned char)p[2]) == 'o' &&
		    p[3] == '.')
			return 1;
	return 0;
}
