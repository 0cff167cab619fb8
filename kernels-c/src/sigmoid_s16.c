/*
 * LOGISTIC and TANH int16. Mirror tflite::reference_integer_ops::Logistic and
 * Tanh (int16): each input is scaled by (x * input_multiplier + round) >>
 * input_left_shift to the table's input format and interpolated in TFLM's
 * sigmoid table (sigmoid_s16.h); the output is Q0.15 (TFLM requires output
 * scale 2^-15, zero points 0). The power-of-two input scales TFLM special-cases
 * (multiplier 0 in its op data) arrive here already resolved by the compiler:
 * multiplier 3 << shift, shift 0. The record's rules bound the multiplier to
 * [1, 32767] and the shift to [0, 31], so x * multiplier + round fits in int32.
 */
#include "tinysense_nn.h"
#include "sigmoid_s16.h"

static int32_t scale_input(int32_t x, int32_t multiplier, int32_t shift, int32_t round) {
  return (x * multiplier + round) >> shift;
}

ts_status ts_logistic_s16(const ts_sigmoid_params *params, int32_t size,
                          const int16_t *input, int16_t *output) {
  const int32_t multiplier = params->input_multiplier;
  const int32_t shift = params->input_left_shift;
  const int32_t round = shift > 0 ? (int32_t)(1u << (shift - 1)) : 0;
  int32_t i;
  for (i = 0; i < size; ++i) {
    output[i] = (int16_t)ts_logistic16_scaled(scale_input(input[i], multiplier, shift, round));
  }
  return TS_OK;
}

ts_status ts_tanh_s16(const ts_sigmoid_params *params, int32_t size,
                      const int16_t *input, int16_t *output) {
  const int32_t multiplier = params->input_multiplier;
  const int32_t shift = params->input_left_shift;
  const int32_t round = shift > 0 ? (int32_t)(1u << (shift - 1)) : 0;
  int32_t i;
  for (i = 0; i < size; ++i) {
    output[i] = (int16_t)ts_tanh16_scaled(scale_input(input[i], multiplier, shift, round));
  }
  return TS_OK;
}
