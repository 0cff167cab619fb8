/*
 * LOGISTIC and TANH int8. Mirror tflite::reference_integer_ops::Logistic and
 * Tanh (int8): inputs at or beyond +-input_range_radius saturate; the others
 * are scaled to Q4.27 with MultiplyByQuantizedMultiplier(input_multiplier,
 * input_left_shift), go through gemmlowp::logistic / gemmlowp::tanh, and are
 * rounded to the output: LOGISTIC scale 1/256, zero point -128; TANH scale
 * 1/128, zero point 0 (TFLM assumes these output quantizations).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

ts_status ts_logistic_s8(const ts_sigmoid_params *params, int32_t size,
                         const int8_t *input, int8_t *output) {
  const int32_t zero_point = params->input_zero_point;
  const int32_t radius = params->input_range_radius;
  const int32_t multiplier = params->input_multiplier;
  const int32_t shift = params->input_left_shift;
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t in = ts_wsub(input[i], zero_point);
    if (in <= ts_wneg(radius)) {
      output[i] = -128;
    } else if (in >= radius) {
      output[i] = 127;
    } else {
      const int32_t in_q4 = ts_mbqm(in, multiplier, shift);
      const int32_t out_q0 = ts_logistic_q4(in_q4);
      const int32_t out_q23 = ts_rdbpot(out_q0, 31 - 8);
      output[i] = (int8_t)ts_clamp32(ts_wsub(out_q23, 128), -128, 127);
    }
  }
  return TS_OK;
}

ts_status ts_tanh_s8(const ts_sigmoid_params *params, int32_t size,
                     const int8_t *input, int8_t *output) {
  const int32_t zero_point = params->input_zero_point;
  const int32_t radius = params->input_range_radius;
  const int32_t multiplier = params->input_multiplier;
  const int32_t shift = params->input_left_shift;
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t in = ts_wsub(input[i], zero_point);
    if (in <= ts_wneg(radius)) {
      output[i] = -128;
    } else if (in >= radius) {
      output[i] = 127;
    } else {
      const int32_t in_q4 = ts_mbqm(in, multiplier, shift);
      const int32_t out_q0 = ts_tanh_q4(in_q4);
      const int32_t out_q24 = ts_rdbpot(out_q0, 31 - 7);
      output[i] = (int8_t)ts_clamp32(out_q24, -128, 127);
    }
  }
  return TS_OK;
}
