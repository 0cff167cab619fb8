/*
 * QUANTIZE and DEQUANTIZE between the element types TFLM's quantize.cc / dequantize.cc allow
 * beyond int8 <-> int8 / float32 (requantize.c has those):
 *  - ts_requantize_any: reference_ops::Requantize<input_type, output_type> for int8, uint8,
 *    int16, int32 in and out (the pairs TFLM allows are chosen by the compiler): input minus its
 *    zero point, MultiplyByQuantizedMultiplier, plus the output zero point, clamped to the output
 *    type. Requantize's int8 <-> uint8 "xor 0x80" fast path gives the same bytes.
 *  - ts_dequantize_f32: reference_ops::Dequantize from int8, uint8 or int16: the exact product
 *    (scale is a double there; |value| <= 2^16 and 24-bit scale fit a double exactly) rounded once
 *    to float32, which is what one float32 multiply gives.
 *  - ts_quantize_f32_s16: reference_ops::AffineQuantize float32 -> int16.
 * Element type codes are the pack's tensor-table codes (pack.ts DTYPE): 1 int8, 2 int16,
 * 3 int32, 5 uint8.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

static int32_t load(int32_t type, const void *p, int32_t i) {
  switch (type) {
    case 1: return ((const int8_t *)p)[i];
    case 2: return ((const int16_t *)p)[i];
    case 3: return ((const int32_t *)p)[i];
    default: return ((const uint8_t *)p)[i];
  }
}

ts_status ts_requantize_any(const ts_convert_params *params, int32_t size, const void *input, void *output) {
  const int32_t from = params->from_type, to = params->to_type;
  const int32_t lo = to == 1 ? -128 : to == 2 ? -32768 : to == 5 ? 0 : TS_INT32_MIN;
  const int32_t hi = to == 1 ? 127 : to == 2 ? 32767 : to == 5 ? 255 : TS_INT32_MAX;
  int32_t i;
  if (!(from == 1 || from == 2 || from == 3 || from == 5) || !(to == 1 || to == 2 || to == 3 || to == 5))
    return TS_ERROR_ARGUMENT;
  for (i = 0; i < size; ++i) {
    const int32_t value = ts_clamp32(
        ts_wadd(ts_mbqm(ts_wsub(load(from, input, i), params->input_zero_point), params->requant.multiplier,
                        params->requant.shift),
                params->output_zero_point),
        lo, hi);
    switch (to) {
      case 1: ((int8_t *)output)[i] = (int8_t)value; break;
      case 2: ((int16_t *)output)[i] = (int16_t)value; break;
      case 3: ((int32_t *)output)[i] = value; break;
      default: ((uint8_t *)output)[i] = (uint8_t)value; break;
    }
  }
  return TS_OK;
}

ts_status ts_dequantize_f32(int32_t type, const ts_affine_params *params, int32_t size, const void *input,
                            float *output) {
  int32_t i;
  if (!(type == 1 || type == 2 || type == 5)) return TS_ERROR_ARGUMENT;
  for (i = 0; i < size; ++i) output[i] = (float)ts_wsub(load(type, input, i), params->zero_point) * params->scale;
  return TS_OK;
}

/* static_cast<int32_t>(TfLiteRound(x)) as x86-64 gives it (requantize.c's round_to_int32). */
static int32_t round_f32(float x) {
  int32_t i;
  float frac;
  if (!(x > -2147483648.0f && x < 2147483648.0f)) return TS_INT32_MIN;
  i = (int32_t)x;
  frac = x - (float)i;
  if (frac >= 0.5f) i++;
  else if (frac <= -0.5f) i--;
  return i;
}

ts_status ts_quantize_f32_s16(const ts_affine_params *params, int32_t size, const float *input, int16_t *output) {
  int32_t i;
  for (i = 0; i < size; ++i)
    output[i] = (int16_t)ts_clamp32(ts_wadd(round_f32(input[i] / params->scale), params->zero_point), -32768, 32767);
  return TS_OK;
}
