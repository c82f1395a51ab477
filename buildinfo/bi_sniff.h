/* bi_sniff.h — what an archive member is, from its first bytes and name.
 *
 * The archive walker peeks at the first BI_SNIFF_LEN bytes of every member
 * and decides with these, before it buffers anything, whether the member is
 * read (an object file), kept (an image manifest), opened (an archive) or
 * skipped. Pure functions over borrowed bytes.
 */
#ifndef PGO_GO_BI_SNIFF_H
#define PGO_GO_BI_SNIFF_H

#include <stddef.h>

#define BI_SNIFF_LEN 512 /* a tar header, and room for every magic number */

/* An object-file magic number, as bi_read.c dispatches on them. */
int bi_sniff_exe(const unsigned char *p, size_t n);

/* Worth handing to libarchive: a compressed stream, a zip, or a tar. */
int bi_sniff_archive(const unsigned char *p, size_t n);

/* A JSON object or array, after white space. */
int bi_sniff_json(const unsigned char *p, size_t n);

/* Go's isGoBinaryCandidate: an executable regular file, or a name like a
 * library or a Windows program (.so, .so.N, .exe, .dll, any case). */
int bi_sniff_candidate(const char *path, int exec_bit);

#endif
