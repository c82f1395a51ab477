/* shim.h — pgo-go as `go`: pass everything through, except build and install.
 *
 * Pass-through is an execv of the real go with the original argv: no extra
 * process, no configuration read, no network. Intercepted commands are
 * handed to build.c.
 */
#ifndef PGO_GO_SHIM_H
#define PGO_GO_SHIM_H

/* argv is the go command line as invoked (argv[0] "go" or whatever the
 * link is called). Returns the exit status when it does not exec. */
int shim_main(int argc, char **argv);

#endif
