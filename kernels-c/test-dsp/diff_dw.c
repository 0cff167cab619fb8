/* DEPTHWISE_CONV_2D cases for the differential harness (diff.h). */
#include "diff.h"
#include <stdlib.h>

void diff_case_dw(uint64_t seed, int32_t index) {
  diff_rng r;
  ts_dw_conv_params params;
  ts_dims in, filter, out;
  ts_per_channel_quant_params quant;
  ts_context ctx = {0, 0};
  int32_t same, has_bias, status, kind, c3 = 0;
  char desc[200];
  diff_seed(&r, seed, (uint64_t)index);
  /* 0: 3x3 multiplier 1 (dw_m1_k3), 1: one input channel x multiplier N
   * (dw_c1), 2-3: anything (dw_m1 with any filter, the portable fallback for
   * multipliers > 1 with several input channels or more taps), 4: one input
   * channel x multiplier 4, 8 or 12, 3x3 (dw_c3) */
  kind = diff_range(&r, 0, 4);
  if (kind == 4) {
    kind = 1;
    c3 = 1;
  }
  in.n = diff_chance(&r, 7, 8) ? 1 : 2;
  in.h = diff_range(&r, 1, kind == 0 ? 24 : 16);
  in.w = diff_range(&r, 1, kind == 1 ? 48 : (kind == 0 ? 24 : 16));
  in.c = kind == 1 ? 1 : (diff_chance(&r, 1, 2) ? 4 * diff_range(&r, 1, 16) : diff_range(&r, 1, 70));
  params.ch_mult = c3 ? 4 * diff_range(&r, 1, 3) : kind == 0 ? 1 : (kind == 1 ? diff_range(&r, 1, 12) : (diff_chance(&r, 2, 3) ? 1 : diff_range(&r, 2, 12)));
  filter.n = 1;
  filter.c = in.c * params.ch_mult;
  if (kind == 0 || c3) {
    filter.h = filter.w = 3;
  } else if (kind == 1) {
    filter.h = diff_range(&r, 1, 12);
    filter.w = diff_range(&r, 1, 12);
  } else {
    filter.h = diff_range(&r, 1, 7);
    filter.w = diff_range(&r, 1, 8);
  }
  params.stride.h = diff_range(&r, 1, 3);
  params.stride.w = diff_range(&r, 1, 3);
  params.dilation.h = (kind == 0 || diff_chance(&r, 3, 4)) ? 1 : diff_range(&r, 2, 3);
  params.dilation.w = (kind == 0 || diff_chance(&r, 3, 4)) ? 1 : diff_range(&r, 2, 3);
  same = diff_chance(&r, 2, 3);
  out.n = in.n;
  out.c = filter.c;
  diff_window(&in, filter.h, filter.w, &params.stride, &params.dilation, same, &out, &params.padding);
  /* the validator allows offsets -255..255; int8 zero points give -127..128 / -128..127 */
  params.input_offset = diff_chance(&r, 1, 8) ? diff_range(&r, -255, 255) : diff_range(&r, -127, 128);
  params.output_offset = diff_chance(&r, 1, 8) ? diff_range(&r, -255, 255) : diff_range(&r, -128, 127);
  diff_activation(&r, &params.activation);
  has_bias = diff_chance(&r, 7, 8);
  diff_fill_s8(&r, diff_input, in.n * in.h * in.w * in.c);
  diff_fill_s8(&r, diff_filter, filter.h * filter.w * filter.c);
  diff_fill_bias(&r, diff_bias, out.c);
  diff_requant(&r, diff_mult, diff_shift, out.c);
  if (diff_chance(&r, 1, 8)) {
    /* extremes the fast requantizations must also get right (or leave to ts_mbqm):
     * m = 2^30 exactly (a power-of-two scale), 2^30 + 1, INT32_MAX, INT32_MIN,
     * negative and tiny multipliers; shifts -31..30 */
    int32_t k;
    for (k = 0; k < out.c; ++k) {
      if (diff_chance(&r, 1, 2)) {
        static const int32_t special[] = {0x40000000, 0x40000001, 0x7fffffff, (int32_t)0x80000000, -0x40000000, -1, 1, 0};
        diff_mult[k] = special[diff_range(&r, 0, 7)]; 
      }
      if (diff_chance(&r, 1, 3)) diff_shift[k] = diff_range(&r, -31, 30);
    }
  }
  quant.multiplier = diff_mult;
  quant.shift = diff_shift;
  status = ts_depthwise_conv_s8(&ctx, &params, &quant, &in, diff_input, &filter, diff_filter,
                                has_bias ? diff_bias : 0, &out, diff_output);
  snprintf(desc, sizeof desc,
           "dw in=%dx%dx%dx%d m=%d f=%dx%d out=%dx%dx%d s=%d,%d d=%d,%d p=%d,%d bias=%d io=%d oo=%d act=%d..%d",
           (int)in.n, (int)in.h, (int)in.w, (int)in.c, (int)params.ch_mult, (int)filter.h, (int)filter.w,
           (int)out.h, (int)out.w, (int)out.c, (int)params.stride.h, (int)params.stride.w, (int)params.dilation.h,
           (int)params.dilation.w, (int)params.padding.h, (int)params.padding.w, (int)has_bias,
           (int)params.input_offset, (int)params.output_offset, (int)params.activation.min,
           (int)params.activation.max);
  diff_report(index, desc, status, diff_output, out.n * out.h * out.w * out.c);
}
