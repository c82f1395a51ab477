#!/usr/bin/env bash
# Formats the C sources with the repository's .clang-format, or with
# --check, lists the files that are not formatted and fails (CI runs that).
# Generated files keep their generator's layout.
set -euo pipefail
cd "$(dirname "$0")/.."
generated='^buildinfo/bi_isprint\.c$'
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.c' '*.h' | grep -Ev "$generated")
if [[ ${1:-} == --check ]]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format "$f" | cmp -s - "$f" || bad+=("$f")
  done
  if ((${#bad[@]})); then
    echo "format: not formatted with .clang-format (run scripts/format.sh):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
fi
