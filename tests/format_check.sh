#!/usr/bin/env bash
# Fails when a C++ file of the project is not formatted as .clang-format says (STYLE.md rule 13).
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "FAIL: clang-format is not installed (scripts/setup.sh installs it)"; exit 1; }
mapfile -t files < <(find common config storage contacts campaign provider compliance app http daemon cli tests bench \
  \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ "${#bad[@]}" -gt 0 ]; then
  echo "FAIL: not clang-formatted (run clang-format -i on them):"; printf '  %s\n' "${bad[@]}"; exit 1
fi
echo "ok: ${#files[@]} files formatted"
