/*
 * fixedpoint.h: internal fixed-point helpers with the exact semantics of
 * TensorFlow Lite's default build (TFLITE_SINGLE_ROUNDING off) and of the
 * gemmlowp fixed-point functions TFLite's quantized kernels call
 * (exp_on_negative_values, logistic, tanh, one_over_one_plus_x_for_x_in_0_1).
 *
 * Written from the published semantics, checked bit for bit against the
 * reference code by kernels-c/test-native/. All functions are static inline.
 *
 * Integer overflow is never undefined behaviour here: every sum or shift that
 * can leave the int32 range is done in uint32_t, which wraps exactly as the
 * reference does on x86 and ARM in practice. Signed right shifts are
 * arithmetic (GCC and Clang define them so). No 64-bit division and no 64-bit
 * shift by a variable amount (they would call libgcc on Cortex-M).
 */
#ifndef TINYSENSE_FIXEDPOINT_H
#define TINYSENSE_FIXEDPOINT_H

#include <stdint.h>

#define TS_INT32_MIN ((int32_t)(-2147483647 - 1))
#define TS_INT32_MAX ((int32_t)2147483647)

/* Wrapping int32 arithmetic. */
static inline int32_t ts_wadd(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
static inline int32_t ts_wsub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}
static inline int32_t ts_wmul(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a * (uint32_t)b);
}
static inline int32_t ts_wneg(int32_t a) { return (int32_t)(0u - (uint32_t)a); }
/* x * (1 << s) for 0 <= s <= 31, wrapping. */
static inline int32_t ts_wshl(int32_t x, int32_t s) {
  return (int32_t)((uint32_t)x << s);
}

static inline int32_t ts_min32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t ts_max32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t ts_clamp32(int32_t x, int32_t lo, int32_t hi) {
  /* std::min(std::max(x, lo), hi), the order TFLite uses. */
  x = x > lo ? x : lo;
  return x < hi ? x : hi;
}

/* gemmlowp::SaturatingRoundingDoublingHighMul(int32, int32):
 * (a*b + nudge) / 2^31 with C++ truncating division, nudge = 2^30 for a
 * non-negative product and 1 - 2^30 otherwise; INT32_MIN * INT32_MIN
 * saturates to INT32_MAX. */
static inline int32_t ts_srdhm(int32_t a, int32_t b) {
  /* Equal to the definition above for every other input: for ab >= 0 the
   * truncating division is a floor; for ab < 0, trunc((ab + 1 - 2^30) / 2^31)
   * = floor((ab + 1 - 2^30 + 2^31 - 1) / 2^31) = floor((ab + 2^30) / 2^31).
   * One multiply-accumulate and a constant shift (SMLAL on Cortex-M4). */
  if (a == b && a == TS_INT32_MIN) return TS_INT32_MAX;
  return (int32_t)(((int64_t)a * (int64_t)b + (int64_t)(1 << 30)) >> 31);
}

/* gemmlowp::RoundingDivideByPOT(int32, exponent), 0 <= exponent <= 31:
 * round to nearest, ties away from zero. */
static inline int32_t ts_rdbpot(int32_t x, int32_t exponent) {
  /* x = q * 2^e + r with 0 <= r < 2^e (arithmetic shift = floor). Ties away
   * from zero: q + (r >= 2^(e-1)) for x >= 0, q + (r > 2^(e-1)) for x < 0,
   * i.e. q + ((r + 2^(e-1) - [x < 0]) >> e), in uint32 (cannot overflow). */
  const uint32_t r = (uint32_t)x & ((1u << exponent) - 1u);
  const uint32_t bias = ((1u << exponent) >> 1) - (uint32_t)(x < 0 && exponent != 0);
  return (x >> exponent) + (int32_t)((r + bias) >> exponent);
}

/* gemmlowp::SaturatingRoundingMultiplyByPOT<exponent> for exponent > 0
 * (exponent < 32): saturating left shift. */
static inline int32_t ts_srmbpot_left(int32_t x, int32_t exponent) {
  const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
  if (x > threshold) return TS_INT32_MAX;
  if (x < -threshold) return TS_INT32_MIN;
  return ts_wshl(x, exponent);
}

/* tflite::MultiplyByQuantizedMultiplier(int32 x, int32 multiplier, int shift),
 * double-rounding build:
 *   RoundingDivideByPOT(SRDHM(x * (1 << left), multiplier), right)
 * with left = max(shift, 0), right = max(-shift, 0). Valid shifts are
 * -31..31; others are clamped so that nothing is undefined. */
static inline int32_t ts_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  if (shift > 0) {
    if (shift > 31) shift = 31;
    return ts_srdhm(ts_wshl(x, shift), multiplier);
  }
  if (shift < -31) shift = -31;
  return ts_rdbpot(ts_srdhm(x, multiplier), -shift);
}

/* gemmlowp::RoundingHalfSum(int32, int32): (a + b + sign) / 2, truncating. */
static inline int32_t ts_rounding_half_sum(int32_t a, int32_t b) {
  int64_t sum = (int64_t)a + (int64_t)b;
  sum += sum >= 0 ? 1 : -1;
  if (sum < 0) sum += 1; /* truncate toward zero */
  return (int32_t)(sum >> 1);
}

/* gemmlowp::exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31. */
static inline int32_t ts_exp_on_interval_between_negative_one_quarter_and_0_excl(
    int32_t a) {
  const int32_t constant_term = 1895147668;   /* exp(-1/8) */
  const int32_t constant_1_over_3 = 715827883; /* 1/3 */
  const int32_t x = ts_wadd(a, 1 << 28);       /* a + 1/8 */
  const int32_t x2 = ts_srdhm(x, x);
  const int32_t x3 = ts_srdhm(x2, x);
  const int32_t x4 = ts_srdhm(x2, x2);
  const int32_t x4_over_4 = ts_rdbpot(x4, 2);
  const int32_t poly = ts_rdbpot(
      ts_wadd(ts_srdhm(ts_wadd(x4_over_4, x3), constant_1_over_3), x2), 1);
  return ts_wadd(constant_term, ts_srdhm(constant_term, ts_wadd(x, poly)));
}

/* gemmlowp::exp_on_negative_values for FixedPoint<int32, integer_bits>,
 * result in Q0.31. integer_bits must be 1..5 (TFLite uses 4 and 5); the
 * clamp gemmlowp adds above 5 integer bits is therefore not needed. */
static inline int32_t ts_exp_on_negative_values(int32_t a, int32_t integer_bits) {
  const int32_t fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = ts_wsub(a & mask, one_quarter);
  const int32_t remainder = ts_wsub(a_mod_quarter_minus_one_quarter, a);
  int32_t result = ts_exp_on_interval_between_negative_one_quarter_and_0_excl(
      ts_srmbpot_left(a_mod_quarter_minus_one_quarter, integer_bits));
  /* Barrel shifter: multiply by exp(-2^k) for each set bit of remainder. */
  if (integer_bits > -2 && (remainder & ((int32_t)1 << (fractional_bits - 2))))
    result = ts_srdhm(result, 1672461947); /* exp(-1/4) */
  if (integer_bits > -1 && (remainder & ((int32_t)1 << (fractional_bits - 1))))
    result = ts_srdhm(result, 1302514674); /* exp(-1/2) */
  if (integer_bits > 0 && (remainder & ((int32_t)1 << fractional_bits)))
    result = ts_srdhm(result, 790015084); /* exp(-1) */
  if (integer_bits > 1 && (remainder & ((int32_t)1 << (fractional_bits + 1))))
    result = ts_srdhm(result, 290630308); /* exp(-2) */
  if (integer_bits > 2 && (remainder & ((int32_t)1 << (fractional_bits + 2))))
    result = ts_srdhm(result, 39332535); /* exp(-4) */
  if (integer_bits > 3 && (remainder & ((int32_t)1 << (fractional_bits + 3))))
    result = ts_srdhm(result, 720401); /* exp(-8) */
  if (integer_bits > 4 && (remainder & ((int32_t)1 << (fractional_bits + 4))))
    result = ts_srdhm(result, 242); /* exp(-16) */
  if (a == 0) result = TS_INT32_MAX; /* exactly one */
  return result;
}

/* The Newton-Raphson reciprocal shared by one_over_one_plus_x_for_x_in_0_1
 * and one_minus_x_over_one_plus_x_for_x_in_0_1: returns x in Q2.29,
 * approximately 1 / (1 + a) with a in Q0.31. */
static inline int32_t ts_newton_reciprocal_q2(int32_t a) {
  const int32_t half_denominator = ts_rounding_half_sum(a, TS_INT32_MAX);
  const int32_t constant_48_over_17 = 1515870810;
  const int32_t constant_neg_32_over_17 = -1010580540;
  int32_t x = ts_wadd(constant_48_over_17,
                      ts_srdhm(half_denominator, constant_neg_32_over_17));
  int i;
  for (i = 0; i < 3; i++) {
    const int32_t half_denominator_times_x = ts_srdhm(half_denominator, x);
    const int32_t one_minus = ts_wsub(1 << 29, half_denominator_times_x);
    x = ts_wadd(x, ts_srmbpot_left(ts_srdhm(x, one_minus), 2));
  }
  return x;
}

/* gemmlowp::one_over_one_plus_x_for_x_in_0_1, Q0.31 in and out. */
static inline int32_t ts_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  return ts_srmbpot_left(ts_newton_reciprocal_q2(a), 1);
}

/* gemmlowp::one_minus_x_over_one_plus_x_for_x_in_0_1, Q0.31. */
static inline int32_t ts_one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
  return ts_srmbpot_left(ts_wsub(ts_newton_reciprocal_q2(a), 1 << 29), 2);
}

/* gemmlowp::logistic for FixedPoint<int32, 4> input, Q0.31 result. */
static inline int32_t ts_logistic_q4(int32_t a) {
  int32_t abs_input, result_if_positive;
  if (a == 0) return 1 << 30;
  abs_input = a > 0 ? a : ts_wneg(a);
  result_if_positive = ts_one_over_one_plus_x_for_x_in_0_1(
      ts_exp_on_negative_values(ts_wneg(abs_input), 4));
  return a > 0 ? result_if_positive : ts_wsub(TS_INT32_MAX, result_if_positive);
}

/* gemmlowp::tanh for FixedPoint<int32, 4> input, Q0.31 result. */
static inline int32_t ts_tanh_q4(int32_t a) {
  int32_t n, t;
  if (a == 0) return 0;
  n = a < 0 ? a : ts_wneg(a);
  /* ExactMulByPot<1>: the same raw value read with 5 integer bits. */
  t = ts_one_minus_x_over_one_plus_x_for_x_in_0_1(ts_exp_on_negative_values(n, 5));
  return a < 0 ? ts_wneg(t) : t;
}

/* Count leading zeros of a uint32 (32 for 0), without libgcc. */
static inline int32_t ts_clz32(uint32_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return x == 0 ? 32 : (int32_t)__builtin_clz(x);
#else
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
#endif
}

#endif /* TINYSENSE_FIXEDPOINT_H */
