/* archive_lazy.h — why libarchive is not available, when it is not.
 *
 * pgo-go loads libarchive on first use (archive_lazy.c says why); its
 * functions are called as usual through <archive.h>. */
#ifndef PGO_GO_ARCHIVE_LAZY_H
#define PGO_GO_ARCHIVE_LAZY_H

/* NULL when libarchive is loaded and complete; otherwise one line saying
 * what is missing. Loads it if that has not been tried yet. */
const char *bi_archive_lazy_error(void);

#endif
