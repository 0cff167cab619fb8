/* CONV_2D cases for the differential harness (diff.h). */
#include "diff.h"

void diff_case_conv(uint64_t seed, int32_t index) {
  diff_rng r;
  ts_conv_params params;
  ts_dims in, filter, out;
  ts_per_channel_quant_params quant;
  ts_context ctx = {0, 0};
  int32_t same, has_bias, groups, status, kind;
  char desc[200];
  diff_seed(&r, seed, (uint64_t)index);
  kind = diff_range(&r, 0, 3); /* 0: 1x1 stride 1 (the matrix-multiply path), 1: 3x3, 2-3: anything */
  in.n = diff_chance(&r, 7, 8) ? 1 : 2;
  in.h = diff_range(&r, 1, 14);
  in.w = diff_range(&r, 1, 14);
  in.c = diff_chance(&r, 1, 4) ? diff_range(&r, 1, 4) : (diff_chance(&r, 1, 2) ? 4 * diff_range(&r, 1, 16) : diff_range(&r, 1, 70));
  /* Now and then deep inputs: filter sums over more than 64 words, padded
   * taps wider than conv_general's 128-byte pad row. */
  if (diff_chance(&r, 1, 32)) in.c = diff_range(&r, 100, 300);
  groups = (!diff_chance(&r, 1, 8) || in.c < 2) ? 1 : (in.c % 2 == 0 ? 2 : 1);
  filter.c = in.c / groups;
  filter.n = diff_range(&r, 1, 40) * groups;
  if (kind == 0) {
    filter.h = filter.w = 1;
  } else if (kind == 1) {
    filter.h = filter.w = 3;
  } else {
    filter.h = diff_range(&r, 1, 5);
    filter.w = diff_range(&r, 1, 5);
  }
  params.stride.h = kind == 0 ? 1 : diff_range(&r, 1, 3);
  params.stride.w = kind == 0 ? 1 : diff_range(&r, 1, 3);
  params.dilation.h = (kind < 2 || diff_chance(&r, 3, 4)) ? 1 : diff_range(&r, 2, 3);
  params.dilation.w = (kind < 2 || diff_chance(&r, 3, 4)) ? 1 : diff_range(&r, 2, 3);
  same = kind == 0 ? 0 : diff_chance(&r, 1, 2);
  out.n = in.n;
  out.c = filter.n;
  diff_window(&in, filter.h, filter.w, &params.stride, &params.dilation, same, &out, &params.padding);
  params.input_offset = diff_range(&r, -127, 128);
  params.output_offset = diff_range(&r, -128, 127);
  /* The validator accepts offsets in [-255, 255]: -io no longer fits int8. */
  if (diff_chance(&r, 1, 16)) params.input_offset = diff_range(&r, -255, 255);
  if (diff_chance(&r, 1, 16)) params.output_offset = diff_range(&r, -255, 255);
  diff_activation(&r, &params.activation);
  has_bias = diff_chance(&r, 7, 8);
  diff_fill_s8(&r, diff_input, in.n * in.h * in.w * in.c);
  diff_fill_s8(&r, diff_filter, filter.n * filter.h * filter.w * filter.c);
  diff_fill_bias(&r, diff_bias, out.c);
  diff_requant(&r, diff_mult, diff_shift, out.c);
  /* Any int32 multiplier and shift in -31..31 is a valid record: negative,
   * INT32_MIN (SRDHM saturation), large left shifts. */
  if (diff_chance(&r, 1, 16)) {
    int32_t c;
    for (c = 0; c < out.c; ++c) {
      if (diff_chance(&r, 1, 2)) diff_mult[c] = (int32_t)diff_u32(&r);
      if (diff_chance(&r, 1, 8)) diff_mult[c] = (int32_t)0x80000000u;
      if (diff_chance(&r, 1, 4)) diff_shift[c] = diff_range(&r, -31, 31);
    }
  }
  /* An activation range beyond int8 (the fast paths clamp in int8 lanes and
   * leave such records to the portable C). */
  if (diff_chance(&r, 1, 64)) {
    if (diff_chance(&r, 1, 2)) params.activation.min = diff_range(&r, -400, -129);
    else params.activation.max = diff_range(&r, 128, 400);
  }
  quant.multiplier = diff_mult;
  quant.shift = diff_shift;
  status = ts_convolve_s8(&ctx, &params, &quant, &in, diff_input, &filter, diff_filter, has_bias ? diff_bias : 0,
                          &out, diff_output);
  snprintf(desc, sizeof desc,
           "conv in=%dx%dx%dx%d f=%dx%dx%dx%d out=%dx%dx%d s=%d,%d d=%d,%d p=%d,%d bias=%d io=%d oo=%d act=%d..%d",
           (int)in.n, (int)in.h, (int)in.w, (int)in.c, (int)filter.n, (int)filter.h, (int)filter.w, (int)filter.c,
           (int)out.h, (int)out.w, (int)out.c, (int)params.stride.h, (int)params.stride.w, (int)params.dilation.h,
           (int)params.dilation.w, (int)params.padding.h, (int)params.padding.w, (int)has_bias,
           (int)params.input_offset, (int)params.output_offset, (int)params.activation.min,
           (int)params.activation.max);
  diff_report(index, desc, status, diff_output, out.n * out.h * out.w * out.c);
}
