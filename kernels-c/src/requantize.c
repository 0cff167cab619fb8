/*
 * Element-wise requantization family, int8:
 *  - ts_requantize_s8: RELU (TFLM ReluQuantized), QUANTIZE int8 -> int8
 *    (reference_ops::Requantize), and pure clamps such as TFLM's int8 RELU6
 *    (Relu6Quantized) expressed with the identity multiplier (1 << 30, shift 1),
 *    which MultiplyByQuantizedMultiplier maps to x exactly.
 *  - ts_leaky_relu_s8: reference_ops::QuantizeLeakyRelu.
 *  - ts_dequantize_s8_f32 / ts_quantize_f32_s8: DEQUANTIZE and QUANTIZE
 *    float32 <-> int8 (reference_ops::Dequantize / AffineQuantize). The only
 *    floating point in the kernels, float32 only.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

int32_t ts_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier,
                                            int32_t shift) {
  return ts_mbqm(x, multiplier, shift);
}

ts_status ts_requantize_s8(const ts_requantize_params *params, int32_t size,
                           const int8_t *input, int8_t *output) {
  const int32_t input_zero_point = params->input_zero_point;
  const int32_t output_offset = params->output_offset;
  const int32_t multiplier = params->requant.multiplier;
  const int32_t shift = params->requant.shift;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t i;
  if (multiplier == (1 << 30) && shift == 1 && input_zero_point == output_offset) {
    /* Identity requantization: a pure clamp (same result, faster). */
    for (i = 0; i < size; ++i) output[i] = (int8_t)ts_clamp32(input[i], act_min, act_max);
    return TS_OK;
  }
  for (i = 0; i < size; ++i) {
    const int32_t value = ts_wadd(
        output_offset, ts_mbqm(ts_wsub(input[i], input_zero_point), multiplier, shift));
    output[i] = (int8_t)ts_clamp32(value, act_min, act_max);
  }
  return TS_OK;
}

ts_status ts_leaky_relu_s8(const ts_leaky_relu_params *params, int32_t size,
                           const int8_t *input, int8_t *output) {
  const int32_t input_zero_point = params->input_zero_point;
  const int32_t output_zero_point = params->output_zero_point;
  const int32_t identity_multiplier = params->identity.multiplier;
  const int32_t identity_shift = params->identity.shift;
  /* As TFLM: a negative alpha multiplier is applied as -(x * |alpha|). */
  const int32_t alpha_negative = params->alpha.multiplier < 0;
  const int32_t alpha_multiplier =
      alpha_negative ? ts_wneg(params->alpha.multiplier) : params->alpha.multiplier;
  const int32_t alpha_shift = params->alpha.shift;
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t value = ts_wsub(input[i], input_zero_point);
    int32_t out = output_zero_point;
    if (value >= 0) {
      out = ts_wadd(out, ts_mbqm(value, identity_multiplier, identity_shift));
    } else {
      const int32_t scaled = ts_mbqm(value, alpha_multiplier, alpha_shift);
      out = ts_wadd(out, alpha_negative ? ts_wneg(scaled) : scaled);
    }
    output[i] = (int8_t)ts_clamp32(out, -128, 127);
  }
  return TS_OK;
}

ts_status ts_dequantize_s8_f32(const ts_affine_params *params, int32_t size,
                               const int8_t *input, float *output) {
  const int32_t zero_point = params->zero_point;
  const float scale = params->scale;
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t value = ts_wsub(input[i], zero_point);
    output[i] = (float)value * scale;
  }
  return TS_OK;
}

/* static_cast<int32_t>(roundf(x)) as x86-64 does it: round half away from
 * zero; NaN and values outside the int32 range give INT32_MIN (cvttss2si). */
static int32_t round_to_int32(float x) {
  int32_t i;
  float frac;
  if (!(x > -2147483648.0f && x < 2147483648.0f)) return TS_INT32_MIN;
  i = (int32_t)x; /* truncates; exact for |x| >= 2^23 */
  frac = x - (float)i;
  if (frac >= 0.5f) i++;
  else if (frac <= -0.5f) i--;
  return i;
}

ts_status ts_quantize_f32_s8(const ts_affine_params *params, int32_t size,
                             const float *input, int8_t *output) {
  const int32_t zero_point = params->zero_point;
  const float scale = params->scale;
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t unclamped = ts_wadd(round_to_int32(input[i] / scale), zero_point);
    output[i] = (int8_t)ts_clamp32(unclamped, -128, 127);
  }
  return TS_OK;
}
