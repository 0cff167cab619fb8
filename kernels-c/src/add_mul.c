/*
 * ADD, SUB and MUL int8 with broadcasting. Mirror
 * tflite::reference_integer_ops::AddFunc (Add / BroadcastAdd6DSlow),
 * reference_ops::SubElementwise (Sub / BroadcastQuantSubSlow) and the
 * Mul / BroadcastMul6DSlow element function. The walk is over output_shape
 * in row-major order; input k's element lives at
 *   view_k.start + sum_d(i_d * view_k.step[d])
 * (step 0 along broadcast dimensions). The views' dims are not used here
 * (the validators require them equal to output_shape).
 *
 * Cortex-M4 (TS_DSP): ADD runs the same element function with the constants of
 * its three requantizations prepared once per op (ts_quant_pre, dsp.h), which
 * removes the per-element calls and branches of ts_mbqm (path add_row).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

static int8_t add_element(const ts_add_params *p, int32_t x, int32_t y) {
  const int32_t input1_val = ts_wadd(p->input1_offset, x);
  const int32_t input2_val = ts_wadd(p->input2_offset, y);
  const int32_t shifted1 = ts_wshl(input1_val, p->left_shift);
  const int32_t shifted2 = ts_wshl(input2_val, p->left_shift);
  /* MultiplyByQuantizedMultiplierSmallerThanOneExp == MBQM for shift <= 0 */
  const int32_t scaled1 = ts_mbqm(shifted1, p->input1.multiplier, p->input1.shift);
  const int32_t scaled2 = ts_mbqm(shifted2, p->input2.multiplier, p->input2.shift);
  const int32_t raw_sum = ts_wadd(scaled1, scaled2);
  const int32_t raw_output =
      ts_wadd(ts_mbqm(raw_sum, p->output.multiplier, p->output.shift), p->output_offset);
  return (int8_t)ts_clamp32(raw_output, p->activation.min, p->activation.max);
}

/* SUB: ADD's element function with the difference of the rescaled inputs. Not ADD with input 2's
 * multiplier negated: MBQM rounds halves upward, so MBQM(x, -m, s) != -MBQM(x, m, s) at ties. */
static int8_t sub_element(const ts_add_params *p, int32_t x, int32_t y) {
  const int32_t input1_val = ts_wadd(p->input1_offset, x);
  const int32_t input2_val = ts_wadd(p->input2_offset, y);
  const int32_t scaled1 = ts_mbqm(ts_wshl(input1_val, p->left_shift), p->input1.multiplier, p->input1.shift);
  const int32_t scaled2 = ts_mbqm(ts_wshl(input2_val, p->left_shift), p->input2.multiplier, p->input2.shift);
  const int32_t raw_output =
      ts_wadd(ts_mbqm(ts_wsub(scaled1, scaled2), p->output.multiplier, p->output.shift), p->output_offset);
  return (int8_t)ts_clamp32(raw_output, p->activation.min, p->activation.max);
}

static int8_t mul_element(const ts_mul_params *p, int32_t x, int32_t y) {
  const int32_t input1_val = ts_wadd(p->input1_offset, x);
  const int32_t input2_val = ts_wadd(p->input2_offset, y);
  const int32_t unclamped = ts_wadd(
      p->output_offset,
      ts_mbqm(ts_wmul(input1_val, input2_val), p->output.multiplier, p->output.shift));
  return (int8_t)ts_clamp32(unclamped, p->activation.min, p->activation.max);
}

#if TS_DSP
typedef struct {
  ts_quant_pre q1, q2, qo;
  int32_t input1_offset, input2_offset, left_shift, output_offset, act_min, act_max;
} ts_add_pre;

/* n elements of add_element, inputs at p1[i * st1] and p2[i * st2]. */
static __attribute__((noinline)) void ts_add_s8_row(const ts_add_pre *c, const int8_t *p1, int32_t st1,
                                                    const int8_t *p2, int32_t st2, int8_t *out, int32_t n) {
  int32_t i;
  TS_PATH("add_row");
  for (i = 0; i < n; ++i, p1 += st1, p2 += st2) {
    const int32_t shifted1 = ts_wshl(ts_wadd(c->input1_offset, *p1), c->left_shift);
    const int32_t shifted2 = ts_wshl(ts_wadd(c->input2_offset, *p2), c->left_shift);
    const int32_t raw_sum = ts_wadd(ts_quant_apply(&c->q1, (uint32_t)shifted1), ts_quant_apply(&c->q2, (uint32_t)shifted2));
    const int32_t raw_output = ts_wadd(ts_quant_apply(&c->qo, (uint32_t)raw_sum), c->output_offset);
    out[i] = (int8_t)ts_clamp32(raw_output, c->act_min, c->act_max);
  }
}
#endif

static void walk(int32_t op, const void *params, const ts_shape *shape,
                 const ts_view *v1, const int8_t *in1, const ts_view *v2,
                 const int8_t *in2, int8_t *out) {
  const int32_t *d = shape->dims;
  const int32_t *s1 = v1->step, *s2 = v2->step;
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
            const int8_t *p1 = in1 + a3 + i4 * s1[4];
            const int8_t *p2 = in2 + b3 + i4 * s2[4];
            const int32_t st1 = s1[5], st2 = s2[5], n = d[5];
            if (op == 0) {
              const ts_add_params *p = (const ts_add_params *)params;
              for (i5 = 0; i5 < n; ++i5) out[i5] = add_element(p, p1[i5 * st1], p2[i5 * st2]);
#if TS_DSP
            } else if (op == 2) {
              ts_add_s8_row((const ts_add_pre *)params, p1, st1, p2, st2, out, n);
#endif
            } else if (op == 3) {
              const ts_add_params *p = (const ts_add_params *)params;
              for (i5 = 0; i5 < n; ++i5) out[i5] = sub_element(p, p1[i5 * st1], p2[i5 * st2]);
            } else {
              const ts_mul_params *p = (const ts_mul_params *)params;
              for (i5 = 0; i5 < n; ++i5) out[i5] = mul_element(p, p1[i5 * st1], p2[i5 * st2]);
            }
            out += n;
          }
        }
      }
    }
  }
}

ts_status ts_add_s8(const ts_add_params *params, const ts_shape *output_shape,
                    const ts_view *input1_view, const int8_t *input1,
                    const ts_view *input2_view, const int8_t *input2,
                    int8_t *output) {
#if TS_DSP
  ts_add_pre c;
  ts_quant_prepare(&c.q1, params->input1.multiplier, params->input1.shift);
  ts_quant_prepare(&c.q2, params->input2.multiplier, params->input2.shift);
  ts_quant_prepare(&c.qo, params->output.multiplier, params->output.shift);
  c.input1_offset = params->input1_offset;
  c.input2_offset = params->input2_offset;
  c.left_shift = params->left_shift;
  c.output_offset = params->output_offset;
  c.act_min = params->activation.min;
  c.act_max = params->activation.max;
  walk(2, &c, output_shape, input1_view, input1, input2_view, input2, output);
#else
  walk(0, params, output_shape, input1_view, input1, input2_view, input2, output);
#endif
  return TS_OK;
}

ts_status ts_sub_s8(const ts_add_params *params, const ts_shape *output_shape,
                    const ts_view *input1_view, const int8_t *input1,
                    const ts_view *input2_view, const int8_t *input2,
                    int8_t *output) {
  walk(3, params, output_shape, input1_view, input1, input2_view, input2, output);
  return TS_OK;
}

ts_status ts_mul_s8(const ts_mul_params *params, const ts_shape *output_shape,
                    const ts_view *input1_view, const int8_t *input1,
                    const ts_view *input2_view, const int8_t *input2,
                    int8_t *output) {
  walk(1, params, output_shape, input1_view, input1, input2_view, input2, output);
  return TS_OK;
}
