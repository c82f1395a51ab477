/* msg.h — every message pgo-go prints about itself goes through here.
 *
 * One line each, prefixed with the program name, on stderr: errors say what
 * failed, on what, and what to do; warnings say what pgo-go did instead.
 * Standard output is flushed first so the two streams keep their order.
 */
#ifndef PGO_GO_MSG_H
#define PGO_GO_MSG_H

#define PGO_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* "pgo-go: MESSAGE" */
void pgo_errorf(const char *fmt, ...) PGO_PRINTF(1, 2);
/* "pgo-go: warning: MESSAGE" */
void pgo_warnf(const char *fmt, ...) PGO_PRINTF(1, 2);
/* "pgo-go: MESSAGE", only when verbose output was asked for */
void pgo_notef(const char *fmt, ...) PGO_PRINTF(1, 2);

void pgo_msg_set_verbose(int verbose);

#endif
