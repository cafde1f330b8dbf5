#!/usr/bin/env bash
# Fails when a C++ file of the project differs from what clang-format makes of it
# (style in .clang-format). Fix with: clang-format -i $(git ls-files '*.cpp' '*.hpp')
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "clang-format is missing: run deploy/install-deps.sh" >&2
  exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
  mapfile -t files < <(find core services tests bench -name '*.cpp' -o -name '*.hpp')
fi
clang-format --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files clean"
