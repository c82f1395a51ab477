# pgo-go under valgrind's memcheck, for the integration suites.
#
# Sourced by the small script tests/lib.bash writes in memcheck mode (see
# _memcheck_prepare), which the suites then know as $PGO_GO_BIN and link,
# hardlink or copy under the name `go`. That script sets
#   MEMCHECK_REAL      the pgo-go executable to check
#   MEMCHECK_DIR       the run's directory: argv0/ (links), logs/ (reports)
#   MEMCHECK_VALGRIND  the valgrind executable
#   MEMCHECK_SUPP      the suppressions file
# and the suite sees exactly what pgo-go prints and its exit status: valgrind
# writes only to logs/vg.PID.log, which tests/lib.bash checks after each test.
# shellcheck shell=bash disable=SC2153,SC2154

# pgo-go dispatches on the name it was run by (`go` is the shim): valgrind
# runs a link to it under the name this script was run by.
memcheck_name=${0##*/}
memcheck_link=$MEMCHECK_DIR/argv0/$memcheck_name
if [[ ! -e $memcheck_link ]]; then
  # Builds run concurrently: create the link under a private name, then
  # rename it into place, so no one sees it half made.
  ln -s "$MEMCHECK_REAL" "$memcheck_link.$$" && mv -f "$memcheck_link.$$" "$memcheck_link"
fi

# memcheck_is_pgo_go FILE: FILE is this script (a link, hardlink or copy of
# it) or the pgo-go it runs, which pgo-go itself would skip as "itself".
memcheck_is_pgo_go() {
  [[ $1 -ef $0 || $1 -ef $MEMCHECK_REAL ]] || cmp -s -- "$1" "$0" || cmp -s -- "$1" "$MEMCHECK_REAL"
}

# Under valgrind, stat("/proc/self/exe") is valgrind's own tool, so pgo-go
# cannot recognize itself on PATH, and this script, named go, is no pgo-go
# binary either: pgo-go would take it for the real go and run itself again.
# So when pgo-go is about to look for the real go (the shim: named go, or
# `pgo-go go …`; not inside a build pgo-go started), do it here as
# wrapper/shim/realgo.c does, skipping this script and pgo-go, and pass the
# result in PGO_GO_REAL. With no real go on PATH, pgo-go gets a PATH without
# the directories that hold a pgo-go go, to find none and say so itself.
memcheck_path=$PATH
memcheck_no_real=0
if [[ -z ${PGO_GO_REAL:-} && -z ${PGO_GO_ACTIVE:-} ]] &&
  [[ $memcheck_name == go || $memcheck_name == go.exe || ${1:-} == go ]]; then
  memcheck_path=""
  memcheck_found=""
  IFS=: read -r -a memcheck_dirs <<<"$PATH:"
  for memcheck_dir in "${memcheck_dirs[@]}"; do
    memcheck_cand=${memcheck_dir:-.}/go
    if [[ -f $memcheck_cand && -x $memcheck_cand ]] && memcheck_is_pgo_go "$memcheck_cand"; then
      continue
    fi
    memcheck_path+=${memcheck_path:+:}$memcheck_dir
    if [[ -z $memcheck_found && -f $memcheck_cand && -x $memcheck_cand ]]; then
      memcheck_found=$memcheck_cand
      [[ $memcheck_found == /* ]] || memcheck_found=$PWD/$memcheck_found
    fi
  done
  if [[ -n $memcheck_found ]]; then
    export PGO_GO_REAL=$memcheck_found
    memcheck_path=$PATH
  else
    memcheck_no_real=1
  fi
fi

# pgo-go prints its argv[0] (PGO_GO_LOG) and passes it on to go, and tests
# run the shim by name: `go build`. A script cannot know that name (the
# kernel hands it only its path), but valgrind, given a bare name, finds it
# on PATH and passes it on as given: so the bare name, with argv0/ first on
# PATH. pgo-go and what it runs see that extra entry, which holds only
# links to pgo-go. Not when no real go was found: there pgo-go searches
# PATH itself, and under valgrind cannot tell that argv0/go is itself.
memcheck_client=$memcheck_link
if ((!memcheck_no_real)); then
  memcheck_client=$memcheck_name
  memcheck_path=$MEMCHECK_DIR/argv0:$PATH
fi

# No --error-exitcode: the suites compare pgo-go's exit status with go's.
# --vgdb=no: no FIFOs in $TMPDIR, which some tests check is left empty.
# --read-inline-info=no: a tenth of the start-up time; pgo-go is built
# without optimization, so nothing of its own is inlined.
PATH=$memcheck_path exec "$MEMCHECK_VALGRIND" -q --vgdb=no \
  --leak-check=full --show-leak-kinds=definite,indirect --read-inline-info=no \
  --errors-for-leak-kinds=definite,indirect --num-callers=30 \
  --suppressions="$MEMCHECK_SUPP" --log-file="$MEMCHECK_DIR/logs/vg.%p.log" \
  "$memcheck_client" "$@"
