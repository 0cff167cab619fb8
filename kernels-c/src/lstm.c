/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 input/output and weights, int16 cell
 * state and gates, int32 biases. Mirrors TFLM's integer LSTM
 * (tensorflow/lite/micro/kernels/lstm_eval.h, lstm_eval.cc: EvalLstm ->
 * LstmStep), which for each gate runs two reference_integer_ops::
 * FullyConnected (int8 -> int16, output scale 2^-12, zero point 0), adds them
 * with int16 saturation (AddElementWise) and applies Logistic or Tanh (int16,
 * reference_integer_ops); then Mul (int16) for forget x cell and input x cell
 * gate, a saturating add and the optional clip give the cell state, and
 * Tanh(cell) x output gate (Mul to int8) the hidden state, copied to the
 * output row.
 *
 * Every one of those operations is element-wise once the two matmuls of a
 * unit are done, so this kernel computes unit by unit: the four gates of
 * unit j, then its cell and hidden values, writing the hidden value into the
 * output row; the hidden state is updated from the output row once the row is
 * done (the matmuls of the other units still need the old one). The results
 * are TFLM's, without its four gate buffers.
 *
 * The hidden state is kept as int16 (hidden - zero point): the recurrent
 * matmul's input offset is then already applied, and a zeroed state region is
 * TFLM's reset state (hidden = zero point, cell = 0).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"
#include "sigmoid_s16.h"

static int32_t clamp16(int32_t x) { return ts_clamp32(x, -32768, 32767); }

/* reference_integer_ops::Logistic(int16) as the LSTM calls it (input
 * multiplier 0, left shift 0: the power-of-two case, x * 3). */
static int32_t sigmoid16(int32_t x) { return ts_logistic16_scaled(x * 3); }

/* reference_integer_ops::Tanh(int16) with its input scaled by
 * (x * multiplier + round) >> shift. */
static int32_t tanh16(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t round = shift > 0 ? (int32_t)(1u << (shift - 1)) : 0;
  return ts_tanh16_scaled(ts_wadd(ts_wmul(x, multiplier), round) >> shift);
}

/* The matmuls are kept out of line: inlined into the step loop, their
 * pointers would live on the stack (measured on the Cortex-M4 blob). */
#if defined(__GNUC__)
#define TS_LSTM_NOINLINE __attribute__((noinline))
#else
#define TS_LSTM_NOINLINE
#endif

/* One row of reference_integer_ops::FullyConnected int8 -> int16, the input
 * offset already in the bias: (bias + sum w x) requantized, clamped to int16. */
static TS_LSTM_NOINLINE int32_t matmul_s8(int32_t bias, const int8_t *w, const int8_t *x, int32_t n,
                         int32_t multiplier, int32_t shift) {
  uint32_t acc = (uint32_t)bias;
  int32_t d = 0;
#if TS_DSP
  /* Cortex-M4: four products per pair of SMLADs, bytes 0 and 2 then 1 and 3
   * (the sum wraps as the scalar one does). */
  for (; d + 4 <= n; d += 4) {
    const uint32_t wv = ts_read_u32(w + d), xv = ts_read_u32(x + d);
    acc = (uint32_t)ts_smlad(ts_sxtb16(wv), ts_sxtb16(xv), (int32_t)acc);
    acc = (uint32_t)ts_smlad(ts_sxtb16_ror8(wv), ts_sxtb16_ror8(xv), (int32_t)acc);
  }
#endif
  for (; d < n; ++d) acc += (uint32_t)((int32_t)w[d] * (int32_t)x[d]);
  return clamp16(ts_mbqm((int32_t)acc, multiplier, shift));
}

/* The same over the hidden state, held less its zero point (TFLM adds the
 * input offset -zero point to each value): no bias. */
static TS_LSTM_NOINLINE int32_t matmul_s16(const int8_t *w, const int16_t *h, int32_t n, int32_t multiplier,
                          int32_t shift) {
  uint32_t acc = 0;
  int32_t d = 0;
#if TS_DSP
  /* Weights [w0, w2] x [h0, h2], then [w1, w3] x [h1, h3]. */
  for (; d + 4 <= n; d += 4) {
    const uint32_t wv = ts_read_u32(w + d), h01 = ts_read_u32(h + d), h23 = ts_read_u32(h + d + 2);
    acc = (uint32_t)ts_smlad(ts_sxtb16(wv), ts_pack_lo(h01, h23), (int32_t)acc);
    acc = (uint32_t)ts_smlad(ts_sxtb16_ror8(wv), ts_pack_hi(h01, h23), (int32_t)acc);
  }
#endif
  for (; d < n; ++d) acc += (uint32_t)((int32_t)w[d] * (int32_t)h[d]);
  return clamp16(ts_mbqm((int32_t)acc, multiplier, shift));
}

ts_status ts_lstm_s8(const ts_lstm_params *params, const ts_lstm_dims *dims,
                     const ts_lstm_weights *weights, const int8_t *input,
                     int16_t *hidden_state, int16_t *cell_state, int8_t *output) {
  const int32_t batches = dims->batches, steps = dims->time_steps;
  const int32_t input_size = dims->input_size, units = dims->units;
  const int32_t zero_point = params->hidden_zero_point;
  const int32_t clip = params->cell_clip;
  const int32_t *m = weights->multipliers, *s = weights->shifts;
  int32_t b, t, j, k;
  for (b = 0; b < batches; ++b) {
    int16_t *h = hidden_state + b * units;
    int16_t *c = cell_state + b * units;
    for (t = 0; t < steps; ++t) {
      const int32_t row = dims->time_major ? t * batches + b : b * steps + t;
      const int8_t *x = input + row * input_size;
      int8_t *out = output + row * units;
      for (j = 0; j < units; ++j) {
        int32_t gate[4], cell, update;
        for (k = 0; k < 4; ++k) {
          const int32_t in = matmul_s8(weights->biases[k * units + j], weights->input_weights[k] + j * input_size,
                                       x, input_size, m[k], s[k]);
          const int32_t rec = matmul_s16(weights->recurrent_weights[k] + j * units, h, units, m[4 + k], s[4 + k]);
          const int32_t sum = clamp16(in + rec);
          /* The cell gate's activation is TANH (the only one a .tflite can give
           * it), at the gates' fixed 2^-12 input scale. */
          gate[k] = k == 2 ? tanh16(sum, 3, 0) : sigmoid16(sum);
        }
        /* Mul(forget, cell) and Mul(input, cell gate), int16 with offsets 0. */
        cell = clamp16(ts_mbqm(gate[1] * c[j], params->forget_cell.multiplier, params->forget_cell.shift));
        update = clamp16(ts_mbqm(gate[0] * gate[2], params->input_cell.multiplier, params->input_cell.shift));
        cell = clamp16(cell + update);
        if (clip >= 0) cell = ts_max32(ts_min32(clip, cell), -clip);
        c[j] = (int16_t)cell;
        /* Mul(tanh(cell), output gate) to int8 at the hidden state's zero point. */
        out[j] = (int8_t)ts_clamp32(
            ts_wadd(zero_point, ts_mbqm(tanh16(cell, params->cell_tanh_multiplier, params->cell_tanh_shift) * gate[3],
                                        params->hidden.multiplier, params->hidden.shift)),
            -128, 127);
      }
      for (j = 0; j < units; ++j) h[j] = (int16_t)(out[j] - zero_point);
    }
  }
  return TS_OK;
}
