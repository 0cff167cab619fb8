#!/usr/bin/env bash
# Installs what tinysense needs on a fresh Debian machine, then builds the project.
# Idempotent: each step is skipped when its tool is already there.
#   scripts/setup.sh          toolchains for everything (wasm, Cortex-M4 blob, ARM emulation)
#   TINYSENSE_SETUP_MIN=1 ... only what the WebAssembly build needs
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have clang || need+=(clang)
have wasm-ld || have wasm-ld-14 || need+=(lld)
if [ "${TINYSENSE_SETUP_MIN:-0}" != 1 ]; then
  have arm-none-eabi-gcc || need+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
  have qemu-arm || need+=(qemu-user)
  have qemu-system-arm || need+=(qemu-system-arm)
  have arm-linux-gnueabihf-gcc || need+=(gcc-arm-linux-gnueabihf libc6-dev-armhf-cross)
  have qemu-plugin-dev-check 2>/dev/null || true
  # Debian's chromium: test/dev drives it with playwright-core (no browser download).
  have chromium || need+=(chromium)
  # libFuzzer and the sanitizer runtimes for clang 14 (npm run fuzz, kernels-c/fuzz/).
  dpkg -s libfuzzer-14-dev >/dev/null 2>&1 || need+=(libfuzzer-14-dev)
  dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
  # The real FlatBuffers Verifier, built by flatc for the TFLite schema: test/tflite/verifier-parity.
  have flatc || need+=(flatbuffers-compiler)
  dpkg -s libflatbuffers-dev >/dev/null 2>&1 || need+=(libflatbuffers-dev)
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # An old or missing package list finds nothing: refresh it once. Another apt (unattended
  # upgrades, a second setup) may hold the lock: wait for it rather than fail.
  LOCK=(-o DPkg::Lock::Timeout=600)
  $SUDO apt-get "${LOCK[@]}" update -qq
  $SUDO apt-get "${LOCK[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
# Build what is out of date only: a second run with nothing changed takes a second.
stale() { # stale OUTPUT INPUT... : true when OUTPUT is missing or any INPUT file is newer
  local out="$1"; shift
  [ -e "$out" ] || return 0
  [ -n "$(find "$@" -newer "$out" -type f -print -quit 2>/dev/null)" ]
}
if stale kernels-c/out/tinysense.wasm kernels-c/src kernels-c/include kernels-c/build-wasm.sh ||
   stale kernels-c/out/tinysense-m4.bin kernels-c/src kernels-c/include kernels-c/arm; then
  npm run --silent build:kernels
else
  echo "setup: kernels up to date"
fi
if stale dist/host/cli.js host device tsconfig.base.json tsconfig.build.json package.json; then
  npm run --silent build:ts
else
  echo "setup: TypeScript up to date"
fi
echo "setup: ready"
