/* FULLY_CONNECTED cases for the differential harness (diff.h). */
#include "diff.h"

void diff_case_fc(uint64_t seed, int32_t index) {
  diff_rng r;
  ts_fc_params params;
  ts_fc_dims dims;
  ts_per_channel_quant_params quant;
  ts_context ctx = {0, 0};
  int32_t per_channel, has_bias, status;
  char desc[160];
  diff_seed(&r, seed, (uint64_t)index);
  dims.batches = diff_chance(&r, 3, 4) ? 1 : diff_range(&r, 2, 9);
  switch (diff_range(&r, 0, 3)) {
    case 0: dims.accum_depth = diff_range(&r, 1, 16); break;
    case 1: dims.accum_depth = 4 * diff_range(&r, 1, 80); break;
    default: dims.accum_depth = diff_range(&r, 1, 700); break;
  }
  dims.output_depth = diff_chance(&r, 1, 4) ? diff_range(&r, 1, 5) : diff_range(&r, 1, 130);
  per_channel = diff_chance(&r, 1, 2);
  has_bias = diff_chance(&r, 4, 5);
  params.input_offset = diff_range(&r, -127, 128);
  params.filter_offset = diff_chance(&r, 3, 4) ? 0 : diff_range(&r, -127, 128);
  params.output_offset = diff_range(&r, -128, 127);
  diff_activation(&r, &params.activation);
  diff_fill_s8(&r, diff_input, dims.batches * dims.accum_depth);
  diff_fill_s8(&r, diff_filter, dims.output_depth * dims.accum_depth);
  diff_fill_bias(&r, diff_bias, dims.output_depth);
  diff_requant(&r, diff_mult, diff_shift, per_channel ? dims.output_depth : 1);
  quant.multiplier = diff_mult;
  quant.shift = diff_shift;
  status = ts_fully_connected_s8(&ctx, &params, &quant, per_channel, &dims, diff_input, diff_filter,
                                 has_bias ? diff_bias : 0, diff_output);
  snprintf(desc, sizeof desc, "fc b=%d d=%d o=%d pc=%d bias=%d io=%d fo=%d oo=%d act=%d..%d", (int)dims.batches,
           (int)dims.accum_depth, (int)dims.output_depth, (int)per_channel, (int)has_bias, (int)params.input_offset,
           (int)params.filter_offset, (int)params.output_offset, (int)params.activation.min,
           (int)params.activation.max);
  diff_report(index, desc, status, diff_output, dims.batches * dims.output_depth);
}
