#!/usr/bin/env bash
# Native tests of the C kernels with the host compiler:
#   1. unit.c: known exact values (built twice: -O2, and -O1 with UBSan when available)
#   2. golden.py: every model of the committed corpus models/ (its MODELS_DIR) against TFLM's goldens
#   bash kernels-c/test-native/run.sh [--all]     (--all adds mobilenet_v2 when present, see golden.py)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
K="$(cd "$HERE/.." && pwd)"
CC="${CC:-gcc}"
command -v "$CC" >/dev/null 2>&1 || { echo "test-native: $CC not found (run scripts/setup.sh)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=../cflags.sh
source "$K/cflags.sh"
WARN=("${KERNEL_CFLAGS[@]}")
"$CC" "${WARN[@]}" -O2 -I"$K/include" "$K"/src/*.c "$HERE/unit.c" -o "$TMP/unit"
"$TMP/unit"
if echo 'int main(void){return 0;}' | "$CC" -x c -fsanitize=undefined -fno-sanitize-recover=all - -o "$TMP/ubsan-probe" 2>/dev/null; then
  "$CC" "${WARN[@]}" -O1 -fsanitize=undefined -fno-sanitize-recover=all -I"$K/include" "$K"/src/*.c "$HERE/unit.c" -o "$TMP/unit-ubsan"
  "$TMP/unit-ubsan" | tail -1 | sed 's/^/ubsan /'
fi
if command -v python3 >/dev/null 2>&1; then
  python3 "$HERE/golden.py" "$@"
else
  echo "test-native: python3 not found, golden check skipped"
fi
