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

/* Data, not code: the 256 values of TFLM's sigmoid_table_uint16
 * (tensorflow/lite/kernels/internal/common.h, Copyright The TensorFlow Authors,
 * Apache License 2.0): sigmoid(i / 24) in unsigned 0.16 as TFLM tabulates it.
 * Its integer LSTM's gate sigmoid and tanh interpolate in this table, so
 * bit-exactness needs exactly these values; they are not a rounding of the
 * formula (round(65536 sigmoid(i/24)) differs in 44 entries, TFLM's own
 * LUTPopulate midpoint correction in 58), so they cannot be recomputed. */
static const uint16_t sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841,
    39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102,
    45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
    50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
    55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007,
    58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
    62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
    64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494,
    64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
    64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
    65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
    65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479,
    65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511,
    65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
    65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
    65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531,
    65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65535,
};

static int32_t clamp16(int32_t x) { return ts_clamp32(x, -32768, 32767); }

/* reference_integer_ops::Logistic(int16) as the LSTM calls it (input
 * multiplier 0, left shift 0: the power-of-two case, x * 3). */
static int32_t sigmoid16(int32_t x) {
  const int32_t in = x * 3;
  const uint32_t a = (uint32_t)(in < 0 ? -in : in);
  const uint32_t uh = a >> 9;
  uint32_t r;
  if (uh >= 255u) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1u];
    r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
  }
  r = in >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
  return (int32_t)(int16_t)(r >> 10);
}

/* reference_integer_ops::Tanh(int16) with its input scaled by
 * (x * multiplier + round) >> shift. */
static int32_t tanh16(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t round = shift > 0 ? (int32_t)(1u << (shift - 1)) : 0;
  const int32_t in = ts_wadd(ts_wmul(x, multiplier), round) >> shift;
  const uint32_t a = (uint32_t)(in < 0 ? -in : in);
  const uint32_t uh = a >> 8;
  int32_t r;
  if (uh >= 255u) {
    r = (int32_t)(0xFFFFu << 8);
  } else {
    const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1u];
    r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua));
  }
  r = in >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return (int32_t)(int16_t)(r >> 8);
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
