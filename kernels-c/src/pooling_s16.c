/*
 * AVERAGE_POOL_2D, MAX_POOL_2D and MEAN on int16. Mirror the int16_t overloads of
 * reference_integer_ops::AveragePool / MaxPool (pooling.c's walk: the window clipped to the image,
 * the average rounded half away from zero by C division, the max starting from -32768) and
 * reference_ops::QuantizedMeanOrSum<int16_t> (mean.c's arithmetic, clamped to int16).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "view_walk.h"

static ts_status pool_s16(const ts_pool_params *params, const ts_dims *input_dims, const int16_t *input,
                          const ts_dims *output_dims, int16_t *output, int avg) {
  const int32_t batches = input_dims->n, depth = input_dims->c;
  const int32_t input_h = input_dims->h, input_w = input_dims->w;
  const int32_t output_h = output_dims->h, output_w = output_dims->w;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t batch, out_y, out_x, channel;
  if (output_dims->n != batches || output_dims->c != depth) return TS_ERROR_ARGUMENT;
  for (batch = 0; batch < batches; ++batch) {
    const int16_t *input_batch = input + batch * input_h * input_w * depth;
    for (out_y = 0; out_y < output_h; ++out_y) {
      const int32_t in_y_origin = out_y * params->stride.h - params->padding.h;
      const int32_t fy_start = ts_max32(0, -in_y_origin);
      const int32_t fy_end = ts_min32(params->filter.h, input_h - in_y_origin);
      for (out_x = 0; out_x < output_w; ++out_x) {
        const int32_t in_x_origin = out_x * params->stride.w - params->padding.w;
        const int32_t fx_start = ts_max32(0, -in_x_origin);
        const int32_t fx_end = ts_min32(params->filter.w, input_w - in_x_origin);
        int16_t *out_px = output + ((batch * output_h + out_y) * output_w + out_x) * depth;
        for (channel = 0; channel < depth; ++channel) {
          int32_t fy, fx, value;
          if (avg) {
            int32_t acc = 0, count = 0;
            for (fy = fy_start; fy < fy_end; ++fy)
              for (fx = fx_start; fx < fx_end; ++fx) {
                acc = ts_wadd(acc, input_batch[((in_y_origin + fy) * input_w + in_x_origin + fx) * depth + channel]);
                count++;
              }
            if (count == 0) return TS_ERROR_ARGUMENT; /* TFLM: AveragePool fails */
            value = acc > 0 ? ts_wadd(acc, count / 2) / count : ts_wsub(acc, count / 2) / count;
          } else {
            value = -32768;
            for (fy = fy_start; fy < fy_end; ++fy)
              for (fx = fx_start; fx < fx_end; ++fx) {
                const int32_t v = input_batch[((in_y_origin + fy) * input_w + in_x_origin + fx) * depth + channel];
                if (v > value) value = v;
              }
          }
          out_px[channel] = (int16_t)ts_clamp32(value, act_min, act_max);
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_avgpool_s16(const ts_pool_params *params, const ts_dims *input_dims, const int16_t *input,
                         const ts_dims *output_dims, int16_t *output) {
  return pool_s16(params, input_dims, input, output_dims, output, 1);
}

ts_status ts_maxpool_s16(const ts_pool_params *params, const ts_dims *input_dims, const int16_t *input,
                         const ts_dims *output_dims, int16_t *output) {
  return pool_s16(params, input_dims, input, output_dims, output, 0);
}

static uint32_t sum_view_s16(const ts_view *v, const int16_t *base) {
  uint32_t sum = 0;
  TS_VIEW_WALK(int16_t, v, base, p, sum += (uint32_t)(int32_t)*p;);
  return sum;
}

ts_status ts_mean_s16(const ts_mean_params *params, const ts_view *outer, const ts_view *inner,
                      const int16_t *input, int16_t *output) {
  const int32_t count = params->count;
  const uint32_t zero_sum = (uint32_t)params->input_zero_point * (uint32_t)count;
  TS_VIEW_WALK(int16_t, outer, input + outer->start + inner->start, p, {
    int32_t value = 0;
    if (count != 0) {
      const int32_t shifted = (int32_t)(sum_view_s16(inner, p) - zero_sum);
      value = ts_wadd(ts_mbqm(shifted, params->requant.multiplier, params->requant.shift),
                      params->output_zero_point);
      value = ts_clamp32(value, -32768, 32767);
    }
    *output++ = (int16_t)value;
  });
  return TS_OK;
}
