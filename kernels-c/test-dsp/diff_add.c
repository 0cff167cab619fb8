/* ADD cases for the differential harness (diff.h): path add_row (add_mul.c) against the portable
 * add_element, with broadcasting (step 0), strided and reversed views, and any parameters the
 * validator accepts (left shift 0..20, offsets -255..255, any multiplier, shifts -31..30). */
#include "diff.h"

void diff_case_add(uint64_t seed, int32_t index) {
  diff_rng r;
  ts_add_params p;
  ts_shape shape;
  ts_view v1, v2;
  int32_t k, total = 1, status, wild;
  char desc[240];
  diff_seed(&r, seed, (uint64_t)index);
  for (k = 0; k < TS_MAX_DIMS; ++k) shape.dims[k] = 1;
  for (k = TS_MAX_DIMS - diff_range(&r, 1, 4); k < TS_MAX_DIMS; ++k) shape.dims[k] = diff_range(&r, 1, k == TS_MAX_DIMS - 1 ? 40 : 6);
  if (diff_chance(&r, 1, 100)) shape.dims[diff_range(&r, 0, TS_MAX_DIMS - 1)] = 0;
  for (k = 0; k < TS_MAX_DIMS; ++k) total *= shape.dims[k];
  /* Views: dense row-major, or broadcast (step 0) along some dims, or the last dim reversed. */
  {
    ts_view *v[2];
    int32_t j;
    v[0] = &v1;
    v[1] = &v2;
    for (j = 0; j < 2; ++j) {
      int32_t step = 1, start = 0;
      for (k = TS_MAX_DIMS - 1; k >= 0; --k) {
        v[j]->dims[k] = shape.dims[k];
        v[j]->step[k] = diff_chance(&r, 1, 6) ? 0 : step;
        step *= shape.dims[k] > 0 ? shape.dims[k] : 1;
      }
      if (diff_chance(&r, 1, 8) && shape.dims[TS_MAX_DIMS - 1] > 0) {
        v[j]->step[TS_MAX_DIMS - 1] = -v[j]->step[TS_MAX_DIMS - 1];
        start = (shape.dims[TS_MAX_DIMS - 1] - 1) * -v[j]->step[TS_MAX_DIMS - 1];
      }
      v[j]->start = start;
    }
  }
  wild = diff_chance(&r, 1, 8);
  p.left_shift = wild ? diff_range(&r, 0, 20) : 20;
  p.input1_offset = wild ? diff_range(&r, -255, 255) : diff_range(&r, -127, 128);
  p.input2_offset = wild ? diff_range(&r, -255, 255) : diff_range(&r, -127, 128);
  p.output_offset = wild ? diff_range(&r, -255, 255) : diff_range(&r, -128, 127);
  diff_requant(&r, &p.input1.multiplier, &p.input1.shift, 1);
  diff_requant(&r, &p.input2.multiplier, &p.input2.shift, 1);
  diff_requant(&r, &p.output.multiplier, &p.output.shift, 1);
  if (wild) {
    p.input1.multiplier = (int32_t)diff_u32(&r);
    p.input1.shift = diff_range(&r, -31, 30);
    p.input2.multiplier = (int32_t)diff_u32(&r);
    p.input2.shift = diff_range(&r, -31, 30);
    p.output.multiplier = (int32_t)diff_u32(&r);
    p.output.shift = diff_range(&r, -31, 30);
  } else {
    /* TFLite's ADD: input shifts <= 0 (left shift 20 applied first), output shift small. */
    p.input1.shift = diff_range(&r, -31, 0);
    p.input2.shift = diff_range(&r, -31, 0);
    p.output.shift = diff_range(&r, -24, 0);
  }
  diff_activation(&r, &p.activation);
  diff_fill_s8(&r, diff_input, total > 0 ? total : 1);
  diff_fill_s8(&r, diff_filter, total > 0 ? total : 1);
  status = ts_add_s8(&p, &shape, &v1, diff_input, &v2, diff_filter, diff_output);
  snprintf(desc, sizeof desc,
           "add dims=%dx%dx%dx%dx%dx%d steps1=%d,%d,%d,%d,%d,%d@%d steps2=%d,%d,%d,%d,%d,%d@%d ls=%d off=%d,%d,%d "
           "q=%d/%d,%d/%d,%d/%d act=%d..%d",
           (int)shape.dims[0], (int)shape.dims[1], (int)shape.dims[2], (int)shape.dims[3], (int)shape.dims[4],
           (int)shape.dims[5], (int)v1.step[0], (int)v1.step[1], (int)v1.step[2], (int)v1.step[3], (int)v1.step[4],
           (int)v1.step[5], (int)v1.start, (int)v2.step[0], (int)v2.step[1], (int)v2.step[2], (int)v2.step[3],
           (int)v2.step[4], (int)v2.step[5], (int)v2.start, (int)p.left_shift, (int)p.input1_offset,
           (int)p.input2_offset, (int)p.output_offset, (int)p.input1.multiplier, (int)p.input1.shift,
           (int)p.input2.multiplier, (int)p.input2.shift, (int)p.output.multiplier, (int)p.output.shift,
           (int)p.activation.min, (int)p.activation.max);
  diff_report(index, desc, status, diff_output, total);
}
