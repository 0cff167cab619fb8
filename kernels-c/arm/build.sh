#!/usr/bin/env bash
# Builds the tinysense kernels as ONE position-independent Thumb-2 blob for Cortex-M4
# (Espruino on nRF52840 calls it through E.nativeCall: no loader, no relocations).
#
#   bash kernels-c/arm/build.sh                 -> kernels-c/out/tinysense-m4.bin + .json
#   bash kernels-c/arm/build.sh --src DIR --out DIR [--name NAME] [--ops CODES]
#
# --ops 1,2,3,6  a blob for one app: only the kernels of these op record codes (tinysense_nn.h);
#                ts_invoke answers TS_ERROR_UNKNOWN_OP for the others. The JSON lists them as "ops".
# --no-preprocess  no preprocessing kernels (ts_preprocess answers TS_ERROR_UNKNOWN_OP): for apps that
#                do not call imagePreprocessor/sampleWindow (about 2 KB less). The JSON says "preprocess": false.
# --portable     the portable C kernels only (-DTS_NO_DSP: no Cortex-M4 fast paths): smaller, slower,
#                for boards whose Storage is tight. The JSON says "portable": true.
#
# Outputs (in --out, default kernels-c/out/):
#   NAME.bin   the raw image: entry table at offset 0, code, literal pools, .rodata
#   NAME.json  {"ts_invoke": 0, "ts_checksum": 4, "bytes", "sha256", ...}: entry offsets
#              WITHOUT the thumb bit (callers add |1)
#   arm/       objects (.o, .su), blob.elf (linked at 0 with --emit-relocs), blob-moved.elf
#              (linked at 0x20000004), kept for pic-check.mjs, the harnesses and the bench
#
# Every build runs kernels-c/arm/pic-check.mjs and fails when it does (rules in README.md).
# The image is reproducible: no timestamps, no paths, sources in C-locale order.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SRC="$ROOT/kernels-c/src"
OUT="$ROOT/kernels-c/out"
NAME="tinysense-m4"
OPS=""
PORTABLE=0
PREPROCESS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --src) SRC="$(cd "$2" && pwd)"; shift 2 ;;
    --out) mkdir -p "$2"; OUT="$(cd "$2" && pwd)"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --ops) OPS="$2"; shift 2 ;;
    --portable) PORTABLE=1; shift ;;
    --no-preprocess) PREPROCESS=0; shift ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

for tool in arm-none-eabi-gcc arm-none-eabi-ld arm-none-eabi-objcopy arm-none-eabi-readelf arm-none-eabi-objdump arm-none-eabi-nm node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done

export LC_ALL=C
# shellcheck source=../cflags.sh
source "$ROOT/kernels-c/cflags.sh"
shopt -s nullglob
sources=("$SRC"/*.c)
if [ ${#sources[@]} -eq 0 ]; then
  echo "build.sh: no C sources in $SRC" >&2
  exit 1
fi

WORK="$OUT/arm"
rm -rf "$WORK"
mkdir -p "$WORK/obj"

CC=arm-none-eabi-gcc
ARCH=(-mthumb -mcpu=cortex-m4 -mfloat-abi=softfp -mfpu=fpv4-sp-d16)
CFLAGS=(
  "${KERNEL_CFLAGS[@]}" "${ARCH[@]}" -Os
  -nostdlib -ffreestanding -fno-builtin
  # Position independence: PC-relative code and data; hidden visibility keeps references to
  # symbols of other files PC-relative too (default visibility would go through the GOT).
  -fpic -fpie -fvisibility=hidden
  -ffunction-sections -fdata-sections -fno-common
  # No memset/memcpy calls synthesised from loops; no unwind tables (they pull in libgcc).
  -fno-tree-loop-distribute-patterns -fno-unwind-tables -fno-asynchronous-unwind-tables
  -fno-exceptions -fno-stack-protector -fno-ident
  -fstack-usage
  -ffile-prefix-map="$ROOT"=.
  -include "$HERE/hidden.h" -I"$ROOT/kernels-c/include"
)

# Per-app op set: one bit per op code in four 32-bit masks (invoke.c TS_HAS).
if [ -n "$OPS" ]; then
  masks=(0 0 0 0)
  IFS=',' read -ra codes <<<"$OPS"
  for code in "${codes[@]}"; do
    if ! [[ "$code" =~ ^[0-9]+$ ]] || [ "$code" -lt 1 ] || [ "$code" -gt 127 ]; then
      echo "build.sh: --ops: '$code' is not an op code (1-127)" >&2; exit 2
    fi
    masks[code / 32]=$((masks[code / 32] | (1 << (code % 32))))
  done
  for k in 0 1 2 3; do CFLAGS+=("-DTS_OPS_MASK$k=$(printf '0x%08xu' "${masks[k]}")"); done
fi

[ "$PORTABLE" = 1 ] && CFLAGS+=(-DTS_NO_DSP)
[ "$PREPROCESS" = 0 ] && CFLAGS+=(-DTS_NO_PREPROCESS)

objects=()
compile() { # src obj
  if ! "$CC" "${CFLAGS[@]}" -c "$1" -o "$2"; then
    echo "build.sh: compiling ${1#"$ROOT"/} failed" >&2
    exit 1
  fi
  objects+=("$2")
}
for src in "${sources[@]}"; do
  compile "$src" "$WORK/obj/$(basename "${src%.c}").o"
done
compile "$HERE/entry.S" "$WORK/obj/entry.o"

LDFLAGS=(-nostdlib -static --no-dynamic-linker --build-id=none --gc-sections --orphan-handling=error -T "$HERE/blob.ld")
# A relocatable link first: undefined symbols (libgcc __aeabi_*, memcpy, ...) are reported by the
# check with the object that needs them, rather than as a bare linker error.
arm-none-eabi-ld -r -o "$WORK/combined.o" "${objects[@]}"
node "$HERE/pic-check.mjs" --undefined-only "$WORK"

link() { # out.elf base
  arm-none-eabi-ld "${LDFLAGS[@]}" --emit-relocs --defsym=BLOB_BASE="$2" -Map="$1.map" -o "$1" "${objects[@]}"
}
link "$WORK/blob.elf" 0
link "$WORK/blob-moved.elf" 0x20000004
arm-none-eabi-objcopy -O binary -j .text "$WORK/blob.elf" "$WORK/blob.bin"
arm-none-eabi-objcopy -O binary -j .text "$WORK/blob-moved.elf" "$WORK/blob-moved.bin"

node "$HERE/pic-check.mjs" --json "$OUT/$NAME.json" "$WORK"
# Which op codes the blob runs: null for all of them.
node -e '
const [file, ops] = process.argv.slice(1);
const j = JSON.parse(require("fs").readFileSync(file, "utf8"));
j.ops = ops ? ops.split(",").map(Number).sort((a, b) => a - b) : null;
j.portable = process.argv[3] === "1";
j.preprocess = process.argv[4] === "1";
require("fs").writeFileSync(file, JSON.stringify(j, null, 2) + "\n");' "$OUT/$NAME.json" "$OPS" "$PORTABLE" "$PREPROCESS"
cp "$WORK/blob.bin" "$OUT/$NAME.bin"
echo "build.sh: $OUT/$NAME.bin ($(wc -c <"$OUT/$NAME.bin") bytes), $OUT/$NAME.json"
