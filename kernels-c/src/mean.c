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

static uint32_t sum_view(const ts_view *v, const int8_t *base) {
  const int32_t *d = v->dims, *s = v->step;
  uint32_t sum = 0;
  int32_t i0, i1, i2, i3, i4, i5;
  for (i0 = 0; i0 < d[0]; ++i0) {
    const int8_t *p0 = base + i0 * s[0];
    for (i1 = 0; i1 < d[1]; ++i1) {
      const int8_t *p1 = p0 + i1 * s[1];
      for (i2 = 0; i2 < d[2]; ++i2) {
        const int8_t *p2 = p1 + i2 * s[2];
        for (i3 = 0; i3 < d[3]; ++i3) {
          const int8_t *p3 = p2 + i3 * s[3];
          for (i4 = 0; i4 < d[4]; ++i4) {
            const int8_t *p4 = p3 + i4 * s[4];
            for (i5 = 0; i5 < d[5]; ++i5) sum += (uint32_t)(int32_t)p4[i5 * s[5]];
          }
        }
      }
    }
  }
  return sum;
}

ts_status ts_mean_s8(const ts_mean_params *params, const ts_view *outer,
                     const ts_view *inner, const int8_t *input, int8_t *output) {
  const int32_t *d = outer->dims, *s = outer->step;
  const int32_t count = params->count;
  const uint32_t zero_sum = (uint32_t)params->input_zero_point * (uint32_t)count;
  const int8_t *base = input + outer->start + inner->start;
  int32_t i0, i1, i2, i3, i4, i5;
  for (i0 = 0; i0 < d[0]; ++i0) {
    const int8_t *p0 = base + i0 * s[0];
    for (i1 = 0; i1 < d[1]; ++i1) {
      const int8_t *p1 = p0 + i1 * s[1];
      for (i2 = 0; i2 < d[2]; ++i2) {
        const int8_t *p2 = p1 + i2 * s[2];
        for (i3 = 0; i3 < d[3]; ++i3) {
          const int8_t *p3 = p2 + i3 * s[3];
          for (i4 = 0; i4 < d[4]; ++i4) {
            const int8_t *p4 = p3 + i4 * s[4];
            for (i5 = 0; i5 < d[5]; ++i5) {
              int32_t value = 0;
              if (count != 0) {
                const int32_t shifted = (int32_t)(sum_view(inner, p4 + i5 * s[5]) - zero_sum);
                value = ts_wadd(ts_mbqm(shifted, params->requant.multiplier, params->requant.shift),
                                params->output_zero_point);
                value = ts_clamp32(value, -128, 127);
              }
              *output++ = (int8_t)value;
            }
          }
        }
      }
    }
  }
  return TS_OK;
}
