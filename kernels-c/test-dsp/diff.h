/*
 * diff.h: the differential test of the Cortex-M4 fast paths (kernels-c/test-dsp/).
 *
 * The same harness is built twice from the same sources: natively for the
 * host (no DSP extension: the portable C, the reference) and for ARMv7 Thumb-2
 * with the DSP extension (the fast paths), run under qemu-arm. Each family
 * generates COUNT random cases from a seed, runs the kernel and prints one
 * line per case: the case number, its shape and parameters, and a hash of the
 * output bytes (plus the status). run.sh compares the two outputs line by line:
 * any difference is a fast path that is not bit-exact with the portable C.
 *
 * A family is a function that, for case i, draws its parameters with the
 * PRNG below (seeded from seed and i, so case i is the same on both builds
 * and can be rerun alone), fills the tensors, calls the kernel and calls
 * diff_report(). Draw from the same PRNG in the same order on both builds:
 * no draws that depend on the path taken.
 */
#ifndef TINYSENSE_DIFF_H
#define TINYSENSE_DIFF_H

#include <stdint.h>
#include <stdio.h>
#include "tinysense_nn.h"

/* splitmix64-seeded xorshift: identical on both builds. */
typedef struct {
  uint64_t s;
} diff_rng;

void diff_seed(diff_rng *r, uint64_t seed, uint64_t index);
uint32_t diff_u32(diff_rng *r);
/* uniform in [lo, hi] (inclusive) */
int32_t diff_range(diff_rng *r, int32_t lo, int32_t hi);
/* 1 with probability num/den */
int diff_chance(diff_rng *r, int32_t num, int32_t den);
void diff_fill_s8(diff_rng *r, int8_t *p, int32_t n);
/* Realistic per-channel requantization as the compiler emits it (multiplier
 * in [2^30, 2^31), shift mostly -12..0), with occasional extremes (shift up to
 * +4 or down to -31, multiplier 0 or tiny). */
void diff_requant(diff_rng *r, int32_t *multiplier, int32_t *shift, int32_t n);
/* An activation range inside [-128, 127]: full range, RELU-like or RELU6-like. */
void diff_activation(diff_rng *r, ts_activation *act);
/* Bias values: small, large, or extreme (wrapping sums are part of the contract). */
void diff_fill_bias(diff_rng *r, int32_t *bias, int32_t n);

/* A window op's output height/width and padding as TFLite computes them for SAME (same = 1) or
 * VALID padding; a VALID window larger than the input falls back to SAME. */
void diff_window(const ts_dims *in, int32_t kh, int32_t kw, const ts_tile *stride, const ts_tile *dilation, int32_t same,
                 ts_dims *out, ts_tile *padding);

/* Prints "CASE DESC status=S hash=H". */
void diff_report(int32_t index, const char *desc, int32_t status, const void *out, int32_t bytes);

/* Scratch tensors for a family (no malloc needed, the cases are small). */
#define DIFF_BYTES (1 << 20)
extern int8_t diff_input[DIFF_BYTES];
extern int8_t diff_filter[DIFF_BYTES];
extern int8_t diff_output[DIFF_BYTES];
extern int32_t diff_bias[1 << 14];
extern int32_t diff_mult[1 << 14];
extern int32_t diff_shift[1 << 14];

/* The families (one file each): run case `index` of `seed`. */
void diff_case_fc(uint64_t seed, int32_t index);
void diff_case_conv(uint64_t seed, int32_t index);
void diff_case_dw(uint64_t seed, int32_t index);
void diff_case_add(uint64_t seed, int32_t index);

#endif
