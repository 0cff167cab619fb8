/*
 * dsp.h: the Arm DSP-extension (SIMD32) instructions the Cortex-M4 fast paths
 * use, as static inline functions. Internal to kernels-c/src.
 *
 * TS_DSP is 1 when the target has the DSP extension (Cortex-M4/M7/M33, and
 * ARMv7-A, where the differential tests run under qemu-arm) and the build does
 * not ask for the portable C (-DTS_NO_DSP). Everything Arm-specific in the
 * kernels sits inside `#if TS_DSP`; with TS_DSP 0 (WebAssembly, Xtensa, x86
 * tests) the portable C is the only path, and it is the reference the fast
 * paths are tested against.
 *
 * Inline assembly rather than arm_acle.h: the rotated forms (SXTB16 x, ROR #8)
 * are not in ACLE, and one spelling for all keeps the code readable.
 *
 * Lanes: a 32-bit word holding two int16 values is written [lo, hi].
 */
#ifndef TINYSENSE_DSP_H
#define TINYSENSE_DSP_H

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP) && !defined(TS_NO_DSP)
#define TS_DSP 1
#else
#define TS_DSP 0
#endif

/* TS_PATH(name): marks which kernel path ran. A no-op in every product build;
 * the differential harness (kernels-c/test-dsp/) defines TS_PATH_TRACE and
 * counts the calls, so its test can require that each fast path was hit. */
#ifdef TS_PATH_TRACE
void ts_trace_path(const char *name);
#define TS_PATH(name) ts_trace_path(name)
#else
#define TS_PATH(name) ((void)0)
#endif

#if TS_DSP

/* A word read from any address: LDR on ARMv7-M/A allows unaligned addresses
 * (LDRD/LDM do not, so the compiler must not merge these). */
typedef uint32_t __attribute__((aligned(1), may_alias)) ts_unaligned_u32;
typedef uint16_t __attribute__((aligned(1), may_alias)) ts_unaligned_u16;

static inline uint32_t ts_read_u32(const void *p) { return *(const ts_unaligned_u32 *)p; }
static inline uint32_t ts_read_u16(const void *p) { return *(const ts_unaligned_u16 *)p; }
static inline void ts_write_u32(void *p, uint32_t v) { *(ts_unaligned_u32 *)p = v; }
static inline void ts_write_u16(void *p, uint32_t v) { *(ts_unaligned_u16 *)p = (uint16_t)v; }

/* [sext(b0), sext(b2)] */
static inline uint32_t ts_sxtb16(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
  return r;
}
/* [sext(b1), sext(b3)] */
static inline uint32_t ts_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
/* [a.lo + sext(b0), a.hi + sext(b2)], 16-bit lanes (wrapping) */
static inline uint32_t ts_sxtab16(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
/* [a.lo + sext(b1), a.hi + sext(b3)] */
static inline uint32_t ts_sxtab16_ror8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
/* acc + a.lo*b.lo + a.hi*b.hi (the sum wraps modulo 2^32; Q flag ignored) */
static inline int32_t ts_smlad(uint32_t a, uint32_t b, int32_t acc) {
  int32_t r;
  __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/* a.lo*b.lo + a.hi*b.hi */
static inline int32_t ts_smuad(uint32_t a, uint32_t b) {
  int32_t r;
  __asm__("smuad %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* acc + a.lo*b.lo */
static inline int32_t ts_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  int32_t r;
  __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/* acc + a.hi*b.hi */
static inline int32_t ts_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  int32_t r;
  __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/* acc + a.lo*b.hi */
static inline int32_t ts_smlabt(uint32_t a, uint32_t b, int32_t acc) {
  int32_t r;
  __asm__("smlabt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/* acc + a.hi*b.lo */
static inline int32_t ts_smlatb(uint32_t a, uint32_t b, int32_t acc) {
  int32_t r;
  __asm__("smlatb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/* [a.lo, b.lo]: PKHBT a, b, LSL #16 */
static inline uint32_t ts_pack_lo(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* [a.hi, b.hi]: PKHTB b, a, ASR #16 */
static inline uint32_t ts_pack_hi(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* [v, v] in both 16-bit lanes */
static inline uint32_t ts_dup16(int32_t v) {
  return ((uint32_t)v & 0xffffu) | ((uint32_t)v << 16);
}

/* ts_mbqm(x, multiplier, shift) (fixedpoint.h) without its branches on the
 * shift: with left = clamp(shift, 0, 31) and right = clamp(-shift, 0, 31), it
 * is RoundingDivideByPOT(SRDHM(x << left, multiplier), right) for either sign,
 * since a shift by 0 leaves both steps unchanged. The rounding of
 * ts_rdbpot, q + ((r + 2^(right-1) - [v < 0]) >> right), takes its constants
 * from ts_quant_prepare: round = 2^(right-1) (0 when right is 0) and
 * neg = -1 when right != 0 (so that [v < 0] counts only then). Plain C: the
 * arithmetic is the same on every target; prepared once per tensor or channel,
 * it saves the per-element branches of the Cortex-M4 paths. */
typedef struct {
  int32_t multiplier, left, right;
  uint32_t mask, round, neg;
} ts_quant_pre;

static inline void ts_quant_prepare(ts_quant_pre *q, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? (shift > 31 ? 31 : shift) : 0;
  const int32_t right = shift < 0 ? (shift < -31 ? 31 : -shift) : 0;
  q->multiplier = multiplier;
  q->left = left;
  q->right = right;
  q->mask = (1u << right) - 1u;
  q->round = (1u << right) >> 1;
  q->neg = right ? 0xffffffffu : 0u;
}

static inline __attribute__((always_inline)) int32_t ts_quant_apply(const ts_quant_pre *q, uint32_t acc) {
  const int32_t x = (int32_t)(acc << q->left);
  int32_t v;
  uint32_t r;
  if (x == q->multiplier && x == (int32_t)0x80000000u) {
    v = (int32_t)0x7fffffff;
  } else {
    v = (int32_t)(((int64_t)x * (int64_t)q->multiplier + (int64_t)(1 << 30)) >> 31);
  }
  r = ((uint32_t)v & q->mask) + q->round + ((uint32_t)(v >> 31) & q->neg);
  return (v >> q->right) + (int32_t)(r >> q->right);
}

/* Makes a pointer (or any value) opaque to the optimiser at this point, so that
 * it stays in a register of its own: without it, -Os rewrites several pointers
 * walked in step as one shared index and spills their bases to the stack. */
#define ts_opaque(v) __asm__("" : "+r"(v))


/* ssat(x, 16): x saturated to [-32768, 32767] */
static inline int32_t ts_ssat16_1(int32_t x) {
  int32_t r;
  __asm__("ssat %0, #16, %1" : "=r"(r) : "r"(x));
  return r;
}
/* [sat16(a.lo + b.lo), sat16(a.hi + b.hi)] */
static inline uint32_t ts_qadd16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("qadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* Lane-wise signed max / min of two [lo, hi] int16 pairs: SSUB16 sets the GE
 * flags per lane (from the exact difference), SEL picks; one asm statement so
 * that nothing runs between the two. */
static inline uint32_t ts_max16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub16 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
static inline uint32_t ts_min16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub16 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

#endif /* TS_DSP */
#endif /* TINYSENSE_DSP_H */
