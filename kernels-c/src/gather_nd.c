/*
 * GATHER_ND (ops-move): mirrors TFLM's gather_nd.cc. Slice i of the output is
 * the params' elements [from, from + slice_size), from = sum of index[i][j] *
 * stride[j]; as in TFLM only that flat range is checked (an index past its own
 * dimension that stays inside the params is taken as TFLM takes it), and a
 * range outside the params fails the invoke. The sum is 64-bit, so what would
 * overflow TFLM's int is refused instead.
 */
#include <stddef.h>
#include "tinysense_nn.h"

ts_status ts_gather_nd(const ts_gather_nd_params *params, const void *input,
                       const int32_t *indices, void *output) {
  const int32_t es = params->elem_size, depth = params->index_depth;
  const int32_t bytes = params->slice_size * es;
  const uint8_t *in = (const uint8_t *)input;
  uint8_t *out = (uint8_t *)output;
  int32_t i, j, k;
  if ((es != 1 && es != 2 && es != 4) || depth < 0 || depth > TS_MAX_DIMS) return TS_ERROR_ARGUMENT;
  for (i = 0; i < params->slices; ++i) {
    int64_t from = 0;
    for (j = 0; j < depth; ++j) from += (int64_t)indices[i * depth + j] * params->strides[j];
    if (from < 0 || from + params->slice_size > params->flat_size) return TS_ERROR_ARGUMENT;
    for (k = 0; k < bytes; ++k) out[k] = in[from * es + k];
    out += bytes;
  }
  return TS_OK;
}
