/*
 * Data movement: TRANSPOSE and STRIDED_SLICE (ts_gather_view), PAD (ts_pad,
 * reference_ops::Pad), CONCATENATION (ts_copy_rows, one input at a time),
 * RESHAPE that cannot alias (ts_copy_bytes). Byte copies only, so elements of
 * 2 or 4 bytes need no alignment.
 */
#include <stddef.h>
#include "tinysense_nn.h"

static void copy_elem(uint8_t *dst, const uint8_t *src, int32_t elem_size) {
  dst[0] = src[0];
  if (elem_size >= 2) {
    dst[1] = src[1];
    if (elem_size == 4) {
      dst[2] = src[2];
      dst[3] = src[3];
    }
  }
}

ts_status ts_gather_view(int32_t elem_size, const ts_view *view,
                         const void *input, void *output) {
  const int32_t *d = view->dims, *s = view->step;
  const uint8_t *in = (const uint8_t *)input;
  uint8_t *out = (uint8_t *)output;
  int32_t i0, i1, i2, i3, i4, i5;
  if (elem_size != 1 && elem_size != 2 && elem_size != 4) return TS_ERROR_ARGUMENT;
  for (i0 = 0; i0 < d[0]; ++i0) {
    const int32_t o0 = view->start + i0 * s[0];
    for (i1 = 0; i1 < d[1]; ++i1) {
      const int32_t o1 = o0 + i1 * s[1];
      for (i2 = 0; i2 < d[2]; ++i2) {
        const int32_t o2 = o1 + i2 * s[2];
        for (i3 = 0; i3 < d[3]; ++i3) {
          const int32_t o3 = o2 + i3 * s[3];
          for (i4 = 0; i4 < d[4]; ++i4) {
            const int32_t o4 = o3 + i4 * s[4];
            if (elem_size == 1) {
              for (i5 = 0; i5 < d[5]; ++i5) *out++ = in[o4 + i5 * s[5]];
            } else {
              for (i5 = 0; i5 < d[5]; ++i5) {
                copy_elem(out, in + (o4 + i5 * s[5]) * elem_size, elem_size);
                out += elem_size;
              }
            }
          }
        }
      }
    }
  }
  return TS_OK;
}

static void fill(uint8_t *dst, int32_t count, const uint8_t *value, int32_t elem_size) {
  int32_t i;
  if (elem_size == 1) {
    const uint8_t v = value[0];
    for (i = 0; i < count; ++i) dst[i] = v;
  } else {
    for (i = 0; i < count; ++i) copy_elem(dst + i * elem_size, value, elem_size);
  }
}

/* Output row (last dim) by row: rows outside the input's extent are all
 * padding; the others are left padding, the input row, right padding. */
ts_status ts_pad(int32_t elem_size, const ts_pad_params *params,
                 const void *input, void *output) {
  const int32_t *id = params->input_dims, *od = params->output_dims, *b = params->before;
  const uint8_t *in = (const uint8_t *)input;
  uint8_t *out = (uint8_t *)output;
  uint8_t value[4];
  int32_t i0, i1, i2, i3, i4, k;
  const int32_t row_in = id[5] * elem_size, row_out = od[5] * elem_size;
  const int32_t left = b[5] * elem_size;
  if (elem_size != 1 && elem_size != 2 && elem_size != 4) return TS_ERROR_ARGUMENT;
  for (k = 0; k < TS_MAX_DIMS; ++k) {
    if (b[k] < 0 || id[k] < 0 || b[k] + id[k] > od[k]) return TS_ERROR_ARGUMENT;
  }
  /* pad_value's low elem_size bytes, little-endian (float bits for float32) */
  value[0] = (uint8_t)params->pad_value;
  value[1] = (uint8_t)((uint32_t)params->pad_value >> 8);
  value[2] = (uint8_t)((uint32_t)params->pad_value >> 16);
  value[3] = (uint8_t)((uint32_t)params->pad_value >> 24);

  for (i0 = 0; i0 < od[0]; ++i0) {
    const int32_t j0 = i0 - b[0];
    const int in0 = j0 >= 0 && j0 < id[0];
    for (i1 = 0; i1 < od[1]; ++i1) {
      const int32_t j1 = i1 - b[1];
      const int in1 = in0 && j1 >= 0 && j1 < id[1];
      for (i2 = 0; i2 < od[2]; ++i2) {
        const int32_t j2 = i2 - b[2];
        const int in2 = in1 && j2 >= 0 && j2 < id[2];
        for (i3 = 0; i3 < od[3]; ++i3) {
          const int32_t j3 = i3 - b[3];
          const int in3 = in2 && j3 >= 0 && j3 < id[3];
          for (i4 = 0; i4 < od[4]; ++i4) {
            const int32_t j4 = i4 - b[4];
            if (in3 && j4 >= 0 && j4 < id[4]) {
              const uint8_t *src =
                  in + ((((j0 * id[1] + j1) * id[2] + j2) * id[3] + j3) * id[4] + j4) * row_in;
              fill(out, b[5], value, elem_size);
              for (k = 0; k < row_in; ++k) out[left + k] = src[k];
              fill(out + left + row_in, od[5] - id[5] - b[5], value, elem_size);
            } else {
              fill(out, od[5], value, elem_size);
            }
            out += row_out;
          }
        }
      }
    }
  }
  return TS_OK;
}

ts_status ts_copy_rows(int32_t rows, int32_t row_bytes, const void *src,
                       void *dst, int32_t dst_stride) {
  const uint8_t *s = (const uint8_t *)src;
  uint8_t *d = (uint8_t *)dst;
  int32_t r, k;
  for (r = 0; r < rows; ++r) {
    for (k = 0; k < row_bytes; ++k) d[k] = s[k];
    s += row_bytes;
    d += dst_stride;
  }
  return TS_OK;
}

void ts_copy_bytes(void *dst, const void *src, int32_t bytes) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  int32_t k;
  if (d == s || bytes <= 0) return;
  if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + (uint32_t)bytes) {
    /* forward copy, word at a time when both are aligned alike */
    k = 0;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3u) == 0) {
      while (k < bytes && ((uintptr_t)(d + k) & 3u)) {
        d[k] = s[k];
        k++;
      }
      for (; k + 4 <= bytes; k += 4) *(uint32_t *)(void *)(d + k) = *(const uint32_t *)(const void *)(s + k);
    }
    for (; k < bytes; ++k) d[k] = s[k];
  } else {
    for (k = bytes - 1; k >= 0; --k) d[k] = s[k];
  }
}
