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
  # libFuzzer and the sanitizer runtimes for clang 14 (npm run fuzz, kernels-c/fuzz/).
  dpkg -s libfuzzer-14-dev >/dev/null 2>&1 || need+=(libfuzzer-14-dev)
  dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # An old or missing package list finds nothing: refresh it once.
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
echo "setup: ready"
