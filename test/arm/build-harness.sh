#!/usr/bin/env bash
# Builds the two ARM test harnesses (sources in test/arm/harness/, see core.h):
#   OUT/linux-harness    static ARMv7-A Linux (hard float) executable for qemu-arm
#   OUT/m4-harness.elf   bare-metal Cortex-M4 image for qemu-system-arm -M mps2-an386
# OUT defaults to out/arm (git-ignored).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/out/arm}"
mkdir -p "$OUT"
for tool in arm-linux-gnueabihf-gcc arm-none-eabi-gcc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-harness.sh: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done
H="$HERE/harness"
WARN=(-Wall -Wextra -Werror)
# Temporary names, then rename: parallel test workers may build at the same time.
arm-linux-gnueabihf-gcc -static -O2 "${WARN[@]}" -o "$OUT/linux-harness.$$" "$H/core.c" "$H/linux.c"
mv -f "$OUT/linux-harness.$$" "$OUT/linux-harness"
arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -mfloat-abi=softfp -mfpu=fpv4-sp-d16 -O2 -ffreestanding -nostdlib \
  "${WARN[@]}" -T "$H/m4.ld" -o "$OUT/m4-harness.elf.$$" "$H/core.c" "$H/m4.c" -lgcc
mv -f "$OUT/m4-harness.elf.$$" "$OUT/m4-harness.elf"
