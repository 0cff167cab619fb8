/*
 * SOFTMAX int8 -> int8 (output scale 1/256, zero point -128). Mirrors
 * tflite::reference_ops::Softmax for quantized input (the gemmlowp path):
 * differences to the row maximum below diff_min give exp = 0 (output -128)
 * and are left out of the sum; the others are scaled to Q5.26 by
 * MultiplyByQuantizedMultiplierGreaterThanOne (double-rounding build: no
 * right shift), exponentiated, summed in Q12.19, and divided by the sum with
 * GetReciprocal's fixed-point reciprocal.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

/* exp of one scaled difference, Q0.31 */
static int32_t exp_of_diff(int32_t diff, int32_t multiplier, int32_t left_shift) {
  const int32_t rescaled = ts_srdhm(ts_wshl(diff, left_shift), multiplier);
  return ts_exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS);
}

ts_status ts_softmax_s8(const ts_softmax_params *params, int32_t rows,
                        int32_t row_size, const int8_t *input, int8_t *output) {
  const int32_t multiplier = params->input_multiplier;
  int32_t left_shift = params->input_left_shift;
  const int32_t diff_min = params->diff_min;
  int32_t i, c;

  if (left_shift < 0 || left_shift > 31) return TS_ERROR_ARGUMENT;

  for (i = 0; i < rows; ++i) {
    const int8_t *in = input + i * row_size;
    int8_t *out = output + i * row_size;
    int32_t max_in_row = -128, headroom_plus_one, num_bits_over_unit, exponent;
    int32_t shifted_scale;
    uint32_t sum_of_exps = 0;

    for (c = 0; c < row_size; ++c) {
      if (in[c] > max_in_row) max_in_row = in[c];
    }
    for (c = 0; c < row_size; ++c) {
      const int32_t diff = (int32_t)in[c] - max_in_row;
      if (diff >= diff_min) {
        /* Rescale<12> of a Q0.31 value: RoundingDivideByPOT by 12 */
        sum_of_exps += (uint32_t)ts_rdbpot(exp_of_diff(diff, multiplier, left_shift),
                                           ACCUMULATION_INTEGER_BITS);
      }
    }

    /* tflite::GetReciprocal(sum, 12, &num_bits_over_unit) */
    headroom_plus_one = ts_clz32(sum_of_exps);
    num_bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one;
    shifted_scale = ts_one_over_one_plus_x_for_x_in_0_1(
        (int32_t)((headroom_plus_one >= 32 ? 0u : (sum_of_exps << headroom_plus_one)) -
                  0x80000000u));
    exponent = num_bits_over_unit + 31 - 8;
    if (exponent < 0 || exponent > 31) return TS_ERROR_ARGUMENT; /* TFLITE_CHECK */

    for (c = 0; c < row_size; ++c) {
      const int32_t diff = (int32_t)in[c] - max_in_row;
      if (diff >= diff_min) {
        const int32_t exp_in_0 = exp_of_diff(diff, multiplier, left_shift);
        const int32_t unsat = ts_rdbpot(ts_srdhm(shifted_scale, exp_in_0), exponent);
        out[c] = (int8_t)ts_clamp32(ts_wsub(unsat, 128), -128, 127);
      } else {
        out[c] = -128;
      }
    }
  }
  return TS_OK;
}
