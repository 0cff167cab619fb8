/*
 * ADD, SUB, MUL and LEAKY_RELU on int16 (TFLM's int16x8 scheme). TFLM runs int16 ADD and SUB
 * through the same element functions as int8 (reference_ops::AddElementwise /
 * BroadcastAdd6DSlow, SubElementwise / BroadcastQuantSubSlow: its micro kernels always take the
 * general-scale path, never Add's power-of-two int16 path) with a left shift of 15 instead of 20;
 * MUL is reference_integer_ops::MulElementwise / BroadcastMul6DSlow with T = int16_t, and
 * LEAKY_RELU reference_ops::QuantizeLeakyRelu<int16_t>. The parameters are the int8 records'.
 * The walk is add_mul.c's: over output_shape, input k at view_k.start + sum(i_d * view_k.step[d]).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

enum { KIND_ADD, KIND_SUB, KIND_MUL };

static int32_t add_sub_value(const ts_add_params *p, int32_t kind, int32_t x, int32_t y) {
  const int32_t scaled1 =
      ts_mbqm(ts_wshl(ts_wadd(p->input1_offset, x), p->left_shift), p->input1.multiplier, p->input1.shift);
  const int32_t scaled2 =
      ts_mbqm(ts_wshl(ts_wadd(p->input2_offset, y), p->left_shift), p->input2.multiplier, p->input2.shift);
  const int32_t raw = kind == KIND_ADD ? ts_wadd(scaled1, scaled2) : ts_wsub(scaled1, scaled2);
  return ts_wadd(ts_mbqm(raw, p->output.multiplier, p->output.shift), p->output_offset);
}

static int32_t mul_value(const ts_mul_params *p, int32_t x, int32_t y) {
  const int32_t product = ts_wmul(ts_wadd(p->input1_offset, x), ts_wadd(p->input2_offset, y));
  return ts_wadd(p->output_offset, ts_mbqm(product, p->output.multiplier, p->output.shift));
}

static void walk_s16(int32_t kind, const void *params, const ts_activation *act, const ts_shape *shape,
                     const ts_view *v1, const int16_t *in1, const ts_view *v2, const int16_t *in2,
                     int16_t *out) {
  const int32_t *d = shape->dims;
  const int32_t *s1 = v1->step, *s2 = v2->step;
  const int32_t lo = act->min, hi = act->max;
  int32_t i0, i1, i2, i3, i4, i5;
  for (i0 = 0; i0 < d[0]; ++i0) {
    const int32_t a0 = v1->start + i0 * s1[0], b0 = v2->start + i0 * s2[0];
    for (i1 = 0; i1 < d[1]; ++i1) {
      const int32_t a1 = a0 + i1 * s1[1], b1 = b0 + i1 * s2[1];
      for (i2 = 0; i2 < d[2]; ++i2) {
        const int32_t a2 = a1 + i2 * s1[2], b2 = b1 + i2 * s2[2];
        for (i3 = 0; i3 < d[3]; ++i3) {
          const int32_t a3 = a2 + i3 * s1[3], b3 = b2 + i3 * s2[3];
          for (i4 = 0; i4 < d[4]; ++i4) {
            const int16_t *p1 = in1 + a3 + i4 * s1[4];
            const int16_t *p2 = in2 + b3 + i4 * s2[4];
            const int32_t st1 = s1[5], st2 = s2[5], n = d[5];
            if (kind == KIND_MUL) {
              for (i5 = 0; i5 < n; ++i5)
                out[i5] = (int16_t)ts_clamp32(mul_value((const ts_mul_params *)params, p1[i5 * st1], p2[i5 * st2]), lo, hi);
            } else {
              for (i5 = 0; i5 < n; ++i5)
                out[i5] = (int16_t)ts_clamp32(
                    add_sub_value((const ts_add_params *)params, kind, p1[i5 * st1], p2[i5 * st2]), lo, hi);
            }
            out += n;
          }
        }
      }
    }
  }
}

ts_status ts_add_s16(const ts_add_params *params, const ts_shape *output_shape, const ts_view *input1_view,
                     const int16_t *input1, const ts_view *input2_view, const int16_t *input2, int16_t *output) {
  walk_s16(KIND_ADD, params, &params->activation, output_shape, input1_view, input1, input2_view, input2, output);
  return TS_OK;
}

ts_status ts_sub_s16(const ts_add_params *params, const ts_shape *output_shape, const ts_view *input1_view,
                     const int16_t *input1, const ts_view *input2_view, const int16_t *input2, int16_t *output) {
  walk_s16(KIND_SUB, params, &params->activation, output_shape, input1_view, input1, input2_view, input2, output);
  return TS_OK;
}

ts_status ts_mul_s16(const ts_mul_params *params, const ts_shape *output_shape, const ts_view *input1_view,
                     const int16_t *input1, const ts_view *input2_view, const int16_t *input2, int16_t *output) {
  walk_s16(KIND_MUL, params, &params->activation, output_shape, input1_view, input1, input2_view, input2, output);
  return TS_OK;
}

ts_status ts_leaky_relu_s16(const ts_leaky_relu_params *params, int32_t size, const int16_t *input,
                            int16_t *output) {
  const int32_t alpha_negative = params->alpha.multiplier < 0;
  const int32_t alpha_multiplier = alpha_negative ? ts_wneg(params->alpha.multiplier) : params->alpha.multiplier;
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t value = ts_wsub(input[i], params->input_zero_point);
    int32_t out = params->output_zero_point;
    if (value >= 0) {
      out = ts_wadd(out, ts_mbqm(value, params->identity.multiplier, params->identity.shift));
    } else {
      const int32_t scaled = ts_mbqm(value, alpha_multiplier, params->alpha.shift);
      out = ts_wadd(out, alpha_negative ? ts_wneg(scaled) : scaled);
    }
    output[i] = (int16_t)ts_clamp32(out, -32768, 32767);
  }
  return TS_OK;
}
