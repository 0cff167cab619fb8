/*
 * fuzz_work.h: what the fuzz targets let ts_invoke run. A record that
 * ts_check_record() accepted runs in work bounded by its fields (the
 * validators' work rules, docs/model-pack.md "Validation"); its total is the
 * work the pack declares, which a device compares with its watchdog budget (validatePack's layout.work)
 * (a watchdog budget). The fuzz targets apply such a cap: records whose
 * multiply-accumulates or window reads exceed what is left of the input's
 * FUZZ_MAX_WORK are checked but not run, so a timeout (> 1 s) is a record whose work the validators failed
 * to bound, not a big legitimate one.
 */
#ifndef TINYSENSE_FUZZ_WORK_H
#define TINYSENSE_FUZZ_WORK_H

#include <stdint.h>

#include "tinysense_nn.h"

/* Per input (all its records): ~0.3 s of instrumented kernels at most, under the 1 s timeout. */
#define FUZZ_MAX_WORK ((int64_t)1 << 21)

static int64_t fuzz_budget;

static int64_t fuzz_mul(int64_t a, int64_t b) {
  if (a <= 0 || b <= 0) return 0;
  if (a > ((int64_t)1 << 62) / b) return (int64_t)1 << 62;
  return a * b;
}

static int64_t fuzz_min(int64_t a, int64_t b) { return a < b ? a : b; }

/* The MACs or window reads of a record the check accepted (0 for ops whose work is linear in the arena). */
static int64_t fuzz_record_work(const int32_t *w) {
  switch (w[0]) {
    case TS_OP_CONV_2D: {
      const ts_conv_record *r = (const ts_conv_record *)(const void *)w;
      const ts_dims *o = &r->output_dims, *f = &r->filter_dims;
      return fuzz_mul(fuzz_mul(fuzz_mul(o->n, o->h), fuzz_mul(o->w, o->c)), fuzz_mul(fuzz_mul(f->h, f->w), f->c));
    }
    case TS_OP_DEPTHWISE_CONV_2D: {
      const ts_dw_conv_record *r = (const ts_dw_conv_record *)(const void *)w;
      const ts_dims *o = &r->output_dims, *f = &r->filter_dims;
      return fuzz_mul(fuzz_mul(fuzz_mul(o->n, o->h), fuzz_mul(o->w, o->c)), fuzz_mul(f->h, f->w));
    }
    case TS_OP_FULLY_CONNECTED: {
      const ts_fc_record *r = (const ts_fc_record *)(const void *)w;
      return fuzz_mul(fuzz_mul(r->dims.batches, r->dims.output_depth), r->dims.accum_depth);
    }
    case TS_OP_AVERAGE_POOL_2D:
    case TS_OP_MAX_POOL_2D: {
      const ts_pool_record *r = (const ts_pool_record *)(const void *)w;
      const ts_dims *o = &r->output_dims, *i = &r->input_dims;
      return fuzz_mul(fuzz_mul(fuzz_mul(o->n, o->h), fuzz_mul(o->w, o->c)),
                      fuzz_mul(fuzz_min(r->params.filter.h, i->h), fuzz_min(r->params.filter.w, i->w)));
    }
    case TS_OP_SIGNAL_RFFT: {
      const ts_signal_rfft_record *r = (const ts_signal_rfft_record *)(const void *)w;
      return fuzz_mul(fuzz_mul(r->frames, r->fft_length), 17);
    }
    default:
      return 0;
  }
}

/* Whether to run the record: its work fits what is left of this input's budget (taken from it). */
static int fuzz_allow(const int32_t *w) {
  int64_t work = fuzz_record_work(w);
  if (work > fuzz_budget) return 0;
  fuzz_budget -= work;
  return 1;
}

#endif /* TINYSENSE_FUZZ_WORK_H */
