#!/usr/bin/env bash
# Differential test of the Cortex-M4 fast paths against the portable C (see diff.h):
#   bash kernels-c/test-dsp/run.sh [--cases N] [--seed S] [--families fc,conv,dw,add] [--keep DIR]
# Builds the harness natively (portable C: the reference) and for ARMv7 Thumb-2 with the DSP
# extension (the fast paths, at -Os as the blob), runs the ARM one under qemu-arm, and compares
# every case's output hash. Prints per family the cases, the differences (the first few in full)
# and how often each kernel path ran on the ARM build, then `N passed, N failed` (cases).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
K="$(cd "$HERE/.." && pwd)"
CASES=2000
SEED=1
FAMILIES="fc,conv,dw,add"
KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) CASES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --families) FAMILIES="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "test-dsp: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in gcc arm-linux-gnueabihf-gcc qemu-arm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test-dsp: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
SRC=("$K"/src/*.c "$HERE"/diff*.c)
# shellcheck source=../cflags.sh
source "$K/cflags.sh"
FLAGS=("${KERNEL_CFLAGS[@]}" -DTS_PATH_TRACE -I"$K/include" -I"$HERE")
gcc "${FLAGS[@]}" -O2 "${SRC[@]}" -o "$TMP/diff-ref"
arm-linux-gnueabihf-gcc "${FLAGS[@]}" -static -Os -mthumb -march=armv7-a+fp "${SRC[@]}" -o "$TMP/diff-dsp"
if ! arm-linux-gnueabihf-gcc -dM -E -mthumb -march=armv7-a+fp - </dev/null | grep -q __ARM_FEATURE_DSP; then
  echo "test-dsp: the ARM build has no DSP extension" >&2; exit 1
fi
passed=0; failed=0
IFS=',' read -ra fams <<<"$FAMILIES"
for f in "${fams[@]}"; do
  "$TMP/diff-ref" "$f" "$SEED" "$CASES" >"$TMP/$f.ref" 2>"$TMP/$f.ref-paths"
  qemu-arm "$TMP/diff-dsp" "$f" "$SEED" "$CASES" >"$TMP/$f.dsp" 2>"$TMP/$f.dsp-paths"
  n=$(wc -l <"$TMP/$f.ref")
  [ "$n" -eq "$CASES" ] || { echo "test-dsp: $f: the reference printed $n of $CASES cases" >&2; exit 1; }
  d=$( (diff "$TMP/$f.ref" "$TMP/$f.dsp" || true) | grep -c '^<' || true)
  echo "dsp-diff $f: $CASES cases (seed $SEED), $d differences"
  if [ "$d" -gt 0 ]; then
    (diff "$TMP/$f.ref" "$TMP/$f.dsp" || true) | head -8
  fi
  sed 's/^/  /' "$TMP/$f.dsp-paths"
  passed=$((passed + CASES - d)); failed=$((failed + d))
done
if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; cp "$TMP"/* "$KEEP"/; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
