/*
 * SOFTMAX int8 -> int16 (output scale 1/65536, zero point -32768). Mirrors
 * reference_ops::Softmax<int8_t, int16_t>: softmax.c's gemmlowp arithmetic with the output
 * exponent num_bits_over_unit + 31 - 16 and the int16 range (entries below diff_min give -32768).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

static int32_t exp_of_diff(int32_t diff, int32_t multiplier, int32_t left_shift) {
  return ts_exp_on_negative_values(ts_srdhm(ts_wshl(diff, left_shift), multiplier), SCALED_DIFF_INTEGER_BITS);
}

ts_status ts_softmax_s8_s16(const ts_softmax_params *params, int32_t rows, int32_t row_size, const int8_t *input,
                            int16_t *output) {
  const int32_t multiplier = params->input_multiplier, left_shift = params->input_left_shift;
  const int32_t diff_min = params->diff_min;
  int32_t i, c;
  if (left_shift < 0 || left_shift > 31) return TS_ERROR_ARGUMENT;
  for (i = 0; i < rows; ++i) {
    const int8_t *in = input + i * row_size;
    int16_t *out = output + i * row_size;
    int32_t max_in_row = -128, headroom_plus_one, exponent, shifted_scale;
    uint32_t sum_of_exps = 0;
    for (c = 0; c < row_size; ++c)
      if (in[c] > max_in_row) max_in_row = in[c];
    for (c = 0; c < row_size; ++c) {
      const int32_t diff = (int32_t)in[c] - max_in_row;
      if (diff >= diff_min)
        sum_of_exps += (uint32_t)ts_rdbpot(exp_of_diff(diff, multiplier, left_shift), ACCUMULATION_INTEGER_BITS);
    }
    /* GetReciprocal(sum, 12, &num_bits_over_unit) */
    headroom_plus_one = ts_clz32(sum_of_exps);
    shifted_scale = ts_one_over_one_plus_x_for_x_in_0_1(
        (int32_t)((headroom_plus_one >= 32 ? 0u : (sum_of_exps << headroom_plus_one)) - 0x80000000u));
    exponent = ACCUMULATION_INTEGER_BITS - headroom_plus_one + 31 - 16;
    if (exponent < 0 || exponent > 31) return TS_ERROR_ARGUMENT; /* TFLITE_CHECK */
    for (c = 0; c < row_size; ++c) {
      const int32_t diff = (int32_t)in[c] - max_in_row;
      if (diff >= diff_min) {
        const int32_t unsat =
            ts_rdbpot(ts_srdhm(shifted_scale, exp_of_diff(diff, multiplier, left_shift)), exponent);
        out[c] = (int16_t)ts_clamp32(ts_wsub(unsat, 32768), -32768, 32767);
      } else {
        out[c] = -32768;
      }
    }
  }
  return TS_OK;
}

/* TFLM's LUTLookup(int16_t, const int16_t *lut): 512 segments of 128 input steps, linear
 * interpolation between lut[index] and lut[index + 1] rounded to nearest. */
static int32_t lut_lookup(int32_t value, const int16_t *lut) {
  const int32_t index = 256 + (value >> 7);
  const int32_t offset = value & 0x7f;
  const int32_t base = lut[index];
  const int32_t slope = (int16_t)(lut[index + 1] - base);
  return (int16_t)(base + ((slope * offset + 64) >> 7));
}

ts_status ts_softmax_s16(const ts_softmax_params *params, const int16_t *exp_lut, const int16_t *recip_lut,
                         int32_t rows, int32_t row_size, const int16_t *input, int16_t *output) {
  int32_t i, c;
  if (params->input_left_shift < -31 || params->input_left_shift > 30) return TS_ERROR_ARGUMENT;
  for (i = 0; i < rows; ++i) {
    const int16_t *in = input + i * row_size;
    int16_t *out = output + i * row_size;
    int32_t max_in_row = -32768, headroom_plus_one, right_shift, reciprocal, shifted_sum;
    uint32_t sum_of_exps = 0; /* Q16.15 */
    for (c = 0; c < row_size; ++c)
      if (in[c] > max_in_row) max_in_row = in[c];
    /* exp(input - max) from the LUT, cached in the output as TFLM does. */
    for (c = 0; c < row_size; ++c) {
      const int32_t scaled = ts_mbqm(in[c] - max_in_row, params->input_multiplier, params->input_left_shift);
      out[c] = (int16_t)lut_lookup(ts_clamp32(ts_wadd(scaled, 32767), -32768, 32767), exp_lut);
      sum_of_exps += (uint32_t)(int32_t)out[c];
    }
    /* 1 / sum: the sum normalised to [1, 2) in Q1.14, recentred for the 1/(1 + x) LUT. */
    headroom_plus_one = ts_clz32(sum_of_exps);
    if (headroom_plus_one < 1 || headroom_plus_one > 31) return TS_ERROR_ARGUMENT; /* a sum of 0 */
    /* sum < 2^(32 - headroom_plus_one): the shifted sum stays below 2^31, so 32 bits hold TFLM's int64 sum. */
    shifted_sum = (int32_t)(((sum_of_exps << (headroom_plus_one - 1)) + (1u << 13)) >> 14);
    reciprocal = lut_lookup(ts_clamp32(shifted_sum - ((1 << 15) + (1 << 16)), -32768, 32767), recip_lut);
    right_shift = 31 - headroom_plus_one;
    for (c = 0; c < row_size; ++c) {
      /* |int16 x int16| <= 2^30 and the rounding term < 2^30: TFLM's int64 sum fits 32 bits. */
      const int32_t product = out[c] * reciprocal;
      const int32_t result = right_shift == 0 ? product : (product + (1 << (right_shift - 1))) >> right_shift;
      out[c] = (int16_t)ts_clamp32(result, 0, 32767);
    }
  }
  return TS_OK;
}
