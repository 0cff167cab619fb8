/*
 * MEAN int8 over any set of axes. Mirrors
 * tflite::reference_ops::QuantizedMeanOrSum (compute_sum = false), the path
 * TFLM's MEAN takes for int8:
 *   sum    = sum of the input elements of one output element (int32, wraps)
 *   out    = MBQM(sum - input_zero_point * count, multiplier, shift)
 *            + output_zero_point, clamped to int8
 * where multiplier/shift already hold TFLM's folding of 1/count (done by the
 * compiler on the host). count == 0 writes zeros, as TFLM does.
 *
 * Output element j (row-major over outer.dims) reads the input elements at
 *   outer.start + inner.start + sum_d(o_d * outer.step[d]) + sum_d(r_d * inner.step[d])
 * for every index r of inner.dims.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "view_walk.h"

static uint32_t sum_view(const ts_view *v, const int8_t *base) {
  uint32_t sum = 0;
  TS_VIEW_WALK(int8_t, v, base, p, sum += (uint32_t)(int32_t)*p;);
  return sum;
}

ts_status ts_mean_s8(const ts_mean_params *params, const ts_view *outer,
                     const ts_view *inner, const int8_t *input, int8_t *output) {
  const int32_t count = params->count;
  const uint32_t zero_sum = (uint32_t)params->input_zero_point * (uint32_t)count;
  TS_VIEW_WALK(int8_t, outer, input + outer->start + inner->start, p, {
    int32_t value = 0;
    if (count != 0) {
      const int32_t shifted = (int32_t)(sum_view(inner, p) - zero_sum);
      value = ts_wadd(ts_mbqm(shifted, params->requant.multiplier, params->requant.shift),
                      params->output_zero_point);
      value = ts_clamp32(value, -128, 127);
    }
    *output++ = (int8_t)value;
  });
  return TS_OK;
}
