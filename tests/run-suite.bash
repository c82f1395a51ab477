#!/usr/bin/env bash
# Runs one integration suite, the way ctest does:
#
#   PGO_GO_BIN=… PGO_GO_FIXTURES=… PGO_GO_SRC=… bash tests/run-suite.bash NAME
#
# NAME is a file tests/suites/NAME.bash (see tests/lib.bash for what it
# defines). The last line printed is "N passed, M failed"; the exit status is
# 0 when every test passed, 77 when the suite's probe skipped it, 1 otherwise.
set -u

if (($# != 1)); then
  echo "usage: bash tests/run-suite.bash NAME" >&2
  exit 2
fi

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite_file=$TESTS_DIR/suites/$1.bash
if [[ ! -f $suite_file ]]; then
  echo "run-suite: no suite $1 ($suite_file)" >&2
  exit 2
fi

# shellcheck source=tests/lib.bash
source "$TESTS_DIR/lib.bash"
# shellcheck disable=SC1090
source "$suite_file"
run_suite "$1"
