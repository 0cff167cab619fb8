/*
 * ops-reduce kernels: REDUCE_MAX / REDUCE_MIN, ARG_MAX / ARG_MIN (int8),
 * TRANSPOSE_CONV (int8 and int16x8), SVDF (int8 full integer) and
 * BATCH_MATMUL (int8). Each mirrors the TFLM reference kernel named beside its
 * declaration in tinysense_nn.h; records are validated before any call.
 *
 * No 64-bit shifts by a variable amount (they would call libgcc on
 * Cortex-M): the int64 requantization of TRANSPOSE_CONV int16 shifts in two
 * 32-bit halves.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "view_walk.h"

/* ------------------------------------------------------------------------ */
/* REDUCE_MAX, REDUCE_MIN, ARG_MAX, ARG_MIN                                  */
/* ------------------------------------------------------------------------ */

/* Walks the inner view from base: the extreme value and the row-major index
 * of its first occurrence. Strict comparisons keep the first, as TFLM's
 * reducers (in < current) and ArgMinMax (std::greater / std::less) do. */
static int32_t extreme_view(int32_t is_max, const ts_view *v, const int8_t *base, int32_t *at) {
  int32_t best = is_max ? -129 : 128, index = 0, best_index = 0;
  TS_VIEW_WALK(int8_t, v, base, p, {
    const int32_t x = *p;
    if (is_max ? x > best : x < best) {
      best = x;
      best_index = index;
    }
    ++index;
  });
  *at = best_index;
  return best;
}

/* Calls extreme_view for every outer position; writes values (1 byte) or
 * indices (int32). */
static ts_status reduce_walk(int32_t is_max, int32_t indices, const ts_view *outer, const ts_view *inner,
                             const int8_t *input, void *output) {
  int8_t *values = (int8_t *)output;
  int32_t *where = (int32_t *)output;
  TS_VIEW_WALK(int8_t, outer, input + outer->start + inner->start, p, {
    int32_t at;
    const int32_t value = extreme_view(is_max, inner, p, &at);
    if (indices) {
      *where++ = at;
    } else {
      *values++ = (int8_t)value;
    }
  });
  return TS_OK;
}

ts_status ts_reduce_minmax_s8(int32_t is_max, const ts_view *outer, const ts_view *inner,
                              const int8_t *input, int8_t *output) {
  return reduce_walk(is_max, 0, outer, inner, input, output);
}

ts_status ts_arg_minmax_s8(int32_t is_max, const ts_view *outer, const ts_view *inner,
                           const int8_t *input, int32_t *output) {
  return reduce_walk(is_max, 1, outer, inner, input, output);
}

/* ------------------------------------------------------------------------ */
/* TRANSPOSE_CONV                                                            */
/* ------------------------------------------------------------------------ */

/* Input i reaches output o through filter tap f when i * stride - pad + f == o:
 * the taps of one output are f = (o + pad) % stride, then every stride-th;
 * their inputs (o + pad - f) / stride fall by one per tap (exact divisions). */
static int32_t first_tap(int32_t o, int32_t pad, int32_t stride) {
  return (o + pad) % stride;
}

ts_status ts_transpose_conv_s8(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                               const ts_dims *input_dims, const int8_t *input,
                               const ts_dims *filter_dims, const int8_t *filter,
                               const int32_t *bias, const ts_dims *output_dims, int8_t *output) {
  const int32_t batches = output_dims->n, out_h = output_dims->h, out_w = output_dims->w;
  const int32_t channels = output_dims->c, in_h = input_dims->h, in_w = input_dims->w;
  const int32_t depth = input_dims->c, f_h = filter_dims->h, f_w = filter_dims->w;
  const int32_t sh = params->stride.h, sw = params->stride.w;
  const int32_t ph = params->padding.h, pw = params->padding.w;
  int32_t b, oy, ox, oc;
  for (b = 0; b < batches; ++b) {
    for (oy = 0; oy < out_h; ++oy) {
      for (ox = 0; ox < out_w; ++ox) {
        for (oc = 0; oc < channels; ++oc) {
          uint32_t acc = 0; /* int32 sums that wrap, as the scratch buffer's */
          int32_t fy, fx, c, value;
          for (fy = first_tap(oy, ph, sh); fy < f_h; fy += sh) {
            const int32_t iy = (oy + ph - fy) / sh;
            if (iy < 0) break;
            if (iy >= in_h) continue;
            for (fx = first_tap(ox, pw, sw); fx < f_w; fx += sw) {
              const int32_t ix = (ox + pw - fx) / sw;
              const int8_t *in, *w;
              if (ix < 0) break;
              if (ix >= in_w) continue;
              in = input + ((b * in_h + iy) * in_w + ix) * depth;
              w = filter + ((oc * f_h + fy) * f_w + fx) * depth;
              for (c = 0; c < depth; ++c) {
                acc += (uint32_t)(((int32_t)in[c] + params->input_offset) * (int32_t)w[c]);
              }
            }
          }
          if (bias) acc += (uint32_t)bias[oc];
          value = ts_mbqm((int32_t)acc, quant->multiplier[oc], quant->shift[oc]);
          value = ts_wadd(value, params->output_offset);
          *output++ = (int8_t)ts_clamp32(value, params->activation.min, params->activation.max);
        }
      }
    }
  }
  return TS_OK;
}

/* Arithmetic right shift of an int64 by n (1..63), low 32 bits of the result,
 * without a libgcc call. */
static int32_t sar64_low(int64_t x, int32_t n) {
  const uint32_t lo = (uint32_t)(uint64_t)x;
  const int32_t hi = (int32_t)(x >> 32);
  if (n >= 32) return hi >> (n - 32);
  return (int32_t)((lo >> n) | ((uint32_t)hi << (32 - n)));
}

/* TFLite's MultiplyByQuantizedMultiplier(int64_t x, int32_t multiplier, int
 * shift) (common.cc, double rounding off): the multiplier reduced to 16 bits
 * with rounding, one rounding shift by 15 - shift. */
static int32_t mbqm64(int64_t x, int32_t multiplier, int32_t shift) {
  const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total = 15 - shift; /* 8..46 for shifts -31..7 */
  /* 1 << (total - 1) as an int64 without a variable 64-bit shift */
  const int64_t round = total - 1 >= 32 ? (int64_t)((uint64_t)(1u << (total - 33)) << 32)
                                        : (int64_t)(1u << (total - 1));
  return sar64_low(x * (int64_t)reduced + round, total);
}

ts_status ts_transpose_conv_s16(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                                const ts_dims *input_dims, const int16_t *input,
                                const ts_dims *filter_dims, const int8_t *filter,
                                const int64_t *bias, const ts_dims *output_dims, int16_t *output) {
  const int32_t batches = output_dims->n, out_h = output_dims->h, out_w = output_dims->w;
  const int32_t channels = output_dims->c, in_h = input_dims->h, in_w = input_dims->w;
  const int32_t depth = input_dims->c, f_h = filter_dims->h, f_w = filter_dims->w;
  const int32_t sh = params->stride.h, sw = params->stride.w;
  const int32_t ph = params->padding.h, pw = params->padding.w;
  const uint32_t *bias_words = (const uint32_t *)(const void *)bias; /* 4-aligned in the pack */
  int32_t b, oy, ox, oc;
  for (b = 0; b < batches; ++b) {
    for (oy = 0; oy < out_h; ++oy) {
      for (ox = 0; ox < out_w; ++ox) {
        for (oc = 0; oc < channels; ++oc) {
          int64_t acc = 0;
          int32_t fy, fx, c, value;
          for (fy = first_tap(oy, ph, sh); fy < f_h; fy += sh) {
            const int32_t iy = (oy + ph - fy) / sh;
            if (iy < 0) break;
            if (iy >= in_h) continue;
            for (fx = first_tap(ox, pw, sw); fx < f_w; fx += sw) {
              const int32_t ix = (ox + pw - fx) / sw;
              const int16_t *in;
              const int8_t *w;
              if (ix < 0) break;
              if (ix >= in_w) continue;
              in = input + ((b * in_h + iy) * in_w + ix) * depth;
              w = filter + ((oc * f_h + fy) * f_w + fx) * depth;
              for (c = 0; c < depth; ++c) acc += (int32_t)in[c] * (int32_t)w[c];
            }
          }
          if (bias) {
            acc += (int64_t)(((uint64_t)bias_words[2 * oc + 1] << 32) | bias_words[2 * oc]);
          }
          value = mbqm64(acc, quant->multiplier[oc], quant->shift[oc]);
          *output++ = (int16_t)ts_clamp32(value, params->activation.min, params->activation.max);
        }
      }
    }
  }
  return TS_OK;
}

/* ------------------------------------------------------------------------ */
/* SVDF                                                                      */
/* ------------------------------------------------------------------------ */

static int32_t state_get(const void *state, int32_t bytes, int32_t i, int32_t reset) {
  const int32_t stored = bytes == 1 ? ((const int8_t *)state)[i] : ((const int16_t *)state)[i];
  /* stored = value - reset, wrapped to the element type */
  return bytes == 1 ? (int32_t)(int8_t)(stored + reset) : (int32_t)(int16_t)(stored + reset);
}

static void state_set(void *state, int32_t bytes, int32_t i, int32_t value, int32_t reset) {
  if (bytes == 1) {
    ((int8_t *)state)[i] = (int8_t)(uint8_t)(uint32_t)(value - reset);
  } else {
    ((int16_t *)state)[i] = (int16_t)(uint16_t)(uint32_t)(value - reset);
  }
}

ts_status ts_svdf_s8(const ts_svdf_params *params, const int8_t *input, const int8_t *weights_feature,
                     const void *weights_time, const int32_t *bias, void *state, int8_t *output) {
  const int32_t batches = params->batches, n_input = params->input_size, filters = params->filters;
  const int32_t rank = params->rank, memory = params->memory, bytes = params->state_bytes;
  const int32_t units = filters / rank, reset = params->state_reset, zp = params->state_zero_point;
  const int32_t lo = bytes == 1 ? -128 : -32768, hi = bytes == 1 ? 127 : 32767;
  const int32_t total = batches * filters * memory;
  int32_t i, b, f, u, r, m;
  /* 1. Shift the whole state left by one element (the last of each filter's
   * row is overwritten next). Moving the stored form is moving the values. */
  if (bytes == 1) {
    int8_t *s = (int8_t *)state;
    for (i = 0; i + 1 < total; ++i) s[i] = s[i + 1];
  } else {
    int16_t *s = (int16_t *)state;
    for (i = 0; i + 1 < total; ++i) s[i] = s[i + 1];
  }
  /* 2. Feature matrix x input, requantized into the state's newest column. */
  for (b = 0; b < batches; ++b) {
    const int8_t *w = weights_feature;
    for (f = 0; f < filters; ++f) {
      const int8_t *x = input + b * n_input;
      uint32_t dot = 0;
      int32_t c, v;
      for (c = 0; c < n_input; ++c) dot += (uint32_t)((int32_t)*w++ * ((int32_t)x[c] - params->input_zero_point));
      v = ts_mbqm((int32_t)dot, params->feature.multiplier, params->feature.shift);
      v = ts_clamp32(v, lo, hi);
      /* T(zp + v): the reference stores the sum in the state type (wraps). */
      state_set(state, bytes, (b * filters + f) * memory + memory - 1,
                bytes == 1 ? (int32_t)(int8_t)(uint8_t)(uint32_t)(zp + v) : (int32_t)(int16_t)(uint16_t)(uint32_t)(zp + v),
                reset);
    }
  }
  /* 3. Time weights x state per filter, summed over the rank per unit. */
  for (b = 0; b < batches; ++b) {
    for (u = 0; u < units; ++u) {
      uint32_t sum = bias ? (uint32_t)bias[u] : 0u;
      int32_t v;
      for (r = 0; r < rank; ++r) {
        const int32_t filter = u * rank + r;
        uint32_t dot = 0;
        for (m = 0; m < memory; ++m) {
          const int32_t k = filter * memory + m;
          const int32_t wt = bytes == 1 ? ((const int8_t *)weights_time)[k] : ((const int16_t *)weights_time)[k];
          dot += (uint32_t)(wt * (state_get(state, bytes, b * filters * memory + k, reset) - zp));
        }
        sum += dot;
      }
      v = ts_mbqm((int32_t)sum, params->output.multiplier, params->output.shift);
      v = ts_wadd(v, params->output_zero_point);
      output[b * units + u] = (int8_t)ts_clamp32(v, -128, 127);
    }
  }
  return TS_OK;
}

/* ------------------------------------------------------------------------ */
/* BATCH_MATMUL                                                              */
/* ------------------------------------------------------------------------ */

ts_status ts_batch_matmul_s8(const ts_batch_matmul_params *params, const int8_t *lhs, const int8_t *rhs,
                             int8_t *output) {
  int32_t b0, b1, b2, i, j, k;
  for (b0 = 0; b0 < params->batch[0]; ++b0) {
    for (b1 = 0; b1 < params->batch[1]; ++b1) {
      for (b2 = 0; b2 < params->batch[2]; ++b2) {
        const int8_t *l = lhs + b0 * params->lhs_batch_step[0] + b1 * params->lhs_batch_step[1] +
                          b2 * params->lhs_batch_step[2];
        const int8_t *r = rhs + b0 * params->rhs_batch_step[0] + b1 * params->rhs_batch_step[1] +
                          b2 * params->rhs_batch_step[2];
        for (i = 0; i < params->rows; ++i) {
          for (j = 0; j < params->cols; ++j) {
            const int8_t *lp = l + i * params->lhs_row_step;
            const int8_t *rp = r + j * params->rhs_col_step;
            uint32_t total = 0;
            int32_t v;
            for (k = 0; k < params->depth; ++k) {
              total += (uint32_t)(((int32_t)lp[k * params->lhs_depth_step] + params->lhs_offset) *
                                  ((int32_t)rp[k * params->rhs_depth_step] + params->rhs_offset));
            }
            v = ts_mbqm((int32_t)total, params->requant.multiplier, params->requant.shift);
            v = ts_wadd(v, params->output_offset);
            *output++ = (int8_t)ts_clamp32(v, -128, 127);
          }
        }
      }
    }
  }
  return TS_OK;
}
