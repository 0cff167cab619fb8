/*
 * DEPTHWISE_CONV_2D int8. Mirrors
 * tflite::reference_integer_ops::DepthwiseConvPerChannel. Filter dims:
 * n = 1, h, w, c = output channels = input c * ch_mult; output channel
 * m + in_channel * ch_mult reads input channel in_channel.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

/* The portable kernel for input channels [c_begin, c_end) (every output
 * channel m + in_c * ch_mult of them). The only path on WebAssembly and
 * Xtensa; on the Cortex-M4 the fallback and the channel tail of the fast
 * paths (depthwise_conv_dsp.c). Arguments already checked by the wrapper. */
void ts_dw_ref_channels(const ts_dw_conv_params *params,
                        const ts_per_channel_quant_params *quant,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *filter_dims, const int8_t *filter,
                        const int32_t *bias, const ts_dims *output_dims,
                        int8_t *output, int32_t c_begin, int32_t c_end);

#if TS_DSP
/* depthwise_conv_dsp.c: 1 when a fast path computed the whole output. */
int32_t ts_dw_dsp(const ts_dw_conv_params *params,
                  const ts_per_channel_quant_params *quant,
                  const ts_dims *input_dims, const int8_t *input,
                  const ts_dims *filter_dims, const int8_t *filter,
                  const int32_t *bias, const ts_dims *output_dims, int8_t *output);
#endif


void ts_dw_ref_channels(const ts_dw_conv_params *params,
                        const ts_per_channel_quant_params *quant,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *filter_dims, const int8_t *filter,
                        const int32_t *bias, const ts_dims *output_dims,
                        int8_t *output, int32_t c_begin, int32_t c_end) {
  const int32_t batches = input_dims->n;
  const int32_t input_h = input_dims->h, input_w = input_dims->w;
  const int32_t input_depth = input_dims->c;
  const int32_t filter_h = filter_dims->h, filter_w = filter_dims->w;
  const int32_t output_h = output_dims->h, output_w = output_dims->w;
  const int32_t output_depth = output_dims->c;
  const int32_t depth_multiplier = params->ch_mult;
  const int32_t stride_w = params->stride.w, stride_h = params->stride.h;
  const int32_t dil_w = params->dilation.w, dil_h = params->dilation.h;
  const int32_t pad_w = params->padding.w, pad_h = params->padding.h;
  const uint32_t input_offset = (uint32_t)params->input_offset;
  const int32_t output_offset = params->output_offset;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  const int32_t *mult = quant->multiplier;
  const int32_t *shift = quant->shift;
  int32_t batch, out_y, out_x, in_c, m;

  for (batch = 0; batch < batches; ++batch) {
    const int8_t *input_batch = input + batch * input_h * input_w * input_depth;
    for (out_y = 0; out_y < output_h; ++out_y) {
      const int32_t in_y_origin = out_y * stride_h - pad_h;
      for (out_x = 0; out_x < output_w; ++out_x) {
        const int32_t in_x_origin = out_x * stride_w - pad_w;
        int8_t *out_px =
            output + ((batch * output_h + out_y) * output_w + out_x) * output_depth;
        for (in_c = c_begin; in_c < c_end; ++in_c) {
          for (m = 0; m < depth_multiplier; ++m) {
            const int32_t out_c = m + in_c * depth_multiplier;
            uint32_t acc = 0;
            int32_t fy, fx, value;
            for (fy = 0; fy < filter_h; ++fy) {
              const int32_t in_y = in_y_origin + dil_h * fy;
              if (in_y < 0 || in_y >= input_h) continue;
              for (fx = 0; fx < filter_w; ++fx) {
                const int32_t in_x = in_x_origin + dil_w * fx;
                int32_t in_v, f_v;
                if (in_x < 0 || in_x >= input_w) continue;
                in_v = input_batch[(in_y * input_w + in_x) * input_depth + in_c];
                f_v = filter[(fy * filter_w + fx) * output_depth + out_c];
                acc += (uint32_t)f_v * ((uint32_t)in_v + input_offset);
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
  }
}

ts_status ts_depthwise_conv_s8(const ts_context *ctx,
                               const ts_dw_conv_params *params,
                               const ts_per_channel_quant_params *quant,
                               const ts_dims *input_dims, const int8_t *input,
                               const ts_dims *filter_dims, const int8_t *filter,
                               const int32_t *bias, const ts_dims *output_dims,
                               int8_t *output) {
  const int32_t depth_multiplier = params->ch_mult;
  const int32_t output_depth = output_dims->c;
  (void)ctx;

  if (depth_multiplier <= 0 || output_depth != input_dims->c * depth_multiplier ||
      filter_dims->c != output_depth || output_dims->n != input_dims->n) {
    return TS_ERROR_ARGUMENT;
  }
#if TS_DSP
  if (ts_dw_dsp(params, quant, input_dims, input, filter_dims, filter, bias, output_dims,
                output)) {
    return TS_OK;
  }
#endif
  ts_dw_ref_channels(params, quant, input_dims, input, filter_dims, filter, bias,
                     output_dims, output, 0, input_dims->c);
  return TS_OK;
}
