/*
 * AVERAGE_POOL_2D and MAX_POOL_2D int8. Mirror
 * tflite::reference_integer_ops::AveragePool and MaxPool: the filter window
 * is clipped to the image (padding contributes nothing and is not counted),
 * the average rounds half away from zero with C integer division.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"

/* avg != 0: average, else max. */
static ts_status pool(const ts_pool_params *params, const ts_dims *input_dims,
                      const int8_t *input, const ts_dims *output_dims,
                      int8_t *output, int avg) {
  const int32_t batches = input_dims->n;
  const int32_t depth = input_dims->c;
  const int32_t input_h = input_dims->h, input_w = input_dims->w;
  const int32_t output_h = output_dims->h, output_w = output_dims->w;
  const int32_t stride_w = params->stride.w, stride_h = params->stride.h;
  const int32_t filter_w = params->filter.w, filter_h = params->filter.h;
  const int32_t pad_w = params->padding.w, pad_h = params->padding.h;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t batch, out_y, out_x, channel;

  if (output_dims->n != batches || output_dims->c != depth) return TS_ERROR_ARGUMENT;

  for (batch = 0; batch < batches; ++batch) {
    const int8_t *input_batch = input + batch * input_h * input_w * depth;
    for (out_y = 0; out_y < output_h; ++out_y) {
      const int32_t in_y_origin = out_y * stride_h - pad_h;
      const int32_t fy_start = ts_max32(0, -in_y_origin);
      const int32_t fy_end = ts_min32(filter_h, input_h - in_y_origin);
      for (out_x = 0; out_x < output_w; ++out_x) {
        const int32_t in_x_origin = out_x * stride_w - pad_w;
        const int32_t fx_start = ts_max32(0, -in_x_origin);
        const int32_t fx_end = ts_min32(filter_w, input_w - in_x_origin);
        int8_t *out_px =
            output + ((batch * output_h + out_y) * output_w + out_x) * depth;
        for (channel = 0; channel < depth; ++channel) {
          int32_t fy, fx, value;
          if (avg) {
            int32_t acc = 0, count = 0;
            for (fy = fy_start; fy < fy_end; ++fy) {
              for (fx = fx_start; fx < fx_end; ++fx) {
                acc += input_batch[((in_y_origin + fy) * input_w + in_x_origin + fx) *
                                       depth + channel];
                count++;
              }
            }
            if (count == 0) return TS_ERROR_ARGUMENT; /* TFLM: AveragePool fails */
            value = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          } else {
            value = -128;
            for (fy = fy_start; fy < fy_end; ++fy) {
              for (fx = fx_start; fx < fx_end; ++fx) {
                const int32_t v =
                    input_batch[((in_y_origin + fy) * input_w + in_x_origin + fx) *
                                    depth + channel];
                if (v > value) value = v;
              }
            }
          }
          out_px[channel] = (int8_t)ts_clamp32(value, act_min, act_max);
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_avgpool_s8(const ts_context *ctx, const ts_pool_params *params,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *output_dims, int8_t *output) {
  (void)ctx;
  return pool(params, input_dims, input, output_dims, output, 1);
}

ts_status ts_maxpool_s8(const ts_context *ctx, const ts_pool_params *params,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *output_dims, int8_t *output) {
  (void)ctx;
  return pool(params, input_dims, input, output_dims, output, 0);
}
