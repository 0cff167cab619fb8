/*
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED for TFLM's int16x8 scheme: int16 activations,
 * int8 weights, int64 bias, a 64-bit accumulator and the int64 MultiplyByQuantizedMultiplier.
 * Mirror reference_integer_ops::ConvPerChannel, DepthwiseConvPerChannel (the int16_t overloads,
 * which ignore the input and output zero points), FullyConnected and FullyConnectedPerChannel
 * (int16 input, int8 filter, int64 bias, which apply them). Portable C only.
 *
 * CONV_2D and FULLY_CONNECTED also take TFLM's int32-bias variant (bias_bits 32: AccumScalar int32_t, the
 * int32 MultiplyByQuantizedMultiplier). Its wrapping int32 sum is the low word of the 64-bit one, so both
 * share the accumulation and differ in the bias and the requantization only.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "s16.h"

/* The int64 requantization needs shift <= 7 (TFLM asserts it): checked once per call. */
static int32_t shifts_ok(const int32_t *shift, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i)
    if (shift[i] < -31 || shift[i] > 7) return 0;
  return 1;
}

/* Bias, then requantization: int64 (bias_bits 64, bias as word pairs) or int32 (bias_bits 32). */
static int32_t requantize(uint64_t acc, const int32_t *bias, int32_t bias_bits, int32_t c, int32_t multiplier,
                          int32_t shift) {
  if (bias_bits == 32) {
    const uint32_t acc32 = (uint32_t)acc + (bias ? (uint32_t)bias[c] : 0u);
    return ts_mbqm((int32_t)acc32, multiplier, shift);
  }
  if (bias) acc += ts_word_pair64(bias, c);
  return ts_mbqm64(acc, multiplier, shift);
}

ts_status ts_convolve_s16(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                          const ts_dims *input_dims, const int16_t *input,
                          const ts_dims *filter_dims, const int8_t *filter,
                          const int32_t *bias, int32_t bias_bits, const ts_dims *output_dims, int16_t *output) {
  const int32_t batches = input_dims->n;
  const int32_t input_h = input_dims->h, input_w = input_dims->w, input_depth = input_dims->c;
  const int32_t filter_h = filter_dims->h, filter_w = filter_dims->w, filter_depth = filter_dims->c;
  const int32_t output_h = output_dims->h, output_w = output_dims->w, output_depth = output_dims->c;
  const int32_t stride_w = params->stride.w, stride_h = params->stride.h;
  const int32_t dil_w = params->dilation.w, dil_h = params->dilation.h;
  const int32_t pad_w = params->padding.w, pad_h = params->padding.h;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  const int32_t filter_ch_stride = filter_h * filter_w * filter_depth;
  int32_t groups, filters_per_group, batch, out_y, out_x, out_c;

  if (filter_depth <= 0 || input_depth % filter_depth != 0) return TS_ERROR_ARGUMENT;
  groups = input_depth / filter_depth;
  if (groups <= 0 || output_depth % groups != 0) return TS_ERROR_ARGUMENT;
  filters_per_group = output_depth / groups;
  if (filters_per_group <= 0 || output_dims->n != batches) return TS_ERROR_ARGUMENT;
  if (bias_bits != 32 && (bias_bits != 64 || !shifts_ok(quant->shift, output_depth))) return TS_ERROR_ARGUMENT;

  for (batch = 0; batch < batches; ++batch) {
    const int16_t *input_batch = input + batch * input_h * input_w * input_depth;
    for (out_y = 0; out_y < output_h; ++out_y) {
      const int32_t in_y_origin = out_y * stride_h - pad_h;
      for (out_x = 0; out_x < output_w; ++out_x) {
        const int32_t in_x_origin = out_x * stride_w - pad_w;
        int16_t *out_px = output + ((batch * output_h + out_y) * output_w + out_x) * output_depth;
        for (out_c = 0; out_c < output_depth; ++out_c) {
          const int32_t group = out_c / filters_per_group;
          const int8_t *filter_c = filter + out_c * filter_ch_stride;
          const int16_t *input_g = input_batch + group * filter_depth;
          uint64_t acc = 0;
          int32_t fy, fx, ic, value;
          for (fy = 0; fy < filter_h; ++fy) {
            const int32_t in_y = in_y_origin + dil_h * fy;
            if (in_y < 0 || in_y >= input_h) continue;
            for (fx = 0; fx < filter_w; ++fx) {
              const int32_t in_x = in_x_origin + dil_w * fx;
              const int16_t *in_p;
              const int8_t *f_p;
              if (in_x < 0 || in_x >= input_w) continue;
              in_p = input_g + (in_y * input_w + in_x) * input_depth;
              f_p = filter_c + (fy * filter_w + fx) * filter_depth;
              /* |int8 x int16| < 2^22: each product fits int32. */
              for (ic = 0; ic < filter_depth; ++ic) acc += (uint64_t)(int64_t)((int32_t)f_p[ic] * in_p[ic]);
            }
          }
          value = requantize(acc, bias, bias_bits, out_c, quant->multiplier[out_c], quant->shift[out_c]);
          out_px[out_c] = (int16_t)ts_clamp32(value, act_min, act_max);
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_depthwise_conv_s16(const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
                                const ts_dims *input_dims, const int16_t *input,
                                const ts_dims *filter_dims, const int8_t *filter,
                                const int32_t *bias64, const ts_dims *output_dims, int16_t *output) {
  const int32_t batches = input_dims->n;
  const int32_t input_h = input_dims->h, input_w = input_dims->w, input_depth = input_dims->c;
  const int32_t filter_h = filter_dims->h, filter_w = filter_dims->w;
  const int32_t output_h = output_dims->h, output_w = output_dims->w, output_depth = output_dims->c;
  const int32_t depth_multiplier = params->ch_mult;
  const int32_t stride_w = params->stride.w, stride_h = params->stride.h;
  const int32_t dil_w = params->dilation.w, dil_h = params->dilation.h;
  const int32_t pad_w = params->padding.w, pad_h = params->padding.h;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t batch, out_y, out_x, in_c, m;

  if (depth_multiplier <= 0 || output_depth != input_depth * depth_multiplier ||
      filter_dims->c != output_depth || output_dims->n != batches) {
    return TS_ERROR_ARGUMENT;
  }
  if (!shifts_ok(quant->shift, output_depth)) return TS_ERROR_ARGUMENT;
  for (batch = 0; batch < batches; ++batch) {
    const int16_t *input_batch = input + batch * input_h * input_w * input_depth;
    for (out_y = 0; out_y < output_h; ++out_y) {
      const int32_t in_y_origin = out_y * stride_h - pad_h;
      for (out_x = 0; out_x < output_w; ++out_x) {
        const int32_t in_x_origin = out_x * stride_w - pad_w;
        int16_t *out_px = output + ((batch * output_h + out_y) * output_w + out_x) * output_depth;
        for (in_c = 0; in_c < input_depth; ++in_c) {
          for (m = 0; m < depth_multiplier; ++m) {
            const int32_t out_c = m + in_c * depth_multiplier;
            uint64_t acc = 0;
            int32_t fy, fx, value;
            for (fy = 0; fy < filter_h; ++fy) {
              const int32_t in_y = in_y_origin + dil_h * fy;
              if (in_y < 0 || in_y >= input_h) continue;
              for (fx = 0; fx < filter_w; ++fx) {
                const int32_t in_x = in_x_origin + dil_w * fx;
                if (in_x < 0 || in_x >= input_w) continue;
                acc += (uint64_t)(int64_t)((int32_t)filter[(fy * filter_w + fx) * output_depth + out_c] *
                                           input_batch[(in_y * input_w + in_x) * input_depth + in_c]);
              }
            }
            if (bias64) acc += ts_word_pair64(bias64, out_c);
            value = ts_mbqm64(acc, quant->multiplier[out_c], quant->shift[out_c]);
            out_px[out_c] = (int16_t)ts_clamp32(value, act_min, act_max);
          }
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_fully_connected_s16(const ts_fc_params *params, const ts_per_channel_quant_params *quant,
                                 int32_t per_channel, const ts_fc_dims *dims, const int16_t *input,
                                 const int8_t *filter, const int32_t *bias, int32_t bias_bits, int16_t *output) {
  const int32_t batches = dims->batches, accum_depth = dims->accum_depth, output_depth = dims->output_depth;
  const int32_t input_offset = params->input_offset;
  /* FullyConnectedPerChannel has no filter offset; the per-tensor FullyConnected applies it. */
  const int32_t filter_offset = per_channel ? 0 : params->filter_offset;
  const int32_t output_offset = params->output_offset;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t b, out_c, d;
  if (bias_bits != 32 && (bias_bits != 64 || !shifts_ok(quant->shift, per_channel ? output_depth : 1))) return TS_ERROR_ARGUMENT;
  for (b = 0; b < batches; ++b) {
    const int16_t *in_row = input + b * accum_depth;
    int16_t *out_row = output + b * output_depth;
    for (out_c = 0; out_c < output_depth; ++out_c) {
      const int8_t *f_row = filter + out_c * accum_depth;
      const int32_t q = per_channel ? out_c : 0;
      uint64_t acc = 0;
      int32_t value;
      /* (filter + offset) x (input + offset) is an int32 product in TFLM (wrapping here). */
      for (d = 0; d < accum_depth; ++d)
        acc += (uint64_t)(int64_t)ts_wmul(ts_wadd(f_row[d], filter_offset), ts_wadd(in_row[d], input_offset));
      value = ts_wadd(requantize(acc, bias, bias_bits, out_c, quant->multiplier[q], quant->shift[q]), output_offset);
      out_row[out_c] = (int16_t)ts_clamp32(value, act_min, act_max);
    }
  }
  return TS_OK;
}
