/*
 * FULLY_CONNECTED int8. Mirrors tflite::reference_integer_ops::FullyConnected
 * (per-tensor: one multiplier/shift, filter_offset applied) and
 * FullyConnectedPerChannel (per-channel: filter_offset NOT applied, as TFLM,
 * since the spec makes int8 weights symmetric). This is the reference and the
 * path everywhere but the Cortex-M4 (TS_DSP), where fully_connected_dsp.c runs
 * instead when its assumption holds.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

#if TS_DSP
/* fully_connected_dsp.c: the Cortex-M4 path (SMLAD, 4 rows per pass). */
ts_status ts_fully_connected_s8_dsp(const ts_fc_params *params, const ts_per_channel_quant_params *quant,
                                    int32_t per_channel, const ts_fc_dims *dims, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output);
#endif

ts_status ts_fully_connected_s8(const ts_context *ctx,
                                const ts_fc_params *params,
                                const ts_per_channel_quant_params *quant,
                                int32_t per_channel, const ts_fc_dims *dims,
                                const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output) {
  const int32_t batches = dims->batches;
  const int32_t accum_depth = dims->accum_depth;
  const int32_t output_depth = dims->output_depth;
  const uint32_t input_offset = (uint32_t)params->input_offset;
  const uint32_t filter_offset = per_channel ? 0u : (uint32_t)params->filter_offset;
  const int32_t output_offset = params->output_offset;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t b, out_c, d;
  (void)ctx;
#if TS_DSP
  /* Its one assumption: x + input_offset fits the 16-bit lanes of SXTAB16 for
   * every int8 x (the validator allows |input_offset| <= 255). */
  if (params->input_offset >= -32640 && params->input_offset <= 32640) {
    return ts_fully_connected_s8_dsp(params, quant, per_channel, dims, input, filter, bias, output);
  }
  TS_PATH("fc_portable");
#endif

  for (b = 0; b < batches; ++b) {
    const int8_t *in_row = input + b * accum_depth;
    int8_t *out_row = output + b * output_depth;
    for (out_c = 0; out_c < output_depth; ++out_c) {
      const int8_t *f_row = filter + out_c * accum_depth;
      const int32_t q = per_channel ? out_c : 0;
      uint32_t acc = 0;
      int32_t value;
      for (d = 0; d < accum_depth; ++d) {
        acc += ((uint32_t)(int32_t)f_row[d] + filter_offset) *
               ((uint32_t)(int32_t)in_row[d] + input_offset);
      }
      if (bias) acc += (uint32_t)bias[out_c];
      value = ts_mbqm((int32_t)acc, quant->multiplier[q], quant->shift[q]);
      value = ts_wadd(value, output_offset);
      out_row[out_c] = (int8_t)ts_clamp32(value, act_min, act_max);
    }
  }
  return TS_OK;
}
