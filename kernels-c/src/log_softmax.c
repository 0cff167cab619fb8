/*
 * LOG_SOFTMAX int8 (ops-elem). Mirrors reference_ops::LogSoftmax (LogSoftmaxQuantized, int8): per row,
 * the sum of exp(x - max) in Q12.19, its log (TFLite's log_x_for_x_greater_than_or_equal_to_1 in
 * Q5.26), then each output (x - max) - log(sum) in Q4 (scale 16/256, zero point 127).
 * Declaration: tinysense_nn.h.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

/* SaturatingRoundingMultiplyByPOTParam(x, exponent), 0 <= exponent <= 31. */
static int32_t srmbpot_param(int32_t x, int32_t exponent) {
  return exponent == 0 ? x : ts_srmbpot_left(x, exponent);
}

static int32_t saturating_add(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a + (int64_t)b;
  return s > TS_INT32_MAX ? TS_INT32_MAX : s < TS_INT32_MIN ? TS_INT32_MIN : (int32_t)s;
}

static int32_t saturating_sub(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a - (int64_t)b;
  return s > TS_INT32_MAX ? TS_INT32_MAX : s < TS_INT32_MIN ? TS_INT32_MIN : (int32_t)s;
}

/* log_x_for_x_greater_than_or_equal_to_1_impl<OutputIntegerBits = 5, InputIntegerBits = 12>:
 * raw Q12.19 in, raw Q5.26 out. The accumulator has 6 integer bits. */
static int32_t log_q12_to_q5(int32_t input) {
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
  const int32_t shifted_quarter = ts_rdbpot(536870912, 6); /* Rescale<6>(1/4) */
  const int32_t z_a = input;
  const int32_t z_a_headroom_plus_1 = ts_clz32((uint32_t)z_a);
  const int32_t r_a_tmp = srmbpot_param(z_a, z_a_headroom_plus_1 - 1);
  const int32_t r_a_raw = srmbpot_param(ts_srdhm(r_a_tmp, sqrt_half), 1);
  const int32_t z_a_pow_2_adj = saturating_add(srmbpot_param(12 - z_a_headroom_plus_1, 31 - 6), shifted_quarter);
  const int32_t z_b = ts_srdhm(z_a, sqrt_half);
  const int32_t z_b_headroom = ts_clz32((uint32_t)z_b) - 1;
  const int32_t r_b_raw = srmbpot_param(z_a, z_b_headroom);
  const int32_t z_b_pow_2_adj = saturating_sub(srmbpot_param(12 - z_b_headroom, 31 - 6), shifted_quarter);
  const int32_t r = ts_min32(r_a_raw, r_b_raw);
  const int32_t z_pow_2_adj = ts_max32(z_a_pow_2_adj, z_b_pow_2_adj);
  const int32_t p = ts_rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = ts_wsub(r, sqrt_sqrt_half);
  int32_t common_sq, num, denom_minus_one_0, recip_denom, num_scaled;
  q = ts_wadd(q, q);
  common_sq = ts_srdhm(q, q);
  num = ts_wadd(ts_srdhm(q, r), ts_srdhm(ts_srdhm(q, common_sq), alpha_n));
  denom_minus_one_0 = ts_wadd(ts_srdhm(p, ts_wadd(ts_wadd(alpha_i, q), ts_srdhm(alpha_d, common_sq))),
                              ts_srdhm(alpha_f, q));
  recip_denom = ts_one_over_one_plus_x_for_x_in_0_1(denom_minus_one_0);
  num_scaled = ts_rdbpot(num, 6);
  /* Rescale<5> of a Q6 value: saturating left shift by 1. */
  return ts_srmbpot_left(ts_wadd(ts_srdhm(z_pow_2_adj, log_2), ts_srdhm(num_scaled, recip_denom)), 1);
}

ts_status ts_log_softmax_s8(const ts_log_softmax_params *params, int32_t outer_size, int32_t depth,
                            const int8_t *input, int8_t *output) {
  int32_t outer, i;
  for (outer = 0; outer < outer_size; ++outer) {
    const int8_t *row = input + outer * depth;
    int8_t *out = output + outer * depth;
    int32_t max_in_row = -128, sum_of_exps = 0, log_sum, adjusted_diff_min;
    for (i = 0; i < depth; ++i) max_in_row = ts_max32(max_in_row, row[i]);
    for (i = 0; i < depth; ++i) {
      const int32_t diff = row[i] - max_in_row;
      if (diff >= params->diff_min) {
        const int32_t diff_q5 = ts_mbqm(diff, params->input_multiplier, params->input_left_shift);
        sum_of_exps = ts_wadd(sum_of_exps, ts_rdbpot(ts_exp_on_negative_values(diff_q5, 5), 12));
      }
    }
    log_sum = log_q12_to_q5(sum_of_exps);
    adjusted_diff_min = ts_max32(params->diff_min - 1,
                                 ts_mbqm(ts_wadd(log_sum, TS_INT32_MIN), params->reverse_scaling_divisor,
                                         -params->reverse_scaling_right_shift));
    for (i = 0; i < depth; ++i) {
      const int32_t diff = row[i] - max_in_row;
      if (diff > adjusted_diff_min) {
        const int32_t diff_q5 = ts_mbqm(diff, params->input_multiplier, params->input_left_shift);
        out[i] = (int8_t)ts_clamp32(ts_wadd(ts_rdbpot(ts_wsub(diff_q5, log_sum), 31 - 5 - 4), 127), -128, 127);
      } else {
        out[i] = -128;
      }
    }
  }
  return TS_OK;
}
