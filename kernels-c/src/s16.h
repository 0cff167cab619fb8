/*
 * s16.h: what the int16x8 kernels share (TFLM's int16 activations, int8 weights, int64 bias).
 * Internal, static inline. 64-bit values are carried as uint64_t (two's complement), so sums
 * wrap instead of overflowing; no 64-bit shift by a variable amount and no 64-bit division
 * (they would call libgcc on Cortex-M, which the blob does not link).
 */
#ifndef TINYSENSE_S16_H
#define TINYSENSE_S16_H

#include <stdint.h>

/* Element i of an int64 array stored as little-endian int32 word pairs (4-byte aligned in the pack). */
static inline uint64_t ts_word_pair64(const int32_t *words, int32_t i) {
  return (uint64_t)(uint32_t)words[2 * i] | ((uint64_t)(uint32_t)words[2 * i + 1] << 32);
}

/* The low 32 bits of (int64)v >> s, 1 <= s <= 63. */
static inline int32_t ts_asr64_low(uint64_t v, int32_t s) {
  const uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
  if (s >= 32) return (int32_t)hi >> (s - 32);
  return (int32_t)((lo >> s) | (hi << (32 - s)));
}

/* tflite::MultiplyByQuantizedMultiplier(int64_t x, int32_t multiplier, int shift), the
 * double-rounding build (TFLITE_SINGLE_ROUNDING off): the multiplier reduced to 16 bits, one
 * rounding shift by 15 - shift, the result truncated to int32. shift must be in [-31, 7]. */
static inline int32_t ts_mbqm64(uint64_t x, int32_t multiplier, int32_t shift) {
  const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total = 15 - shift; /* 8..46 */
  const uint64_t round = total - 1 < 32 ? (uint64_t)(1u << (total - 1)) : (uint64_t)(1u << (total - 33)) << 32;
  return ts_asr64_low(x * (uint64_t)(int64_t)reduced + round, total);
}

#endif
