#!/usr/bin/env bash
# Builds kernels-c/out/tinysense.wasm: the int8 kernels for the host (Node and
# the simulator), with Debian clang 14 + lld for wasm32.
#
#   bash kernels-c/build-wasm.sh [--out DIR]
#
# Freestanding: no libc, no imports (checked after the link), memory exported,
# 64 KiB of stack below __heap_base; callers place records, pack and arena at
# or above __heap_base and grow the memory as needed. Exports ts_invoke,
# ts_checksum, ts_preprocess, ts_crc32, ts_multiply_by_quantized_multiplier and every kernel
# (for tests). Deterministic: sources in C-locale order, no paths or
# timestamps in the output, names stripped.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/out"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) mkdir -p "$2"; OUT="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "build-wasm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

CLANG="${CLANG:-}"
if [ -z "$CLANG" ]; then
  for c in clang-14 clang; do
    if command -v "$c" >/dev/null 2>&1; then CLANG="$c"; break; fi
  done
fi
if [ -z "$CLANG" ] || ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "build-wasm.sh: clang not found (run scripts/setup.sh)" >&2
  exit 1
fi
if ! command -v wasm-ld >/dev/null 2>&1 && ! command -v wasm-ld-14 >/dev/null 2>&1; then
  echo "build-wasm.sh: wasm-ld not found (lld; run scripts/setup.sh)" >&2
  exit 1
fi
# clang finds the linker as wasm-ld; Debian's lld-14 may only provide wasm-ld-14.
LDDIR=""
if ! command -v wasm-ld >/dev/null 2>&1; then
  LDDIR="$(mktemp -d)"
  ln -s "$(command -v wasm-ld-14)" "$LDDIR/wasm-ld"
  trap 'rm -rf "$LDDIR"' EXIT
  export PATH="$LDDIR:$PATH"
fi

export LC_ALL=C
# shellcheck source=cflags.sh
source "$HERE/cflags.sh"
shopt -s nullglob
sources=("$HERE"/src/*.c)
if [ ${#sources[@]} -eq 0 ]; then
  echo "build-wasm.sh: no C sources in $HERE/src" >&2
  exit 1
fi

EXPORTS=(
  ts_invoke ts_invoke_ops ts_checksum ts_crc32 ts_multiply_by_quantized_multiplier __heap_base
  ts_convolve_s8 ts_depthwise_conv_s8 ts_fully_connected_s8 ts_avgpool_s8 ts_maxpool_s8
  ts_softmax_s8 ts_logistic_s8 ts_tanh_s8 ts_add_s8 ts_mul_s8 ts_requantize_s8
  ts_leaky_relu_s8 ts_dequantize_s8_f32 ts_quantize_f32_s8 ts_mean_s8 ts_gather_view
  ts_pad ts_copy_rows ts_copy_bytes
  ts_preprocess ts_preprocess_image ts_preprocess_samples
)
LINK=(-Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536
      -Wl,--initial-memory=262144 -Wl,--no-gc-sections)
for e in "${EXPORTS[@]}"; do LINK+=("-Wl,--export=$e"); done

mkdir -p "$OUT"
TMP="$OUT/tinysense.wasm.tmp.$$"
"$CLANG" --target=wasm32 "${KERNEL_CFLAGS[@]}" -O2 -ffreestanding -nostdlib -fno-builtin \
  -fno-ident -ffile-prefix-map="$HERE"=. \
  -I"$HERE/include" "${sources[@]}" "${LINK[@]}" -o "$TMP"

# Zero imports (a call to libc or a runtime helper would show up as one).
if command -v node >/dev/null 2>&1; then
  if ! node -e '
const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
const imports = WebAssembly.Module.imports(m);
if (imports.length) {
  console.error("build-wasm.sh: the module imports " + imports.map(i => i.module + "." + i.name).join(", "));
  process.exit(1);
}' "$TMP"; then
    rm -f "$TMP"
    exit 1
  fi
else
  echo "build-wasm.sh: node not found, import check skipped" >&2
fi
mv "$TMP" "$OUT/tinysense.wasm"
echo "build-wasm.sh: $OUT/tinysense.wasm ($(wc -c <"$OUT/tinysense.wasm") bytes)"
