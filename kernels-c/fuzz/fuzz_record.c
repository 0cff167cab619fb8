/*
 * fuzz_record.c: libFuzzer target over the C record check and ts_invoke.
 *
 * Input: a model pack (the corpus is seeded with packs compiled from
 * models/ and their records; see scripts/fuzz.js). The pack is
 * copied into an 8-aligned buffer; the arena is the size its header plans
 * (capped at 1 MiB), zeroed. Every record the op table names (and, when the
 * table is empty or broken, every 4-aligned offset of the first 256 bytes
 * after the header) goes through ts_check_record(); only what it accepts
 * runs, through ts_invoke, within FUZZ_MAX_WORK (fuzz_work.h). ASan and UBSan
 * turn any out-of-bounds access, overflow or misalignment into a crash;
 * libFuzzer's -timeout turns a record that spins into a finding.
 *
 * Build (scripts/fuzz.js): clang-14 -fsanitize=fuzzer,address,undefined
 *   -fno-sanitize-recover=all with the kernels and tinysense_record_check.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_work.h"
#include "tinysense_nn.h"
#include "tinysense_record_check.h"

#define MAX_ARENA (1u << 20)
#define MAX_RECORDS 256

static uint32_t u32_at(const uint8_t *b, uint32_t at) {
  return (uint32_t)b[at] | ((uint32_t)b[at + 1] << 8) | ((uint32_t)b[at + 2] << 16) | ((uint32_t)b[at + 3] << 24);
}

static void check_and_run(uint8_t *pack, uint32_t bytes, uint32_t record, uint8_t *arena, uint32_t arena_bytes) {
  char text[256];
  ts_msg why;
  ts_msg_init(&why, text, sizeof text);
  if (ts_check_record(pack, bytes, record, arena_bytes, &why) != 0) {
    /* A refusal always says why. */
    if (text[0] == '\0') abort();
    return;
  }
  if (!fuzz_allow((const int32_t *)(const void *)(pack + record))) return;
  (void)ts_invoke((const int32_t *)(const void *)(pack + record), arena, pack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *pack, *arena;
  uint32_t bytes, arena_bytes, ops, table, k;
  if (size < 64 || size > (64u << 20)) return 0;
  bytes = (uint32_t)size & ~3u;
  fuzz_budget = FUZZ_MAX_WORK;
  /* 8-aligned copies: what the glue requires of the pack (4) and the arena (8). */
  pack = (uint8_t *)aligned_alloc(8, (bytes + 7) & ~7u);
  if (pack == NULL) return 0;
  memcpy(pack, data, bytes);
  arena_bytes = u32_at(pack, 16);
  if (arena_bytes > MAX_ARENA) arena_bytes = MAX_ARENA;
  arena = (uint8_t *)aligned_alloc(8, (arena_bytes + 15) & ~7u);
  if (arena == NULL) {
    free(pack);
    return 0;
  }
  memset(arena, 0, arena_bytes + 8);
  ops = u32_at(pack, 24);
  table = u32_at(pack, 28);
  if (ops > 0 && ops <= MAX_RECORDS && table >= 64 && table % 4 == 0 && (uint64_t)table + 4ull * ops <= bytes) {
    for (k = 0; k < ops; k++) check_and_run(pack, bytes, u32_at(pack, table + 4 * k), arena, arena_bytes);
  } else {
    for (k = 64; k < 320 && k + 8 <= bytes; k += 4) check_and_run(pack, bytes, k, arena, arena_bytes);
  }
  free(arena);
  free(pack);
  return 0;
}
