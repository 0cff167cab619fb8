/*
 * ts_invoke: decodes one op record (tinysense_nn.h, docs/model-pack.md) and
 * calls its kernel. Records are validated by the runtime before the first
 * call; here only the op code and the record length are checked. A switch,
 * not a table of function pointers: the Cortex-M4 blob must have no
 * absolute addresses.
 */
#include <stddef.h>
#include "tinysense_nn.h"

#define WORDS(type) ((int32_t)(sizeof(type) / sizeof(int32_t)))

/* A blob for one app holds only the kernels its packs use (kernels-c/arm/build.sh --ops): the
 * build defines TS_OPS_MASK0 (op codes 0-31) and TS_OPS_MASK1 (32-63), one bit per op code.
 * Each case below starts with BUILT(op): a constant condition, so the kernels of the ops left
 * out are never referenced and --gc-sections drops them. Without the masks every op is built. */
#ifndef TS_OPS_MASK0
#define TS_OPS_MASK0 0xffffffffu
#define TS_OPS_MASK1 0xffffffffu
#endif
#define TS_HAS(op) \
  ((op) < 32 ? ((uint32_t)(TS_OPS_MASK0) >> (op)) & 1u : ((uint32_t)(TS_OPS_MASK1) >> ((op) - 32)) & 1u)
#define BUILT(op) \
  if (!TS_HAS(op)) return TS_ERROR_UNKNOWN_OP

static const void *operand(int32_t offset, int32_t in_pack, uint8_t *arena,
                           const uint8_t *pack) {
  return in_pack ? (const void *)(pack + offset) : (const void *)(arena + offset);
}

/*
 * What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED records share: per-channel multipliers and
 * shifts in the pack, an optional scratch buffer in the arena, an optional bias in the pack.
 */
static const int32_t *mac_setup(const uint8_t *pack, uint8_t *arena, int32_t multipliers, int32_t shifts,
                                int32_t scratch, int32_t bias, ts_per_channel_quant_params *quant,
                                ts_context *ctx) {
  quant->multiplier = (const int32_t *)(const void *)(pack + multipliers);
  quant->shift = (const int32_t *)(const void *)(pack + shifts);
  ctx->buf = scratch < 0 ? NULL : (void *)(arena + scratch);
  ctx->size = 0;
  return bias < 0 ? NULL : (const int32_t *)(const void *)(pack + bias);
}

static int32_t conv(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  const ts_conv_record *r = (const ts_conv_record *)(const void *)record;
  ts_per_channel_quant_params quant;
  ts_context ctx;
  const int32_t *bias = mac_setup(pack, arena, r->multipliers, r->shifts, r->scratch, r->bias, &quant, &ctx);
  return ts_convolve_s8(&ctx, &r->params, &quant, &r->input_dims, (const int8_t *)(arena + r->input),
                        &r->filter_dims, (const int8_t *)(pack + r->filter), bias, &r->output_dims,
                        (int8_t *)(arena + r->output));
}

static int32_t dw_conv(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  const ts_dw_conv_record *r = (const ts_dw_conv_record *)(const void *)record;
  ts_per_channel_quant_params quant;
  ts_context ctx;
  const int32_t *bias = mac_setup(pack, arena, r->multipliers, r->shifts, r->scratch, r->bias, &quant, &ctx);
  return ts_depthwise_conv_s8(&ctx, &r->params, &quant, &r->input_dims, (const int8_t *)(arena + r->input),
                              &r->filter_dims, (const int8_t *)(pack + r->filter), bias, &r->output_dims,
                              (int8_t *)(arena + r->output));
}

static int32_t fully_connected(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  const ts_fc_record *r = (const ts_fc_record *)(const void *)record;
  ts_per_channel_quant_params quant;
  ts_context ctx;
  const int32_t *bias = mac_setup(pack, arena, r->multipliers, r->shifts, r->scratch, r->bias, &quant, &ctx);
  return ts_fully_connected_s8(&ctx, &r->params, &quant, r->per_channel, &r->dims,
                               (const int8_t *)(arena + r->input), (const int8_t *)(pack + r->filter), bias,
                               (int8_t *)(arena + r->output));
}

static int32_t concatenation(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  const ts_concat_record *r = (const ts_concat_record *)(const void *)record;
  const ts_concat_input *inputs =
      (const ts_concat_input *)(const void *)(record + WORDS(ts_concat_record));
  int32_t j, total = 0, column = 0;
  if (r->input_count < 0 ||
      r->head.words != WORDS(ts_concat_record) + r->input_count * WORDS(ts_concat_input)) {
    return TS_ERROR_ARGUMENT;
  }
  for (j = 0; j < r->input_count; ++j) total += inputs[j].row_bytes;
  for (j = 0; j < r->input_count; ++j) {
    ts_copy_rows(r->outer_size, inputs[j].row_bytes,
                 operand(inputs[j].input, inputs[j].in_pack, arena, pack),
                 arena + r->output + column, total);
    column += inputs[j].row_bytes;
  }
  return TS_OK;
}

int32_t ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  const int32_t op = record[0];
  const int32_t words = record[1];
  switch (op) {
    case TS_OP_CONV_2D:
      BUILT(TS_OP_CONV_2D);
      if (words != WORDS(ts_conv_record)) break;
      return conv(record, arena, pack);
    case TS_OP_DEPTHWISE_CONV_2D:
      BUILT(TS_OP_DEPTHWISE_CONV_2D);
      if (words != WORDS(ts_dw_conv_record)) break;
      return dw_conv(record, arena, pack);
    case TS_OP_FULLY_CONNECTED:
      BUILT(TS_OP_FULLY_CONNECTED);
      if (words != WORDS(ts_fc_record)) break;
      return fully_connected(record, arena, pack);
    case TS_OP_AVERAGE_POOL_2D:
    case TS_OP_MAX_POOL_2D: {
      const ts_pool_record *r = (const ts_pool_record *)(const void *)record;
      if (op == TS_OP_AVERAGE_POOL_2D) BUILT(TS_OP_AVERAGE_POOL_2D);
      if (op == TS_OP_MAX_POOL_2D) BUILT(TS_OP_MAX_POOL_2D);
      if (words != WORDS(ts_pool_record)) break;
      return op == TS_OP_AVERAGE_POOL_2D
                 ? ts_avgpool_s8(NULL, &r->params, &r->input_dims,
                                 (const int8_t *)(arena + r->input), &r->output_dims,
                                 (int8_t *)(arena + r->output))
                 : ts_maxpool_s8(NULL, &r->params, &r->input_dims,
                                 (const int8_t *)(arena + r->input), &r->output_dims,
                                 (int8_t *)(arena + r->output));
    }
    case TS_OP_SOFTMAX: {
      BUILT(TS_OP_SOFTMAX);
      const ts_softmax_record *r = (const ts_softmax_record *)(const void *)record;
      if (words != WORDS(ts_softmax_record)) break;
      return ts_softmax_s8(&r->params, r->rows, r->row_size,
                           (const int8_t *)(arena + r->input), (int8_t *)(arena + r->output));
    }
    case TS_OP_LOGISTIC:
    case TS_OP_TANH: {
      const ts_sigmoid_record *r = (const ts_sigmoid_record *)(const void *)record;
      if (op == TS_OP_LOGISTIC) BUILT(TS_OP_LOGISTIC);
      if (op == TS_OP_TANH) BUILT(TS_OP_TANH);
      if (words != WORDS(ts_sigmoid_record)) break;
      return op == TS_OP_LOGISTIC
                 ? ts_logistic_s8(&r->params, r->size, (const int8_t *)(arena + r->input),
                                  (int8_t *)(arena + r->output))
                 : ts_tanh_s8(&r->params, r->size, (const int8_t *)(arena + r->input),
                              (int8_t *)(arena + r->output));
    }
    case TS_OP_ADD: {
      BUILT(TS_OP_ADD);
      const ts_add_record *r = (const ts_add_record *)(const void *)record;
      if (words != WORDS(ts_add_record)) break;
      return ts_add_s8(&r->params, &r->output_shape, &r->input1_view,
                       (const int8_t *)operand(r->input1, r->input1_in_pack, arena, pack),
                       &r->input2_view,
                       (const int8_t *)operand(r->input2, r->input2_in_pack, arena, pack),
                       (int8_t *)(arena + r->output));
    }
    case TS_OP_SUB: {
      BUILT(TS_OP_SUB);
      const ts_add_record *r = (const ts_add_record *)(const void *)record;
      if (words != WORDS(ts_add_record)) break;
      return ts_sub_s8(&r->params, &r->output_shape, &r->input1_view,
                       (const int8_t *)operand(r->input1, r->input1_in_pack, arena, pack),
                       &r->input2_view,
                       (const int8_t *)operand(r->input2, r->input2_in_pack, arena, pack),
                       (int8_t *)(arena + r->output));
    }
    case TS_OP_MUL: {
      BUILT(TS_OP_MUL);
      const ts_mul_record *r = (const ts_mul_record *)(const void *)record;
      if (words != WORDS(ts_mul_record)) break;
      return ts_mul_s8(&r->params, &r->output_shape, &r->input1_view,
                       (const int8_t *)operand(r->input1, r->input1_in_pack, arena, pack),
                       &r->input2_view,
                       (const int8_t *)operand(r->input2, r->input2_in_pack, arena, pack),
                       (int8_t *)(arena + r->output));
    }
    case TS_OP_REQUANTIZE: {
      BUILT(TS_OP_REQUANTIZE);
      const ts_requantize_record *r = (const ts_requantize_record *)(const void *)record;
      if (words != WORDS(ts_requantize_record)) break;
      return ts_requantize_s8(&r->params, r->size, (const int8_t *)(arena + r->input),
                              (int8_t *)(arena + r->output));
    }
    case TS_OP_LEAKY_RELU: {
      BUILT(TS_OP_LEAKY_RELU);
      const ts_leaky_relu_record *r = (const ts_leaky_relu_record *)(const void *)record;
      if (words != WORDS(ts_leaky_relu_record)) break;
      return ts_leaky_relu_s8(&r->params, r->size, (const int8_t *)(arena + r->input),
                              (int8_t *)(arena + r->output));
    }
    case TS_OP_DEQUANTIZE: {
      BUILT(TS_OP_DEQUANTIZE);
      const ts_affine_record *r = (const ts_affine_record *)(const void *)record;
      if (words != WORDS(ts_affine_record)) break;
      return ts_dequantize_s8_f32(&r->params, r->size, (const int8_t *)(arena + r->input),
                                  (float *)(void *)(arena + r->output));
    }
    case TS_OP_QUANTIZE_F32: {
      BUILT(TS_OP_QUANTIZE_F32);
      const ts_affine_record *r = (const ts_affine_record *)(const void *)record;
      if (words != WORDS(ts_affine_record)) break;
      return ts_quantize_f32_s8(&r->params, r->size,
                                (const float *)(const void *)(arena + r->input),
                                (int8_t *)(arena + r->output));
    }
    case TS_OP_MEAN: {
      BUILT(TS_OP_MEAN);
      const ts_mean_record *r = (const ts_mean_record *)(const void *)record;
      if (words != WORDS(ts_mean_record)) break;
      return ts_mean_s8(&r->params, &r->outer, &r->inner, (const int8_t *)(arena + r->input),
                        (int8_t *)(arena + r->output));
    }
    case TS_OP_GATHER_VIEW: {
      BUILT(TS_OP_GATHER_VIEW);
      const ts_gather_record *r = (const ts_gather_record *)(const void *)record;
      if (words != WORDS(ts_gather_record)) break;
      return ts_gather_view(r->elem_size, &r->view,
                            operand(r->input, r->input_in_pack, arena, pack),
                            arena + r->output);
    }
    case TS_OP_PAD: {
      BUILT(TS_OP_PAD);
      const ts_pad_record *r = (const ts_pad_record *)(const void *)record;
      if (words != WORDS(ts_pad_record)) break;
      return ts_pad(r->elem_size, &r->params, arena + r->input, arena + r->output);
    }
    case TS_OP_CONCATENATION:
      BUILT(TS_OP_CONCATENATION);
      if (words < WORDS(ts_concat_record)) break;
      return concatenation(record, arena, pack);
    case TS_OP_COPY: {
      BUILT(TS_OP_COPY);
      const ts_copy_record *r = (const ts_copy_record *)(const void *)record;
      if (words != WORDS(ts_copy_record)) break;
      ts_copy_bytes(arena + r->output, operand(r->input, r->input_in_pack, arena, pack),
                    r->bytes);
      return TS_OK;
    }
    /* ops-move: GATHER with run-time positions, RESIZE_*. */
    case TS_OP_GATHER_INDEX: {
      BUILT(TS_OP_GATHER_INDEX);
      const ts_gather_index_record *r = (const ts_gather_index_record *)(const void *)record;
      if (words != WORDS(ts_gather_index_record)) break;
      return ts_gather(&r->params, operand(r->input, r->input_in_pack, arena, pack),
                       (const int32_t *)operand(r->indices, r->indices_in_pack, arena, pack),
                       arena + r->output);
    }
    case TS_OP_RESIZE_NEAREST_NEIGHBOR: {
      BUILT(TS_OP_RESIZE_NEAREST_NEIGHBOR);
      const ts_resize_record *r = (const ts_resize_record *)(const void *)record;
      if (words != WORDS(ts_resize_record)) break;
      return ts_resize_nearest(&r->params, arena + r->input, arena + r->output);
    }
    case TS_OP_RESIZE_BILINEAR: {
      BUILT(TS_OP_RESIZE_BILINEAR);
      const ts_resize_record *r = (const ts_resize_record *)(const void *)record;
      if (words != WORDS(ts_resize_record)) break;
      return ts_resize_bilinear_s8(&r->params, (const int8_t *)(arena + r->input),
                                   (int8_t *)(arena + r->output));
    }
    case TS_OP_SPACE_TO_BATCH_ND:
    case TS_OP_BATCH_TO_SPACE_ND: {
      const ts_batch_space_record *r = (const ts_batch_space_record *)(const void *)record;
      if (words != WORDS(ts_batch_space_record)) break;
      if (op == TS_OP_SPACE_TO_BATCH_ND) {
        BUILT(TS_OP_SPACE_TO_BATCH_ND);
        return ts_space_to_batch(&r->params, arena + r->input, arena + r->output);
      }
      BUILT(TS_OP_BATCH_TO_SPACE_ND);
      return ts_batch_to_space(&r->params, arena + r->input, arena + r->output);
    }
    case TS_OP_GATHER_ND: {
      BUILT(TS_OP_GATHER_ND);
      const ts_gather_nd_record *r = (const ts_gather_nd_record *)(const void *)record;
      if (words != WORDS(ts_gather_nd_record)) break;
      return ts_gather_nd(&r->params, operand(r->input, r->input_in_pack, arena, pack),
                          (const int32_t *)operand(r->indices, r->indices_in_pack, arena, pack),
                          arena + r->output);
    }
    case TS_OP_SIGNAL_WINDOW:
    case TS_OP_SIGNAL_FFT_AUTO_SCALE:
    case TS_OP_SIGNAL_RFFT:
    case TS_OP_SIGNAL_ENERGY:
    case TS_OP_SIGNAL_FILTER_BANK:
    case TS_OP_SIGNAL_FILTER_BANK_SQRT:
    case TS_OP_SIGNAL_SPECTRAL_SUBTRACTION:
    case TS_OP_SIGNAL_PCAN:
    case TS_OP_SIGNAL_FILTER_BANK_LOG:
    case TS_OP_CAST:
    case TS_OP_ELEMENTWISE_S32:
      /* ts_invoke_signal guards each of its op codes itself. */
      return ts_invoke_signal(record, arena, pack);
    default:
      return TS_ERROR_UNKNOWN_OP;
  }
  return TS_ERROR_ARGUMENT; /* wrong record length */
}
