/*
 * SPACE_TO_BATCH_ND (ts_space_to_batch, reference_ops::SpaceToBatchND) and
 * BATCH_TO_SPACE_ND (ts_batch_to_space, reference_ops::BatchToSpaceND) for the
 * cases that are not one strided walk (ops-move): paddings, and crops inside a
 * block. The loops are TFLM's, so every index stays inside its tensor: rows
 * and columns outside the input (padding) or the output (crops) are skipped
 * by the same tests TFLM makes.
 */
#include <stddef.h>
#include "tinysense_nn.h"

static void copy_bytes(uint8_t *dst, const uint8_t *src, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) dst[i] = src[i];
}

static int32_t valid(const ts_batch_space_params *p) {
  return (p->elem_size == 1 || p->elem_size == 2 || p->elem_size == 4) && p->block_h >= 1 &&
         p->block_w >= 1 && p->input_dims.c == p->output_dims.c;
}

ts_status ts_space_to_batch(const ts_batch_space_params *params,
                            const void *input, void *output) {
  const ts_dims *in = &params->input_dims, *out = &params->output_dims;
  const int32_t bh = params->block_h, bw = params->block_w;
  const int32_t row = in->c * params->elem_size;
  const uint8_t *src = (const uint8_t *)input;
  uint8_t *dst = (uint8_t *)output;
  int32_t b, h, w, k;
  if (!valid(params) || (out->n > 0 && in->n < 1)) return TS_ERROR_ARGUMENT;
  for (b = 0; b < out->n; ++b) {
    const int32_t batch = b % in->n;
    const int32_t shift_w = (b / in->n) % bw, shift_h = (b / in->n) / bw;
    for (h = 0; h < out->h; ++h) {
      const int32_t y = h * bh + shift_h - params->before_h;
      for (w = 0; w < out->w; ++w) {
        const int32_t x = w * bw + shift_w - params->before_w;
        if (y < 0 || y >= in->h || x < 0 || x >= in->w) {
          for (k = 0; k < row; ++k) dst[k] = 0;
        } else {
          copy_bytes(dst, src + ((batch * in->h + y) * in->w + x) * row, row);
        }
        dst += row;
      }
    }
  }
  return TS_OK;
}

ts_status ts_batch_to_space(const ts_batch_space_params *params,
                            const void *input, void *output) {
  const ts_dims *in = &params->input_dims, *out = &params->output_dims;
  const int32_t bh = params->block_h, bw = params->block_w;
  const int32_t row = in->c * params->elem_size;
  const uint8_t *src = (const uint8_t *)input;
  uint8_t *dst = (uint8_t *)output;
  int32_t b, h, w;
  if (!valid(params) || (in->n > 0 && out->n < 1)) return TS_ERROR_ARGUMENT;
  for (b = 0; b < in->n; ++b) {
    const int32_t batch = b % out->n, spatial = b / out->n;
    for (h = 0; h < in->h; ++h) {
      const int32_t y = h * bh + spatial / bw - params->before_h;
      if (y < 0 || y >= out->h) continue;
      for (w = 0; w < in->w; ++w) {
        const int32_t x = w * bw + spatial % bw - params->before_w;
        if (x < 0 || x >= out->w) continue;
        copy_bytes(dst + ((batch * out->h + y) * out->w + x) * row,
                   src + ((b * in->h + h) * in->w + w) * row, row);
      }
    }
  }
  return TS_OK;
}
