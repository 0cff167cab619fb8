/*
 * FULLY_CONNECTED int8, Cortex-M4 fast path (Arm DSP extension, dsp.h).
 * Called by ts_fully_connected_s8 (fully_connected.c), which checks its one
 * assumption first; the portable C there is the reference it must equal.
 *
 * The accumulator of output (b, o) in the reference is, modulo 2^32,
 *   sum_d (f[o][d] + fo) * (x[b][d] + io)
 *     = sum_d f[o][d] * (x[b][d] + io)  +  fo * sum_d (x[b][d] + io)
 * The first sum is the SMLAD loop below: x + io is computed in 16-bit lanes by
 * SXTAB16 with io duplicated in both lanes (exact while |io| <= 32640: the
 * wrapper checks it; the validator allows |io| <= 255), the filter bytes are
 * sign-extended by SXTB16, and SMLAD adds two 16x16 products per instruction,
 * wrapping modulo 2^32 as the reference's int32 sum does. The second sum does
 * not depend on o: it is computed once per batch row (only when fo != 0, i.e.
 * per-tensor quantization with a filter zero point). Then bias, MBQM, output
 * offset and clamp exactly as the portable C (ts_quant_apply, dsp.h: ts_mbqm
 * with the shift's constants prepared once per tensor or channel).
 *
 * Paths (TS_PATH names, and the functions the bench attributes cycles to):
 *   fc_rows4  ts_fc_s8_rows4: 4 filter rows per pass, so each unpacked input
 *             word serves 4 rows (16 MACs per 23 instructions); depth tail
 *             (depth % 4) in scalar code
 *   fc_rows1  ts_fc_s8_rows1: the last output_depth % 4 rows, one at a time
 * Batches (and a filter zero point) run the same kernels once per batch row.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

#if TS_DSP

ts_status ts_fully_connected_s8_dsp(const ts_fc_params *params, const ts_per_channel_quant_params *quant,
                                    int32_t per_channel, const ts_fc_dims *dims, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output);

/* One input word (4 depths) against 4 rows: f0, f0 + depth, f2, f2 + depth. */
#define TS_FC_STEP4()                                                      \
  do {                                                                     \
    uint32_t xo = ts_read_u32(x), xe, k;                                   \
    x += 4;                                                                \
    k = ts_read_u32(f0 + depth);                                           \
    xe = ts_sxtab16(io2, xo);      /* [x0 + io, x2 + io] */                \
    xo = ts_sxtab16_ror8(io2, xo); /* [x1 + io, x3 + io] */                \
    a1 = ts_smlad(ts_sxtb16(k), xe, a1);                                   \
    a1 = ts_smlad(ts_sxtb16_ror8(k), xo, a1);                              \
    k = ts_read_u32(f0);                                                   \
    f0 += 4;                                                               \
    ts_opaque(f0);                                                         \
    a0 = ts_smlad(ts_sxtb16(k), xe, a0);                                   \
    a0 = ts_smlad(ts_sxtb16_ror8(k), xo, a0);                              \
    k = ts_read_u32(f2 + depth);                                           \
    a3 = ts_smlad(ts_sxtb16(k), xe, a3);                                   \
    a3 = ts_smlad(ts_sxtb16_ror8(k), xo, a3);                              \
    k = ts_read_u32(f2);                                                   \
    f2 += 4;                                                               \
    ts_opaque(f2);                                                         \
    a2 = ts_smlad(ts_sxtb16(k), xe, a2);                                   \
    a2 = ts_smlad(ts_sxtb16_ror8(k), xo, a2);                              \
  } while (0)

/* acc[r] = sum_d f[r * depth + d] * (x[d] + io), r = 0..3, modulo 2^32.
 * The loop holds 14 values (4 sums, 3 pointers, depth, the count, io in both
 * lanes, 2 unpacked input pairs, a filter word and its unpacked half): all of
 * r0-r12 and lr, so the results' address waits in memory. (Unrolled twice,
 * -Os spills a sum and the count: 4 depths per turn it is.) */
static __attribute__((noinline)) void ts_fc_s8_rows4(const int8_t *x, const int8_t *f, int32_t depth,
                                                     int32_t io, uint32_t *acc_out) {
  uint32_t *volatile acc_at = acc_out;
  uint32_t *acc;
  const uint32_t io2 = ts_dup16(io);
  const int8_t *f0 = f, *f2 = f + 2 * depth;
  const int8_t *end;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int32_t n = depth >> 2;
  TS_PATH("fc_rows4");
  if (n > 0) do {
    TS_FC_STEP4();
  } while (--n != 0);
  acc = acc_at;
  acc[0] = (uint32_t)a0;
  acc[1] = (uint32_t)a1;
  acc[2] = (uint32_t)a2;
  acc[3] = (uint32_t)a3;
  io = (int16_t)io2; /* (io itself would hold a register through the loop) */
  for (end = x + (depth & 3); x != end; ++x, ++f0, ++f2) {
    const uint32_t v = (uint32_t)(*x + io);
    acc[0] += (uint32_t)f0[0] * v;
    acc[1] += (uint32_t)f0[depth] * v;
    acc[2] += (uint32_t)f2[0] * v;
    acc[3] += (uint32_t)f2[depth] * v;
  }
}

/* sum_d f[d] * (x[d] + io), modulo 2^32. */
static __attribute__((noinline)) uint32_t ts_fc_s8_rows1(const int8_t *x, const int8_t *f, int32_t depth,
                                                         int32_t io) {
  const uint32_t io2 = ts_dup16(io);
  int32_t a = 0, n = depth >> 2;
  uint32_t acc;
  TS_PATH("fc_rows1");
  if (n > 0) do {
    const uint32_t w = ts_read_u32(x), k = ts_read_u32(f);
    x += 4;
    f += 4;
    a = ts_smlad(ts_sxtb16(k), ts_sxtab16(io2, w), a);
    a = ts_smlad(ts_sxtb16_ror8(k), ts_sxtab16_ror8(io2, w), a);
  } while (--n != 0);
  acc = (uint32_t)a;
  for (depth &= 3; depth > 0; --depth) acc += (uint32_t)*f++ * (uint32_t)(*x++ + io);
  return acc;
}

ts_status ts_fully_connected_s8_dsp(const ts_fc_params *params, const ts_per_channel_quant_params *quant,
                                    int32_t per_channel, const ts_fc_dims *dims, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t batches = dims->batches;
  const int32_t depth = dims->accum_depth;
  const int32_t units = dims->output_depth;
  const int32_t io = params->input_offset;
  const uint32_t filter_offset = per_channel ? 0u : (uint32_t)params->filter_offset;
  const int32_t output_offset = params->output_offset;
  const int32_t act_min = params->activation.min, act_max = params->activation.max;
  int32_t b, o, d, r, n;
  ts_quant_pre q;
  ts_quant_prepare(&q, quant->multiplier[0], quant->shift[0]);
  for (b = 0; b < batches; ++b) {
    const int8_t *x = input + b * depth;
    uint32_t shared = 0; /* fo * sum_d (x[d] + io) */
    if (filter_offset) {
      for (d = 0; d < depth; ++d) shared += (uint32_t)(x[d] + io);
      shared *= filter_offset;
    }
    for (o = 0; o < units; o += n) {
      uint32_t acc[4];
      if (units - o >= 4) {
        n = 4;
        ts_fc_s8_rows4(x, filter + o * depth, depth, io, acc);
      } else {
        n = 1;
        acc[0] = ts_fc_s8_rows1(x, filter + o * depth, depth, io);
      }
      for (r = 0; r < n; ++r) {
        const int32_t c = o + r;
        uint32_t a = acc[r] + shared;
        int32_t value;
        if (bias) a += (uint32_t)bias[c];
        if (per_channel) ts_quant_prepare(&q, quant->multiplier[c], quant->shift[c]);
        value = ts_wadd(ts_quant_apply(&q, a), output_offset);
        output[b * units + c] = (int8_t)ts_clamp32(value, act_min, act_max);
      }
    }
  }
  return TS_OK;
}

#endif /* TS_DSP */
