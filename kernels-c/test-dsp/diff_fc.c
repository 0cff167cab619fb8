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
  /* Paths (fully_connected_dsp.c): fc_rows4 (4 rows per pass) for all but the last
   * output_depth % 4 rows, fc_rows1 for those; depth tails 0..3 after the 4-wide loop;
   * |input_offset| > 32640 (outside what the validator accepts) takes the portable C. */
  dims.batches = diff_chance(&r, 3, 4) ? 1 : diff_range(&r, 2, 9);
  switch (diff_range(&r, 0, 3)) {
    case 0: dims.accum_depth = diff_range(&r, 1, 16); break;
    case 1: dims.accum_depth = 4 * diff_range(&r, 1, 80); break;
    default: dims.accum_depth = diff_range(&r, 1, 700); break;
  }
  dims.output_depth = diff_chance(&r, 1, 4) ? diff_range(&r, 1, 5) : diff_range(&r, 1, 130);
  per_channel = diff_chance(&r, 1, 2);
  has_bias = diff_chance(&r, 4, 5);
  if (diff_chance(&r, 1, 200)) {
    /* Empty tensors: the validator accepts zero dimensions. */
    switch (diff_range(&r, 0, 2)) {
      case 0: dims.batches = 0; break;
      case 1: dims.accum_depth = 0; break;
      default: dims.output_depth = 0; break;
    }
  }
  /* Offsets: the validator accepts -255..255; the usual zero points give -127..128. */
  params.input_offset = diff_chance(&r, 3, 4) ? diff_range(&r, -127, 128) : diff_range(&r, -255, 255);
  params.filter_offset = diff_chance(&r, 3, 4) ? 0 : diff_range(&r, -255, 255);
  params.output_offset = diff_chance(&r, 3, 4) ? diff_range(&r, -128, 127) : diff_range(&r, -255, 255);
  if (diff_chance(&r, 1, 100)) {
    /* Beyond any valid record: the fast path must decline (fc_portable). */
    params.input_offset = diff_chance(&r, 1, 2) ? diff_range(&r, -40000, -32641) : diff_range(&r, 32641, 40000);
  }
  diff_activation(&r, &params.activation);
  diff_fill_s8(&r, diff_input, dims.batches * dims.accum_depth);
  diff_fill_s8(&r, diff_filter, dims.output_depth * dims.accum_depth);
  diff_fill_bias(&r, diff_bias, dims.output_depth);
  diff_requant(&r, diff_mult, diff_shift, per_channel ? dims.output_depth : 1);
  if (diff_chance(&r, 1, 16)) {
    /* Anything the validator accepts: any multiplier, shift -31..30. */
    int32_t i;
    for (i = 0; i < (per_channel ? dims.output_depth : 1); ++i) {
      diff_mult[i] = (int32_t)diff_u32(&r);
      diff_shift[i] = diff_range(&r, -31, 30);
    }
  }
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
