/*
 * The interpolation of TFLM's int16 Logistic and Tanh
 * (reference_integer_ops::Logistic / Tanh, int16) in sigmoid_table_uint16,
 * after the input is scaled to their fixed input format (3 x 4096 per unit;
 * +-2^17 spans +-10.7). Shared by sigmoid_s16.c (LOGISTIC and TANH int16)
 * and lstm.c (the integer LSTM's gates).
 */
#ifndef TS_SIGMOID_S16_H
#define TS_SIGMOID_S16_H

#include <stdint.h>

/* sigmoid(i / 24) in unsigned 0.16, TFLM's values (sigmoid_table.c). */
extern const uint16_t ts_sigmoid_table[256];

/* Logistic of a scaled input, in Q0.15: the table in steps of 2^9 of the
 * input, interpolated, the negative half mirrored, rounded to 16 bits. */
static inline int32_t ts_logistic16_scaled(int32_t in) {
  const uint32_t a = (uint32_t)(in < 0 ? -in : in);
  const uint32_t uh = a >> 9;
  uint32_t r;
  if (uh >= 255u) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t ua = ts_sigmoid_table[uh], ub = ts_sigmoid_table[uh + 1u];
    r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
  }
  r = in >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
  return (int32_t)(int16_t)(r >> 10);
}

/* Tanh of a scaled input, in Q0.15: tanh(x) = 2 sigmoid(2x) - 1, the table in
 * steps of 2^8 of the input. */
static inline int32_t ts_tanh16_scaled(int32_t in) {
  const uint32_t a = (uint32_t)(in < 0 ? -in : in);
  const uint32_t uh = a >> 8;
  int32_t r;
  if (uh >= 255u) {
    r = (int32_t)(0xFFFFu << 8);
  } else {
    const uint32_t ua = ts_sigmoid_table[uh], ub = ts_sigmoid_table[uh + 1u];
    r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua));
  }
  r = in >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return (int32_t)(int16_t)(r >> 8);
}

#endif
