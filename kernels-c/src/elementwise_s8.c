/*
 * int8 element-wise ops (ops-elem): SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, PRELU, the six
 * comparisons (bool output), the table lookup (HARD_SWISH, ABS, RSQRT), SELECT_V2 and L2_NORMALIZATION.
 * Declarations and what each mirrors: tinysense_nn.h.
 *
 * The broadcast walk is the one of add_mul.c: output_shape in row-major order; input k's
 * element lives at view_k.start + sum_d(i_d * view_k.step[d]) (step 0 along broadcast
 * dimensions). TFLM's broadcast loops visit the same (output, input1, input2) triples, and
 * every element function here is pure, so the order does not matter.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

/* MultiplyByQuantizedMultiplierSmallerThanOneExp(x << left_shift): the comparisons' and
 * squared difference's input rescaling (ts_mbqm is that function for shift <= 0). */
static int32_t rescale(int32_t offset, int32_t x, int32_t left_shift, const ts_requant *q) {
  return ts_mbqm(ts_wshl(ts_wadd(offset, x), left_shift), q->multiplier, q->shift);
}

static uint8_t binary_element(int32_t kind, const ts_add_params *p, int32_t x, int32_t y) {
  switch (kind) {
    case TS_BINARY_SQUARED_DIFFERENCE: {
      const int32_t diff = ts_wsub(rescale(p->input1_offset, x, p->left_shift, &p->input1),
                                   rescale(p->input2_offset, y, p->left_shift, &p->input2));
      const int32_t raw = ts_wadd(ts_mbqm(ts_wmul(diff, diff), p->output.multiplier, p->output.shift),
                                  p->output_offset);
      return (uint8_t)(int8_t)ts_clamp32(raw, p->activation.min, p->activation.max);
    }
    case TS_BINARY_MAXIMUM:
      return (uint8_t)(int8_t)(x > y ? x : y);
    case TS_BINARY_MINIMUM:
      return (uint8_t)(int8_t)(x < y ? x : y);
    case TS_BINARY_PRELU: {
      const int32_t input_value = ts_wadd(p->input1_offset, x);
      int32_t out;
      if (input_value >= 0) {
        out = ts_mbqm(input_value, p->input1.multiplier, p->input1.shift);
      } else {
        const int32_t alpha_value = ts_wadd(p->input2_offset, y);
        out = ts_mbqm(ts_wmul(input_value, alpha_value), p->input2.multiplier, p->input2.shift);
      }
      return (uint8_t)(int8_t)ts_clamp32(ts_wadd(out, p->output_offset), -128, 127);
    }
    default: {
      const int32_t a = rescale(p->input1_offset, x, p->left_shift, &p->input1);
      const int32_t b = rescale(p->input2_offset, y, p->left_shift, &p->input2);
      switch (kind) {
        case TS_BINARY_EQUAL: return a == b;
        case TS_BINARY_NOT_EQUAL: return a != b;
        case TS_BINARY_LESS: return a < b;
        case TS_BINARY_LESS_EQUAL: return a <= b;
        case TS_BINARY_GREATER: return a > b;
        default: return a >= b;
      }
    }
  }
}

ts_status ts_binary_s8(int32_t kind, const ts_add_params *params,
                       const ts_shape *output_shape, const ts_view *input1_view,
                       const int8_t *input1, const ts_view *input2_view,
                       const int8_t *input2, uint8_t *output) {
  const int32_t *d = output_shape->dims;
  const int32_t *s1 = input1_view->step, *s2 = input2_view->step;
  int32_t i0, i1, i2, i3, i4, i5;
  if (kind < TS_BINARY_SQUARED_DIFFERENCE || kind > TS_BINARY_GREATER_EQUAL) return TS_ERROR_ARGUMENT;
  for (i0 = 0; i0 < d[0]; ++i0) {
    const int32_t a0 = input1_view->start + i0 * s1[0], b0 = input2_view->start + i0 * s2[0];
    for (i1 = 0; i1 < d[1]; ++i1) {
      const int32_t a1 = a0 + i1 * s1[1], b1 = b0 + i1 * s2[1];
      for (i2 = 0; i2 < d[2]; ++i2) {
        const int32_t a2 = a1 + i2 * s1[2], b2 = b1 + i2 * s2[2];
        for (i3 = 0; i3 < d[3]; ++i3) {
          const int32_t a3 = a2 + i3 * s1[3], b3 = b2 + i3 * s2[3];
          for (i4 = 0; i4 < d[4]; ++i4) {
            const int8_t *p1 = input1 + a3 + i4 * s1[4];
            const int8_t *p2 = input2 + b3 + i4 * s2[4];
            for (i5 = 0; i5 < d[5]; ++i5) output[i5] = binary_element(kind, params, p1[i5 * s1[5]], p2[i5 * s2[5]]);
            output += d[5];
          }
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_table_s8(const int8_t *table, int32_t min_input, int32_t size, const int8_t *input,
                      int8_t *output) {
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t x = input[i];
    if (x < min_input) return TS_ERROR_ARGUMENT;
    output[i] = table[x + 128];
  }
  return TS_OK;
}

ts_status ts_select_s8(const ts_shape *output_shape, const ts_view *condition_view,
                       const uint8_t *condition, const ts_view *x_view, const int8_t *x,
                       const ts_view *y_view, const int8_t *y, int8_t *output) {
  const int32_t *d = output_shape->dims;
  const int32_t *sc = condition_view->step, *s1 = x_view->step, *s2 = y_view->step;
  int32_t i0, i1, i2, i3, i4, i5;
  for (i0 = 0; i0 < d[0]; ++i0) {
    const int32_t c0 = condition_view->start + i0 * sc[0];
    const int32_t a0 = x_view->start + i0 * s1[0], b0 = y_view->start + i0 * s2[0];
    for (i1 = 0; i1 < d[1]; ++i1) {
      const int32_t c1 = c0 + i1 * sc[1], a1 = a0 + i1 * s1[1], b1 = b0 + i1 * s2[1];
      for (i2 = 0; i2 < d[2]; ++i2) {
        const int32_t c2 = c1 + i2 * sc[2], a2 = a1 + i2 * s1[2], b2 = b1 + i2 * s2[2];
        for (i3 = 0; i3 < d[3]; ++i3) {
          const int32_t c3 = c2 + i3 * sc[3], a3 = a2 + i3 * s1[3], b3 = b2 + i3 * s2[3];
          for (i4 = 0; i4 < d[4]; ++i4) {
            const uint8_t *pc = condition + c3 + i4 * sc[4];
            const int8_t *p1 = x + a3 + i4 * s1[4];
            const int8_t *p2 = y + b3 + i4 * s2[4];
            for (i5 = 0; i5 < d[5]; ++i5) output[i5] = pc[i5 * sc[5]] ? p1[i5 * s1[5]] : p2[i5 * s2[5]];
            output += d[5];
          }
        }
      }
    }
  }
  return TS_OK;
}

/* CountLeadingZeros(uint32) (32 for 0), without a builtin. */
static int32_t clz32(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

/* GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1): 1/sqrt(input) as a multiplier and a
 * left shift, by five Newton-Raphson steps in gemmlowp's FixedPoint<int32, 3> (a product of Fa and
 * Fb is Fa+b; Rescale<3> from Fk is SaturatingRoundingMultiplyByPOT<k - 3>). */
static void inv_sqrt_multiplier(int32_t input, int32_t *multiplier, int32_t *shift) {
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t right_shift = 11, pairs, half_input, x, i;
  if (input <= 1) {
    *multiplier = TS_INT32_MAX;
    *shift = 0;
    return;
  }
  while (input >= (1 << 29)) {
    input /= 4;
    ++right_shift;
  }
  pairs = (clz32((uint32_t)input) - 1) / 2 - 1;
  right_shift -= pairs;
  input = ts_wshl(input, 2 * pairs);
  half_input = ts_rdbpot(input >> 1, 1);
  x = 1 << 28; /* F3 one */
  for (i = 0; i < 5; ++i) {
    const int32_t x3 = ts_srmbpot_left(ts_srdhm(ts_srdhm(x, x), x), 6);
    x = ts_srmbpot_left(ts_wsub(ts_srdhm(half_three, x), ts_srdhm(half_input, x3)), 3);
  }
  x = ts_srdhm(x, 1518500250); /* x sqrt(2)/2 */
  if (right_shift < 0) {
    x = ts_wshl(x, -right_shift);
    right_shift = 0;
  }
  *multiplier = x;
  *shift = -right_shift;
}

ts_status ts_l2_normalization_s8(int32_t input_zero_point, int32_t outer_size, int32_t depth,
                                 const int8_t *input, int8_t *output) {
  int32_t outer, inner;
  for (outer = 0; outer < outer_size; ++outer) {
    const int8_t *row = input + outer * depth;
    int8_t *out = output + outer * depth;
    int32_t acc = 0, multiplier, shift;
    for (inner = 0; inner < depth; ++inner) {
      const int32_t v = row[inner] - input_zero_point;
      acc = ts_wadd(acc, v * v);
    }
    inv_sqrt_multiplier(acc, &multiplier, &shift);
    for (inner = 0; inner < depth; ++inner) {
      out[inner] = (int8_t)ts_clamp32(ts_mbqm(row[inner] - input_zero_point, multiplier, shift + 7), -128, 127);
    }
  }
  return TS_OK;
}
