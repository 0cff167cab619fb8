/*
 * Data movement that is not an affine walk (ops-move): GATHER with positions
 * read at run time (ts_gather, TFLM's gather.cc), RESIZE_NEAREST_NEIGHBOR
 * (ts_resize_nearest, reference_ops::ResizeNearestNeighbor) and int8
 * RESIZE_BILINEAR (ts_resize_bilinear_s8, reference_ops::ResizeBilinearInteger).
 * Byte copies, so elements of 2 or 4 bytes need no alignment.
 */
#include <stddef.h>
#include "tinysense_nn.h"

static void copy_bytes(uint8_t *dst, const uint8_t *src, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) dst[i] = src[i];
}

ts_status ts_gather(const ts_gather_params *params, const void *input,
                    const int32_t *indices, void *output) {
  const int32_t es = params->elem_size, outer = params->outer, axis = params->axis_size;
  const int32_t coords = params->coords, row = params->inner * es;
  const uint8_t *in = (const uint8_t *)input;
  uint8_t *out = (uint8_t *)output;
  int32_t b, o, k;
  if (es != 1 && es != 2 && es != 4) return TS_ERROR_ARGUMENT;
  for (b = 0; b < params->batches; ++b) {
    const int32_t *index = indices + b * coords;
    for (o = 0; o < outer; ++o) {
      const uint8_t *slab = in + (b * outer + o) * axis * row;
      for (k = 0; k < coords; ++k) {
        const int32_t at = index[k];
        if (at < 0 || at >= axis) return TS_ERROR_ARGUMENT;
        copy_bytes(out, slab + at * row, row);
        out += row;
      }
    }
  }
  return TS_OK;
}

/* GetNearestNeighbor: the same float operations in the same order as TFLM,
 * so the rounding matches; the products are never negative, so floor is a
 * truncation and TfLiteRound (half away from zero) is truncation plus one when
 * the fraction is at least one half. */
static int32_t nearest(int32_t value, int32_t input_size, int32_t output_size,
                       int32_t align_corners, int32_t half_pixel_centers) {
  const float scale = (align_corners && output_size > 1)
                          ? (float)(input_size - 1) / (float)(output_size - 1)
                          : (float)input_size / (float)output_size;
  const float offset = half_pixel_centers ? 0.5f : 0.0f;
  const float x = ((float)value + offset) * scale;
  int32_t r = (int32_t)x;
  if (align_corners && x - (float)r >= 0.5f) ++r;
  if (r > input_size - 1) r = input_size - 1;
  if (r < 0) r = 0;
  return r;
}

ts_status ts_resize_nearest(const ts_resize_params *params, const void *input,
                            void *output) {
  const int32_t es = params->elem_size, ih = params->input_height, iw = params->input_width;
  const int32_t oh = params->output_height, ow = params->output_width;
  const int32_t col = params->depth * es, row = iw * col, plane = ih * row;
  const uint8_t *in = (const uint8_t *)input;
  uint8_t *out = (uint8_t *)output;
  int32_t b, y, x;
  if (es != 1 && es != 2 && es != 4) return TS_ERROR_ARGUMENT;
  if ((oh > 0 && ih < 1) || (ow > 0 && iw < 1)) return TS_ERROR_ARGUMENT;
  for (b = 0; b < params->batches; ++b) {
    for (y = 0; y < oh; ++y) {
      const uint8_t *src_row = in + b * plane +
          nearest(y, ih, oh, params->align_corners, params->half_pixel_centers) * row;
      for (x = 0; x < ow; ++x) {
        copy_bytes(out, src_row + nearest(x, iw, ow, params->align_corners, params->half_pixel_centers) * col,
                   col);
        out += col;
      }
    }
  }
  return TS_OK;
}

/* ComputeInterpolationValuesInteger: 10-bit fixed-point source position and
 * its two neighbours (C division truncates toward zero, as in TFLM). */
static void interpolation(int32_t value, int32_t scale_10, int32_t half_pixel_centers,
                          int32_t input_size, int32_t *scaled, int32_t *lower, int32_t *upper) {
  int32_t v = value * scale_10;
  int32_t lo, hi;
  if (half_pixel_centers) v += scale_10 / 2 - (1 << 9);
  lo = v / (1 << 10);
  if (lo < 0) lo = 0;
  if (lo > input_size - 1) lo = input_size - 1; /* TFLM would read past the input */
  hi = (v + (1 << 10) - 1) / (1 << 10);
  if (hi > input_size - 1) hi = input_size - 1;
  *scaled = v;
  *lower = lo;
  *upper = hi;
}

static int32_t scale_10(int32_t in, int32_t out, int32_t align_corners) {
  if (align_corners && out > 1) return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  return ((1 << 10) * in + out / 2) / out;
}

ts_status ts_resize_bilinear_s8(const ts_resize_params *params,
                                const int8_t *input, int8_t *output) {
  const int32_t ih = params->input_height, iw = params->input_width;
  const int32_t oh = params->output_height, ow = params->output_width, depth = params->depth;
  int32_t b, y, x, c, hs, ws;
  if (params->elem_size != 1) return TS_ERROR_ARGUMENT;
  if (oh <= 0 || ow <= 0 || params->batches <= 0 || depth <= 0) return TS_OK;
  if (ih < 1 || iw < 1) return TS_ERROR_ARGUMENT;
  hs = scale_10(ih, oh, params->align_corners);
  ws = scale_10(iw, ow, params->align_corners);
  for (b = 0; b < params->batches; ++b) {
    const int8_t *plane = input + b * ih * iw * depth;
    for (y = 0; y < oh; ++y) {
      int32_t sy, y0, y1, dy;
      interpolation(y, hs, params->half_pixel_centers, ih, &sy, &y0, &y1);
      dy = sy - (1 << 10) * y0;
      for (x = 0; x < ow; ++x) {
        int32_t sx, x0, x1, dx;
        const int8_t *p00, *p10, *p01, *p11;
        interpolation(x, ws, params->half_pixel_centers, iw, &sx, &x0, &x1);
        dx = sx - (1 << 10) * x0;
        p00 = plane + (y0 * iw + x0) * depth;
        p10 = plane + (y1 * iw + x0) * depth;
        p01 = plane + (y0 * iw + x1) * depth;
        p11 = plane + (y1 * iw + x1) * depth;
        for (c = 0; c < depth; ++c) {
          const int64_t sum = (int64_t)p00[c] * ((1 << 10) - dy) * ((1 << 10) - dx) +
                              (int64_t)p10[c] * dy * ((1 << 10) - dx) +
                              (int64_t)p01[c] * ((1 << 10) - dy) * dx +
                              (int64_t)p11[c] * dy * dx;
          const int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);
          *output++ = (int8_t)((sum + round) / (1 << 20));
        }
      }
    }
  }
  return TS_OK;
}
