#!/usr/bin/env bash
# Builds the instruction-counting QEMU plugin (bench/arm/plugin/insn-count.c) for the host:
#   OUT/insn-count.so   (OUT defaults to out/arm, git-ignored)
# Uses gcc, or clang when there is no gcc (scripts/setup.sh installs clang).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/out/arm}"
mkdir -p "$OUT"
CC="${CC:-}"
if [ -z "$CC" ]; then
  if command -v gcc >/dev/null 2>&1; then CC=gcc; elif command -v clang >/dev/null 2>&1; then CC=clang; else
    echo "build-plugin.sh: no host C compiler (gcc or clang)" >&2; exit 1
  fi
fi
"$CC" -shared -fPIC -O2 -Wall -Wextra -Werror -fvisibility=hidden -o "$OUT/insn-count.so.$$" "$HERE/plugin/insn-count.c"
mv -f "$OUT/insn-count.so.$$" "$OUT/insn-count.so"
