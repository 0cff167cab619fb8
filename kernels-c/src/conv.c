/*
 * CONV_2D int8. Mirrors tflite::reference_integer_ops::ConvPerChannel:
 * zero padding by skipping input points outside the image, int32 accumulator
 * (wrapping), bias, MultiplyByQuantizedMultiplier per output channel, output
 * offset, clamp. Grouped when input c is a multiple of filter c.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

#if TS_DSP
/* conv_dsp.c: the Cortex-M4 paths. path as conv_dsp_path() returns it. */
void ts_conv_s8_dsp(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                    const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                    const int8_t *filter, const int32_t *bias, const ts_dims *output_dims, int8_t *output,
                    int32_t path);

/* Which fast path fits, as CMSIS-NN's arm_convolve_wrapper_s8 chooses (the
 * numbers are conv_dsp.c's): 1 conv_1x1, 3 conv_im2col, 2 conv_general, 0 the
 * portable C. */
static int32_t conv_dsp_path(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                             const ts_dims *in, const ts_dims *f, const ts_dims *out, int32_t groups) {
  const int32_t io = params->input_offset;
  const int32_t io8 = io >= -127 && io <= 128; /* -io fits int8 */
  int32_t c;
  /* The requantization skips SRDHM's saturation, reachable only with INT32_MIN,
   * and clamps in int8 lanes (SSAT, then SSUB8/SEL): the range must lie in int8. */
  if (params->activation.min < -128 || params->activation.max > 127) return 0;
  for (c = 0; c < out->c; ++c)
    if (quant->multiplier[c] == TS_INT32_MIN) return 0;
  if (f->h == 1 && f->w == 1 && groups == 1 && params->padding.h == 0 && params->padding.w == 0 &&
      params->stride.h == 1 && params->stride.w == 1 && out->h == in->h && out->w == in->w)
    return 1;
  /* im2col: the taps of two pixels in a 2 x 144-byte stack buffer. */
  if (groups == 1 && io8 && (int64_t)f->h * f->w * f->c <= 144) return 3;
  /* A tap may fall outside the image: it reads a row of -io (int8, at most
   * 128 bytes on the stack). 64-bit products: no overflow for any record. */
  if (params->padding.h > 0 || params->padding.w > 0 ||
      (int64_t)(out->h - 1) * params->stride.h + (int64_t)(f->h - 1) * params->dilation.h >= in->h ||
      (int64_t)(out->w - 1) * params->stride.w + (int64_t)(f->w - 1) * params->dilation.w >= in->w) {
    if (!io8 || f->c > 128) return 0;
  }
  return 2;
}
#endif

/* The reference: tflite::reference_integer_ops::ConvPerChannel. */
static ts_status __attribute__((noinline)) conv_ref(const ts_conv_params *params,
                          const ts_per_channel_quant_params *quant,
                          const ts_dims *input_dims, const int8_t *input,
                          const ts_dims *filter_dims, const int8_t *filter,
                          const int32_t *bias, const ts_dims *output_dims,
                          int8_t *output) {
  const int32_t batches = input_dims->n;
  const int32_t input_h = input_dims->h, input_w = input_dims->w;
  const int32_t input_depth = input_dims->c;
  const int32_t filter_h = filter_dims->h, filter_w = filter_dims->w;
  const int32_t filter_depth = filter_dims->c;
  const int32_t output_h = output_dims->h, output_w = output_dims->w;
  const int32_t output_depth = output_dims->c;
  const int32_t stride_w = params->stride.w, stride_h = params->stride.h;
  const int32_t dil_w = params->dilation.w, dil_h = params->dilation.h;
  const int32_t pad_w = params->padding.w, pad_h = params->padding.h;
  const uint32_t input_offset = (uint32_t)params->input_offset;
  const int32_t output_offset = params->output_offset;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  const int32_t *mult = quant->multiplier;
  const int32_t *shift = quant->shift;
  const int32_t filter_ch_stride = filter_h * filter_w * filter_depth;
  int32_t groups, filters_per_group, batch, out_y, out_x, out_c;

  if (filter_depth <= 0 || input_depth % filter_depth != 0) return TS_ERROR_ARGUMENT;
  groups = input_depth / filter_depth;
  if (groups <= 0 || output_depth % groups != 0) return TS_ERROR_ARGUMENT;
  filters_per_group = output_depth / groups;
  if (filters_per_group <= 0 || output_dims->n != batches) return TS_ERROR_ARGUMENT;

  for (batch = 0; batch < batches; ++batch) {
    const int8_t *input_batch = input + batch * input_h * input_w * input_depth;
    for (out_y = 0; out_y < output_h; ++out_y) {
      const int32_t in_y_origin = out_y * stride_h - pad_h;
      for (out_x = 0; out_x < output_w; ++out_x) {
        const int32_t in_x_origin = out_x * stride_w - pad_w;
        int8_t *out_px =
            output + ((batch * output_h + out_y) * output_w + out_x) * output_depth;
        for (out_c = 0; out_c < output_depth; ++out_c) {
          const int32_t group = out_c / filters_per_group;
          const int8_t *filter_c = filter + out_c * filter_ch_stride;
          const int8_t *input_g = input_batch + group * filter_depth;
          uint32_t acc = 0;
          int32_t fy, fx, ic, value;
          for (fy = 0; fy < filter_h; ++fy) {
            const int32_t in_y = in_y_origin + dil_h * fy;
            if (in_y < 0 || in_y >= input_h) continue;
            for (fx = 0; fx < filter_w; ++fx) {
              const int32_t in_x = in_x_origin + dil_w * fx;
              const int8_t *in_p, *f_p;
              if (in_x < 0 || in_x >= input_w) continue;
              in_p = input_g + (in_y * input_w + in_x) * input_depth;
              f_p = filter_c + (fy * filter_w + fx) * filter_depth;
              for (ic = 0; ic < filter_depth; ++ic) {
                acc += (uint32_t)(int32_t)f_p[ic] *
                       ((uint32_t)(int32_t)in_p[ic] + input_offset);
              }
            }
          }
          if (bias) acc += (uint32_t)bias[out_c];
          value = ts_mbqm((int32_t)acc, mult[out_c], shift[out_c]);
          value = ts_wadd(value, output_offset);
          out_px[out_c] = (int8_t)ts_clamp32(value, act_min, act_max);
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_convolve_s8(const ts_context *ctx, const ts_conv_params *params,
                         const ts_per_channel_quant_params *quant,
                         const ts_dims *input_dims, const int8_t *input,
                         const ts_dims *filter_dims, const int8_t *filter,
                         const int32_t *bias, const ts_dims *output_dims,
                         int8_t *output) {
  (void)ctx;
#if TS_DSP
  /* The shape checks of conv_ref first: a record it rejects goes there. */
  if (filter_dims->c > 0 && input_dims->c % filter_dims->c == 0 && input_dims->c / filter_dims->c > 0 &&
      output_dims->c % (input_dims->c / filter_dims->c) == 0 && output_dims->c / (input_dims->c / filter_dims->c) > 0 &&
      output_dims->n == input_dims->n) {
    const int32_t path =
        conv_dsp_path(params, quant, input_dims, filter_dims, output_dims, input_dims->c / filter_dims->c);
    if (path) {
      ts_conv_s8_dsp(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output, path);
      return TS_OK;
    }
  }
#endif
  return conv_ref(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
}
