/*
 * DEPTHWISE_CONV_2D int8 fast paths for the Cortex-M4 DSP extension, in the
 * style of CMSIS-NN's arm_depthwise_conv_s8_opt / _3x3_s8 (written for
 * tinysense, same results byte for byte as the portable kernel in
 * depthwise_conv.c, which stays the reference; kernels-c/test-dsp proves it).
 * ts_depthwise_conv_s8 (depthwise_conv.c) calls ts_dw_dsp, which picks a path
 * from the shapes or returns 0 (portable C):
 *
 *  dw_m1  depth multiplier 1, input depth >= 4, at most DW_M1_TAPS filter taps
 *         (any stride, dilation, padding). Channels 4 at a time: one word load
 *         carries 4 channels, unpacked ([x0, x2], [x1, x3]) by SXTB16, and
 *         SMLABB/SMLATT keep one accumulator per channel; the group's filter
 *         is unpacked once ([f0, f2], [f1, f3] per tap) into the context and
 *         serves every pixel. The input depth % 4 tail channels go through the
 *         portable C.
 *    dw_m1_k3  3x3 filters, input offset in [-127, 128], the group's 4
 *         channels all requantized by dw_rq2 (every real model): one asm loop
 *         per run of pixels (dw_m1_k3_loop: 9 taps = 36 MACs against the
 *         filter at fixed offsets, the input offset folded into the bias,
 *         dw_rq2 x 4, pack, store). Border pixels read a padded copy: of their
 *         3 input rows for rows with many of them (small layers, top and
 *         bottom rows), else of their 9-tap window; padding holds -o (x + o =
 *         0: the padded taps add nothing, as TFLM's skipped taps).
 *    dw_m1_k3_band  the same for layers whose padded input rows (sw words
 *         each) fit DW_BAND words for 2 output rows or more, or all of them
 *         (person_detect's 12x12, 6x6 and 3x3 layers): bands of output rows,
 *         each from ONE padded copy of the input rows it reads, and every
 *         pixel runs the loop (no border pixels, no per-row copies). The
 *         buffer is filled with -o once per layer; the copies rewrite the same
 *         columns every time, so only rows outside the input need refilling,
 *         and only when there are several bands.
 *    otherwise (dw_m1_part): SXTAB16 adds the input offset per tap, padding
 *         is decided per pixel (tap ranges), not per tap.
 *  dw_c3  one input channel x multiplier 4k, 3x3 filter, dilation w 1, input
 *         offset in [-127, 128] (person_detect's first layer): per pixel the
 *         window's 3 rows unpack to 5 words [a0, a2], [b0, b2], [c0, c2],
 *         [a1, b1], [c1, c3] (+o) shared by the channels, 5 SMLADs per channel,
 *         output channels 4 at a time, dw_rq4. Border pixels: a padded window.
 *  dw_c1  one input channel x multiplier N (micro_speech's layer), dilation w 1,
 *         at most 20 (filter rows x 4-tap blocks), input offset in [-127, 128].
 *         Every output channel reads the same input, so taps pair up: a word of
 *         4 neighbouring inputs unpacks to [x0+o, x2+o], [x1+o, x3+o] and SMLAD
 *         multiplies them with the channel's filter taps prepacked as [f0, f2],
 *         [f1, f3]: 2 MACs per instruction. Output channels 2 at a time. Border
 *         pixels read a copy of their window padded with -o.
 *
 * Requantization: dw_rq2 (m > 2^30, shifts -31..-1: two SMLALs and a shift,
 * in asm in dw_rq4 / dw_m1_k3_loop), dw_rq (other shifts -31..-1), ts_mbqm
 * otherwise (dw_store_any).
 * Stack: below 512 bytes per frame (the contexts live in thin callers).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"
#include <stddef.h>

#if TS_DSP

/* The hot loops need registers that -Os does not give them (it spills the
 * pointers and accumulators of the tap loop to the stack). */
#pragma GCC optimize("O2")
#define DW_INLINE static inline __attribute__((always_inline))

void ts_dw_ref_channels(const ts_dw_conv_params *params,
                        const ts_per_channel_quant_params *quant,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *filter_dims, const int8_t *filter,
                        const int32_t *bias, const ts_dims *output_dims,
                        int8_t *output, int32_t c_begin, int32_t c_end);

#define DW_M1_TAPS 25      /* 2 words per tap: 200 bytes of stack */
#define DW_STRIP 84        /* dw_m1_k3_row's padded rows: 336 bytes of stack */
#define DW_BAND 84         /* dw_m1_k3_band's padded rows: 340 bytes of stack (dw_m1_run's) */
#define DW_C1_ROWBLOCKS 20 /* filter rows x 4-tap blocks: 4 words each, 320 bytes */

/*
 * MultiplyByQuantizedMultiplier(acc, m, shift) for shift = -e, e in 1..31,
 * given d = 2^(e-1) and em1 = e - 1. With Y = acc*m + 2^30 = hi:lo (exact in
 * 64 bits), SRDHM is s = floor(Y / 2^31) = 2*hi + b, b = lo >> 31, and
 * s < 0 exactly when hi < 0. RoundingDivideByPOT(s, e) = floor((s + d - [s<0])
 * / 2^e) (ties away from zero) = floor((hi + (b + d - [hi<0]) / 2) / 2^(e-1))
 * = (hi + ((b + d - [hi<0]) >> 1)) >> em1, since floor(floor(y)/k) =
 * floor(y/k) and b + d - [hi<0] >= 0. No intermediate overflows (|hi| <= 2^30,
 * the added term <= 2^29 + 1). SRDHM's one saturating case, acc = m = INT32_MIN
 * (s = 2^31 instead of 2^31 - 1), rounds to the same result for every e >= 1.
 * One SMLAL and four ALU instructions instead of ts_mbqm's branches.
 */
DW_INLINE int32_t dw_rq(int32_t acc, int32_t m, int32_t d, int32_t em1) {
  const int64_t y = (int64_t)acc * m + (1 << 30);
  const uint32_t lo = (uint32_t)y;
  const int32_t hi = (int32_t)(y >> 32);
  const uint32_t t = (uint32_t)d + (lo >> 31) - ((uint32_t)hi >> 31);
  return (hi + (int32_t)(t >> 1)) >> em1;
}

/*
 * The same for multipliers m > 2^30 (every multiplier QuantizeMultiplier makes
 * but the exact powers of two): then s < 0 exactly when acc < 0 (acc <= -1
 * gives acc*m + 2^30 < 0; acc >= 0 gives > 0), so the result is
 * floor((acc*m + 2^30 + 2^(30+e) - [acc<0] * 2^31) / 2^(31+e)): one 64-bit
 * constant k = 2^30 + 2^(30+e), two SMLALs (the second adds [acc<0] * -2^31)
 * and the high word shifted right by e - 1.
 */
DW_INLINE int32_t dw_rq2(int32_t acc, int32_t k_lo, int32_t k_hi, int32_t m, int32_t em1) {
  uint32_t lo = (uint32_t)k_lo, t;
  int32_t hi = k_hi;
  __asm__("smlal %0, %1, %3, %4\n\t"
          "lsr %2, %3, #31\n\t"
          "smlal %0, %1, %2, %5"
          : "+&r"(lo), "+&r"(hi), "=&r"(t)
          : "r"(acc), "r"(m), "r"(TS_INT32_MIN));
  return hi >> em1;
}

/* Requantization of one output channel, prepared once per channel group
 * (dw_m1_k3's asm reads the first 4 words: keep the order and the 6 words). */
typedef struct {
  int32_t k_lo, k_hi, m, em1; /* dw_rq2 */
  int32_t d, shift;           /* dw_rq; ts_mbqm */
} dw_quant;

/* Returns 2 when dw_rq2 applies, 1 when dw_rq does, 0 when neither. */
static int32_t dw_quant_init(dw_quant *q, const ts_per_channel_quant_params *quant, int32_t c) {
  const int32_t shift = quant->shift[c], m = quant->multiplier[c];
  const int32_t em1 = shift < 0 ? -shift - 1 : 0;
  q->m = m;
  q->shift = shift;
  q->em1 = em1;
  q->d = 1 << em1;
  /* k = 2^30 + 2^(31+em1) */
  q->k_lo = (int32_t)(em1 == 0 ? 0xc0000000u : 0x40000000u);
  q->k_hi = em1 == 0 ? 0 : 1 << (em1 - 1);
  if (shift >= 0) return 0;
  return m > 0x40000000 ? 2 : 1;
}

/* Shifts >= 0: ts_mbqm can return values near the int32 limits, where the
 * reference's output offset addition wraps. Return w - oo for w = the wrapped
 * sum clamped to [-128, 127]: adding oo back (QADD16 or plain) gives w
 * exactly, and clamping w to the activation range (inside [-128, 127]) is
 * the reference's clamp. With shifts < 0 |result| <= 2^30 + 1: no wrap. */
static int32_t __attribute__((noinline)) dw_rq_slow(int32_t acc, const dw_quant *q, int32_t oo) {
  return ts_clamp32(ts_wadd(ts_mbqm(acc, q->m, q->shift), oo), -128, 127) - oo;
}

DW_INLINE int32_t dw_rq_mode(int32_t acc, const dw_quant *q, int32_t mode, int32_t oo) {
  if (mode == 2) return dw_rq2(acc, q->k_lo, q->k_hi, q->m, q->em1);
  if (q->shift < 0) return dw_rq(acc, q->m, q->d, q->em1);
  return dw_rq_slow(acc, q, oo);
}

/* Four requantized channels (before the output offset) -> four output bytes:
 * saturated to int16 (order-preserving; the clamp bounds are inside), output
 * offset added with QADD16, clamped with SSUB16/SEL two lanes at a time. */
DW_INLINE uint32_t dw_pack4(int32_t r0, int32_t r1, int32_t r2, int32_t r3, uint32_t oo2,
                            uint32_t min2, uint32_t max2) {
  uint32_t p02 = ts_pack_lo((uint32_t)ts_ssat16_1(r0), (uint32_t)ts_ssat16_1(r2));
  uint32_t p13 = ts_pack_lo((uint32_t)ts_ssat16_1(r1), (uint32_t)ts_ssat16_1(r3));
  p02 = ts_min16(ts_max16(ts_qadd16(p02, oo2), min2), max2);
  p13 = ts_min16(ts_max16(ts_qadd16(p13, oo2), min2), max2);
  return (p02 & 0x00ff00ffu) | ((p13 & 0x00ff00ffu) << 8);
}

/* The taps t (0 <= t < k) with 0 <= origin + dil * t < n: [*lo, *hi). */
DW_INLINE void dw_taps(int32_t origin, int32_t dil, int32_t k, int32_t n, int32_t *lo,
                       int32_t *hi) {
  int32_t a = 0, b = n - origin;
  if (dil == 1) {
    if (origin < 0) a = -origin;
  } else {
    if (origin < 0) a = (dil - 1 - origin) / dil;
    if (b > 0) b = (b - 1) / dil + 1;
  }
  if (b > k) b = k;
  if (a > b) a = b;
  *lo = a;
  *hi = b;
}

/* Everything dw_m1's pixel loops read, set up once per 4-channel group. */
typedef struct {
  int32_t bq[4];      /* bias */
  int32_t bi[4];      /* bias + o * (sum of the channel's taps): pixels with no padded tap */
  int32_t mode;       /* dw_quant_init's, all 4 channels */
  uint32_t off2;
  int32_t oo, depth, kw, in_w, dil_w, stride_w, tap_step, row_step;
  uint32_t pad4;      /* 4 bytes of -o (dw_m1_k3_row), when o is in [-127, 128] */
  dw_quant qa[4];     /* the group's requantization, then oo2, min2, max2 and */
  uint32_t oo2, min2, max2, clamp; /* clamp: dw_rq4's 28 words (dw_store_any's) */
  int32_t x_a, x_b, out_w, pad_w;  /* dw_m1_k3_row */
  int32_t k_ts, k_rs, k_nx;        /* dw_m1_k3_loop */
  int32_t sw, strip_full, strip_part, s_rs, s_nx, i_rs, i_nx; /* dw_m1_k3_row's */
  int32_t band, in_h, pad_h, stride_h, dil_h, out_h; /* dw_m1_k3_band's */
  const int8_t *k_end;
  uint32_t fb[2 * DW_M1_TAPS]; /* unpacked filter: [f0, f2], [f1, f3] per tap */
} dw_m1_ctx;
/* the layout dw_rq4 and dw_store_any assume */
typedef char dw_m1_ctx_layout[(offsetof(dw_m1_ctx, oo2) - offsetof(dw_m1_ctx, qa) == 96 &&
                               offsetof(dw_m1_ctx, clamp) - offsetof(dw_m1_ctx, qa) == 108 &&
                               sizeof(dw_quant) == 24 && offsetof(dw_quant, em1) == 12)
                                  ? 1
                                  : -1];

/* dw_rq2 of accumulator A with the parameters at q + OFF, saturated to int16 */
#define DW_RQ2(A, OFF)                                \
  "ldrd %[lo], %[hi], [%[q], #" #OFF "]\n\t"          \
  "ldrd %[m], %[e], [%[q], #" #OFF " + 8]\n\t"        \
  "smlal %[lo], %[hi], %[" #A "], %[m]\n\t"           \
  "lsr %[m], %[" #A "], #31\n\t"                      \
  "smlal %[lo], %[hi], %[m], %[im]\n\t"               \
  "asr %[hi], %[hi], %[e]\n\t"                        \
  "ssat %[" #A "], #16, %[hi]\n\t"

/* Four accumulators -> four output bytes at out, for channel groups whose 4
 * channels all take dw_rq2: q points to their dw_quant[4], followed by the
 * words oo2, min2, max2 and clamp (activation range not [-128, 127]). dw_rq2
 * per channel saturated to int16, then dw_pack4 (its clamp only when
 * `clamp`; SSAT16 #8 does it for [-128, 127]). */
DW_INLINE void dw_rq4(int32_t a0, int32_t a1, int32_t a2, int32_t a3, const dw_quant *q,
                    int8_t *out) {
  uint32_t lo, hi, m, e, im;
  __asm__ __volatile__("mov %[im], #0x80000000\n\t"
          DW_RQ2(a0, 0) DW_RQ2(a1, 24) DW_RQ2(a2, 48) DW_RQ2(a3, 72)
          "pkhbt %[a0], %[a0], %[a2], lsl #16\n\t"
          "pkhbt %[a1], %[a1], %[a3], lsl #16\n\t"
          "ldrd %[lo], %[hi], [%[q], #96]\n\t"
          "ldrd %[m], %[e], [%[q], #104]\n\t"
          "qadd16 %[a0], %[a0], %[lo]\n\t"
          "qadd16 %[a1], %[a1], %[lo]\n\t"
          "cbz %[e], 1f\n\t"
          "ssub16 %[lo], %[a0], %[hi]\n\t"
          "sel %[a0], %[a0], %[hi]\n\t"
          "ssub16 %[lo], %[a1], %[hi]\n\t"
          "sel %[a1], %[a1], %[hi]\n\t"
          "ssub16 %[lo], %[a0], %[m]\n\t"
          "sel %[a0], %[m], %[a0]\n\t"
          "ssub16 %[lo], %[a1], %[m]\n\t"
          "sel %[a1], %[m], %[a1]\n"
          "1:\n\t"
          "ssat16 %[a0], #8, %[a0]\n\t"
          "ssat16 %[a1], #8, %[a1]\n\t"
          "uxtb16 %[a0], %[a0]\n\t"
          "uxtb16 %[a1], %[a1]\n\t"
          "orr %[a0], %[a0], %[a1], lsl #8\n\t"
          "str %[a0], [%[out]]"
          : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [lo] "=&r"(lo),
            [hi] "=&r"(hi), [m] "=&r"(m), [e] "=&l"(e), [im] "=&r"(im)
          : [q] "r"(q), [out] "r"(out)
          : "memory", "cc");
}

/* The same for any requantization (dw_rq_mode with the group's mode). */
static void __attribute__((noinline)) dw_store_any(const dw_quant *q, int32_t mode, int32_t oo,
                                                   int8_t *out, int32_t a0, int32_t a1, int32_t a2,
                                                   int32_t a3) {
  const uint32_t *k = (const uint32_t *)(q + 4); /* oo2, min2, max2 */
  const int32_t r0 = dw_rq_mode(a0, &q[0], mode, oo), r1 = dw_rq_mode(a1, &q[1], mode, oo);
  const int32_t r2 = dw_rq_mode(a2, &q[2], mode, oo), r3 = dw_rq_mode(a3, &q[3], mode, oo);
  ts_write_u32(out, dw_pack4(r0, r1, r2, r3, k[0], k[1], k[2]));
}

/* One tap of dw_m1_k3: 4 channels, 4 MACs (filter [f0, f2], [f1, f3] at f + FOFF) */
#define DW_K3_TAP(ADDR, FOFF)                          \
  "ldr %[x], " ADDR "\n\t"                             \
  "ldrd %[g0], %[g1], [%[c], #%c[fb] + " #FOFF "]\n\t"  \
  "sxtb16 %[xh], %[x], ror #8\n\t"                     \
  "sxtb16 %[x], %[x]\n\t"                              \
  "smlabb %[a0], %[x], %[g0], %[a0]\n\t"               \
  "smlatt %[a2], %[x], %[g0], %[a2]\n\t"               \
  "smlabb %[a1], %[xh], %[g1], %[a1]\n\t"              \
  "smlatt %[a3], %[xh], %[g1], %[a3]\n\t"
#define DW_K3_ROW(F0, F1, F2) \
  DW_K3_TAP("[%[s]]", F0) DW_K3_TAP("[%[s], %[ts]]", F1) \
  "add %[s], %[s], %[ts], lsl #1\n\t" DW_K3_TAP("[%[s]]", F2)

/* dw_rq2 of accumulator A with the parameters at c + qa + OFF, saturated to
 * int16 (lo, hi, m, e: x, xh, g0, g1; im: ts) */
#define DW_K3_RQ(A, OFF)                                      \
  "ldrd %[x], %[xh], [%[c], #%c[qa] + " #OFF "]\n\t"          \
  "ldrd %[g0], %[g1], [%[c], #%c[qa] + " #OFF " + 8]\n\t"     \
  "smlal %[x], %[xh], %[" #A "], %[g0]\n\t"                   \
  "lsr %[g0], %[" #A "], #31\n\t"                             \
  "smlal %[x], %[xh], %[g0], %[ts]\n\t"                       \
  "asr %[xh], %[xh], %[g1]\n\t"                               \
  "ssat %[" #A "], #16, %[xh]\n\t"

/* Pixels of a 3x3 filter, 4 channels, every channel taking dw_rq2, in one asm
 * loop: s is the first pixel's first tap, c->k_ts the tap step, c->k_rs from a
 * row's third tap to the next row's first, c->k_nx from the third row's third
 * tap to the next pixel's first; output from out, c->depth apart, up to
 * c->k_end (at least one pixel). Per pixel: the input offset is in c->bi,
 * SXTB16 unpacks, 9 taps x 4 channels = 36 MACs against the filter at fixed
 * offsets from c, then dw_rq2 x 4 and dw_pack4 (its clamp only when c->clamp;
 * SSAT16 #8 does it for [-128, 127]). */
DW_INLINE void dw_m1_k3_loop(dw_m1_ctx *c, const int8_t *s, int8_t *out) {
  int32_t a0, a1, a2, a3;
  uint32_t x, xh, g0, g1, ts;
  __asm__ __volatile__(
      "1:\n\t"
      "ldr %[ts], [%[c], #%c[kts]]\n\t"
      "ldrd %[a0], %[a1], [%[c], #%c[bi]]\n\t"
      "ldrd %[a2], %[a3], [%[c], #%c[bi] + 8]\n\t"
      DW_K3_ROW(0, 8, 16)
      "add %[s], %[s], %[rs]\n\t"
      DW_K3_ROW(24, 32, 40)
      "add %[s], %[s], %[rs]\n\t"
      DW_K3_ROW(48, 56, 64)
      "ldr %[x], [%[c], #%c[knx]]\n\t"
      "add %[s], %[s], %[x]\n\t"
      "mov %[ts], #0x80000000\n\t"
      DW_K3_RQ(a0, 0) DW_K3_RQ(a1, 24) DW_K3_RQ(a2, 48) DW_K3_RQ(a3, 72)
      "pkhbt %[a0], %[a0], %[a2], lsl #16\n\t"
      "pkhbt %[a1], %[a1], %[a3], lsl #16\n\t"
      "ldrd %[x], %[xh], [%[c], #%c[qa] + 96]\n\t"
      "ldrd %[g0], %[g1], [%[c], #%c[qa] + 104]\n\t"
      "qadd16 %[a0], %[a0], %[x]\n\t"
      "qadd16 %[a1], %[a1], %[x]\n\t"
      "cbz %[g1], 2f\n\t"
      "ssub16 %[x], %[a0], %[xh]\n\t"
      "sel %[a0], %[a0], %[xh]\n\t"
      "ssub16 %[x], %[a1], %[xh]\n\t"
      "sel %[a1], %[a1], %[xh]\n\t"
      "ssub16 %[x], %[a0], %[g0]\n\t"
      "sel %[a0], %[g0], %[a0]\n\t"
      "ssub16 %[x], %[a1], %[g0]\n\t"
      "sel %[a1], %[g0], %[a1]\n"
      "2:\n\t"
      "ssat16 %[a0], #8, %[a0]\n\t"
      "ssat16 %[a1], #8, %[a1]\n\t"
      "uxtb16 %[a0], %[a0]\n\t"
      "uxtb16 %[a1], %[a1]\n\t"
      "orr %[a0], %[a0], %[a1], lsl #8\n\t"
      "str %[a0], [%[o]]\n\t"
      "ldr %[x], [%[c], #%c[dep]]\n\t"
      "add %[o], %[o], %[x]\n\t"
      "cmp %[o], %[end]\n\t"
      "bne 1b"
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [s] "+&r"(s),
        [x] "=&r"(x), [xh] "=&r"(xh), [g0] "=&r"(g0), [g1] "=&l"(g1), [ts] "=&r"(ts),
        [o] "+&r"(out)
      : [c] "r"(c), [rs] "r"(c->k_rs), [end] "r"(c->k_end), [fb] "i"(offsetof(dw_m1_ctx, fb)), [qa] "i"(offsetof(dw_m1_ctx, qa)),
        [bi] "i"(offsetof(dw_m1_ctx, bi)), [kts] "i"(offsetof(dw_m1_ctx, k_ts)),
        [krs] "i"(offsetof(dw_m1_ctx, k_rs)), [knx] "i"(offsetof(dw_m1_ctx, k_nx)),
        [kend] "i"(offsetof(dw_m1_ctx, k_end)),
        [dep] "i"(offsetof(dw_m1_ctx, depth))
      : "memory", "cc");
}

/* One output row of one channel group, 3x3 filter, input offset in
 * [-127, 128], every channel taking dw_rq2: filter rows ky0..ky1 are inside
 * the input (row: the input row of ky0). On rows with all 3 inside, pixels
 * [x_a, x_b) read the input in place; every other pixel reads a copy of its
 * window holding -o at the padded taps (x + o = 0 there, so c->bi is right for
 * it too). */
static void __attribute__((noinline)) dw_m1_k3_row(dw_m1_ctx *c, const int8_t *row, int32_t ky0,
                                                   int32_t ky1, int8_t *out) {
  const int32_t full = ky0 == 0 && ky1 == 3, depth = c->depth, out_w = c->out_w;
  const int32_t xa = full ? c->x_a : out_w, xb = full ? c->x_b : out_w;
  const int32_t dil = c->dil_w, stride_w = c->stride_w, sw = c->sw;
  const int32_t use_strip = full ? c->strip_full : c->strip_part;
  int32_t ox = 0, in_x = -c->pad_w;
  uint32_t strip[DW_STRIP]; /* also the border pixels' 9-word windows */
  while (ox < out_w) {
    const int8_t *s = (const int8_t *)strip;
    int32_t n = 1;
    if (use_strip) {
      /* a padded copy of the 3 input rows the whole output row reads */
      const uint32_t pad = c->pad4;
      const int32_t jl = in_x < 0 ? (-in_x < sw ? -in_x : sw) : 0;
      int32_t jr = c->in_w - in_x, ky, j;
      if (jr > sw) jr = sw;
      if (jr < jl) jr = jl;
      for (ky = 0; ky < 3; ++ky) {
        uint32_t *w = strip + ky * sw;
        if (ky >= ky0 && ky < ky1) {
          const int8_t *src = row + (ky - ky0) * c->row_step + (in_x + jl) * depth;
          for (j = 0; j < jl; ++j) w[j] = pad;
          for (; j < jr; ++j, src += depth) w[j] = ts_read_u32(src);
          for (; j < sw; ++j) w[j] = pad;
        } else {
          for (j = 0; j < sw; ++j) w[j] = pad;
        }
      }
      n = out_w;
      c->k_ts = 4 * dil;
      c->k_rs = c->s_rs;
      c->k_nx = c->s_nx;
    } else if (ox < xa || ox >= xb) {
      const int32_t ts = c->tap_step, rstep = c->row_step;
      const uint32_t iw = (uint32_t)c->in_w, pad = c->pad4;
      const int32_t v0 = (uint32_t)in_x < iw, v1 = (uint32_t)(in_x + dil) < iw;
      const int32_t v2 = (uint32_t)(in_x + 2 * dil) < iw;
      int32_t o = in_x * depth - ky0 * rstep, ky; /* row + o: tap (ky = 0, kx = 0) */
      for (ky = 0; ky < 3; ++ky, o += rstep) {
        uint32_t *w = strip + 3 * ky;
        if (ky >= ky0 && ky < ky1) {
          w[0] = v0 ? ts_read_u32(row + o) : pad;
          w[1] = v1 ? ts_read_u32(row + o + ts) : pad;
          w[2] = v2 ? ts_read_u32(row + o + 2 * ts) : pad;
        } else {
          w[0] = w[1] = w[2] = pad;
        }
      }
      c->k_ts = 4;
      c->k_rs = 4;
    } else {
      s = row + in_x * depth;
      n = xb - ox;
      c->k_ts = c->tap_step;
      c->k_rs = c->i_rs;
      c->k_nx = c->i_nx;
    }
    c->k_end = out + n * depth;
    dw_m1_k3_loop(c, s, out);
    ox += n;
    in_x += n * stride_w;
    out += n * depth;
  }
}

/* dw_m1_k3_band's copy: words [0, total) of buf (total + 1 writable) = pad
 * (none when total is 0: the padding is already there),
 * then `rows` rows of nin words (nin >= 1) from src (depth bytes apart,
 * src_skip more between rows) to d (d_skip more words between rows). */
static void __attribute__((noinline)) dw_band_copy(uint32_t *buf, int32_t total, uint32_t pad,
                                                   uint32_t *d, const int8_t *src, int32_t rows,
                                                   int32_t nin, int32_t depth, int32_t src_skip,
                                                   int32_t d_skip) {
  uint32_t *const e = buf + total;
  for (; buf < e; buf += 2) {
    buf[0] = pad;
    buf[1] = pad;
  }
  for (; rows > 0; --rows) {
    int32_t n = nin >> 1;
    if (nin & 1) {
      *d++ = ts_read_u32(src);
      src += depth;
    }
    for (; n > 0; --n) {
      const uint32_t a = ts_read_u32(src), b = ts_read_u32(src + depth);
      d[0] = a;
      d[1] = b;
      d += 2;
      src += 2 * depth;
    }
    src += src_skip;
    d += d_skip;
  }
}

/* All output rows of one channel group (one batch) of a small layer, 3x3
 * filter, input offset in [-127, 128], every channel taking dw_rq2: bands of
 * c->band output rows, each from ONE padded copy (-o outside the input) of
 * the input rows it reads, c->sw words a row, so that every pixel runs the
 * same loop (no border pixels, no per-row copies). buf: DW_BAND + 1 words,
 * all -o when dw_m1_run sets up the layer; the copies write the same columns
 * [jl, jr) every time, so only the rows outside the input (top of the first
 * band, bottom of the last) need -o again, and only with several bands (one
 * band: the same rows every time). in: the group's input (batch),
 * out: its output row 0. */
static void __attribute__((noinline)) dw_m1_k3_band(dw_m1_ctx *c, uint32_t *buf,
                                                    const int8_t *in, int8_t *out) {
  const int32_t sw = c->sw, depth = c->depth, in_w = c->in_w, in_h = c->in_h;
  const int32_t sh = c->stride_h, dil_h = c->dil_h, out_h = c->out_h;
  const int32_t row_out = c->out_w * depth, in_row = in_w * depth, pstep = sh * sw;
  const uint32_t pad = c->pad4;
  const int32_t multi = c->band < out_h; /* else each copy writes the same words */
  int32_t jl = c->pad_w, jr = c->pad_w + in_w, y0, nin;
  if (jl > sw) jl = sw;
  if (jr > sw) jr = sw;
  nin = jr - jl; /* words a row copies from the input, from column jl */
  c->k_ts = 4 * c->dil_w;
  c->k_rs = 4 * (dil_h * sw - 2 * c->dil_w);
  c->k_nx = 4 * (c->stride_w - dil_h * sw - 2 * c->dil_w) - 4 * dil_h * sw;
  for (y0 = 0; y0 < out_h; y0 += c->band) {
    int32_t nb = out_h - y0, rows, iy0, r0, r1;
    const uint32_t *s = buf;
    if (nb > c->band) nb = c->band;
    rows = (nb - 1) * sh + 2 * dil_h + 1;
    iy0 = y0 * sh - c->pad_h; /* the input row of buffer row 0 */
    r0 = iy0 < 0 ? -iy0 : 0;
    r1 = in_h - iy0;
    if (r1 > rows) r1 = rows;
    if (nin <= 0 || r1 <= r0) r0 = r1 = 0;
    if (r0 > 0 && multi) dw_band_copy(buf, r0 * sw, pad, buf, in, 0, 0, 0, 0, 0);
    dw_band_copy(buf + r1 * sw, multi ? (rows - r1) * sw : 0, pad, buf + r0 * sw + jl,
                 in + (iy0 + r0) * in_row + (jl - c->pad_w) * depth, r1 - r0, nin, depth,
                 in_row - nin * depth, sw - nin);
    do {
      c->k_end = out + row_out;
      dw_m1_k3_loop(c, (const int8_t *)s, out);
      out += row_out;
      s += pstep;
    } while (--nb);
  }
}

/* `count` pixels of which some taps may be padding: rows ky0..ky1 of the
 * filter (row: the input row of ky0), columns decided per pixel. */
static void __attribute__((noinline)) dw_m1_part(const dw_m1_ctx *c, const int8_t *row,
                                                 int32_t in_x, int32_t ky0, int32_t ky1,
                                                 int8_t *out, int32_t count) {
  const int32_t kw = c->kw, ts = c->tap_step;
  do {
    int32_t a0 = c->bq[0], a1 = c->bq[1], a2 = c->bq[2], a3 = c->bq[3];
    int32_t kx0, kx1, ky;
    dw_taps(in_x, c->dil_w, kw, c->in_w, &kx0, &kx1);
    if (kx1 > kx0) {
      const int32_t n = kx1 - kx0, rest = c->row_step - n * ts;
      const uint32_t off2 = c->off2;
      const int8_t *s = row + (in_x + kx0 * c->dil_w) * c->depth;
      const uint32_t *f = c->fb + 2 * (ky0 * kw + kx0);
      for (ky = ky0; ky < ky1; ++ky, s += rest, f += 2 * (kw - n)) {
        int32_t k = n;
        do {
          const uint32_t x = ts_read_u32(s);
          const uint32_t xl = ts_sxtab16(off2, x), xh = ts_sxtab16_ror8(off2, x);
          a0 = ts_smlabb(xl, f[0], a0);
          a2 = ts_smlatt(xl, f[0], a2);
          a1 = ts_smlabb(xh, f[1], a1);
          a3 = ts_smlatt(xh, f[1], a3);
          s += ts;
          f += 2;
        } while (--k);
      }
    }
    dw_store_any(c->qa, c->mode, c->oo, out, a0, a1, a2, a3);
    in_x += c->stride_w;
    out += c->depth;
  } while (--count);
}

static void __attribute__((noinline, optimize("Os"))) dw_m1_run(dw_m1_ctx *pc, const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
                  const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                  const int8_t *filter, const int32_t *bias, const ts_dims *output_dims,
                  int8_t *output) {
  uint32_t *fb = pc->fb;
  dw_quant *q = pc->qa;
  const int32_t depth = input_dims->c, in_h = input_dims->h, in_w = input_dims->w;
  const int32_t kh = filter_dims->h, kw = filter_dims->w, taps = kh * kw;
  const int32_t out_h = output_dims->h, out_w = output_dims->w;
  const int32_t stride_w = params->stride.w, pad_w = params->padding.w;
  const int32_t dil_h = params->dilation.h, dil_w = params->dilation.w;
  /* output columns [x_a, x_b) have no padded column tap */
  const int32_t last = in_w - 1 - dil_w * (kw - 1) + pad_w;
  int32_t x_a = (pad_w + stride_w - 1) / stride_w, x_b = last < 0 ? 0 : last / stride_w + 1;
  int32_t c0, t, i, batch, out_y, k3;
  uint32_t band_buf[DW_BAND + 1]; /* dw_m1_k3_band's (+ 1: filled in pairs) */

  TS_PATH("dw_m1");
  if (x_b > out_w) x_b = out_w;
  if (x_a > x_b) x_a = x_b;
  pc->off2 = ts_dup16(params->input_offset);
  pc->oo = params->output_offset;
  pc->oo2 = ts_dup16(params->output_offset);
  pc->min2 = ts_dup16(params->activation.min);
  pc->max2 = ts_dup16(params->activation.max);
  pc->depth = depth;
  pc->kw = kw;
  pc->in_w = in_w;
  pc->dil_w = dil_w;
  pc->stride_w = stride_w;
  pc->tap_step = dil_w * depth;
  pc->row_step = dil_h * in_w * depth;
  pc->pad4 = 0x01010101u * (uint8_t)(-params->input_offset);
  pc->clamp = params->activation.min != -128 || params->activation.max != 127;
  k3 = kh == 3 && kw == 3 && params->input_offset >= -127 && params->input_offset <= 128;
  pc->x_a = x_a;
  pc->x_b = x_b;
  /* dw_m1_k3_row: rows with nb border pixels copy their 3 input rows when
   * that is cheaper than nb windows (about 11 vs 80 instructions per word)
   * and fits; steps in place (i_) and in the copy (s_, sw words a row) */
  pc->sw = (out_w - 1) * stride_w + 2 * dil_w + 1;
  pc->strip_full = 3 * pc->sw <= DW_STRIP && 11 * pc->sw < 80 * (x_a + out_w - x_b);
  pc->strip_part = 3 * pc->sw <= DW_STRIP && 11 * pc->sw < 80 * out_w;
  pc->s_rs = 4 * pc->sw - 8 * dil_w;
  pc->s_nx = 4 * stride_w - 8 * pc->sw - 8 * dil_w;
  pc->i_rs = pc->row_step - 2 * pc->tap_step;
  pc->i_nx = stride_w * depth - 2 * pc->row_step - 2 * pc->tap_step;
  pc->out_w = out_w;
  pc->pad_w = pad_w;
  /* dw_m1_k3_band: when DW_BAND words hold the padded rows of 2 output rows
   * or more (or all of them) */
  pc->in_h = in_h;
  pc->pad_h = params->padding.h;
  pc->stride_h = params->stride.h;
  pc->dil_h = dil_h;
  pc->out_h = out_h;
  pc->band = 0;
  if (k3 && DW_BAND / pc->sw >= 2 * dil_h + 1) {
    const int32_t band = (DW_BAND / pc->sw - 2 * dil_h - 1) / params->stride.h + 1;
    if (band >= 2 || band >= out_h) pc->band = band;
    if (pc->band) /* the padding columns stay for every band of every group */
      dw_band_copy(band_buf,
                   (((band < out_h ? band : out_h) - 1) * params->stride.h + 2 * dil_h + 1) *
                       pc->sw,
                   pc->pad4, band_buf, input, 0, 0, 0, 0, 0);
  }
  for (c0 = 0; c0 + 4 <= depth; c0 += 4) {
    uint32_t sum02 = 0, sum13 = 0; /* [sum f0, sum f2], [sum f1, sum f3] (|sum| < 2^15) */
    for (t = 0; t < taps; ++t) {
      const uint32_t w = ts_read_u32(filter + t * depth + c0);
      fb[2 * t] = ts_sxtb16(w);
      fb[2 * t + 1] = ts_sxtb16_ror8(w);
      sum02 = ts_sxtab16(sum02, w);
      sum13 = ts_sxtab16_ror8(sum13, w);
    }
    pc->mode = 2;
    for (i = 0; i < 4; ++i) {
      const int32_t mode = dw_quant_init(&q[i], quant, c0 + i);
      const uint32_t sum = i & 1 ? sum13 : sum02;
      const int32_t fsum = (int16_t)(i & 2 ? sum >> 16 : sum);
      if (mode < pc->mode) pc->mode = mode;
      pc->bq[i] = bias ? bias[c0 + i] : 0;
      pc->bi[i] = ts_wadd(pc->bq[i], ts_wmul(fsum, params->input_offset));
    }
    if (k3 && pc->mode == 2) {
      if (pc->band) {
        TS_PATH("dw_m1_k3_band");
        for (batch = 0; batch < input_dims->n; ++batch)
          dw_m1_k3_band(pc, band_buf, input + batch * in_h * in_w * depth + c0,
                        output + batch * out_h * out_w * depth + c0);
        continue;
      }
      TS_PATH("dw_m1_k3");
    }
    for (batch = 0; batch < input_dims->n; ++batch) {
      const int8_t *in_b = input + batch * in_h * in_w * depth + c0;
      for (out_y = 0; out_y < out_h; ++out_y) {
        const int32_t in_y = out_y * params->stride.h - params->padding.h;
        int8_t *out_row = output + ((batch * out_h + out_y) * out_w) * depth + c0;
        int32_t ky0, ky1;
        const int8_t *row;
        dw_taps(in_y, dil_h, kh, in_h, &ky0, &ky1);
        row = in_b + (in_y + ky0 * dil_h) * in_w * depth;
        if (k3 && pc->mode == 2)
          dw_m1_k3_row(pc, row, ky0, ky1, out_row);
        else
          dw_m1_part(pc, row, -pad_w, ky0, ky1, out_row, out_w);
      }
    }
  }
  if (c0 < depth) {
    ts_dw_ref_channels(params, quant, input_dims, input, filter_dims, filter, bias, output_dims,
                       output, c0, depth);
  }
}

/* dw_m1's frame holds the context (with the unpacked filter); dw_m1_run's
 * has the loops' spills: each below 512 bytes. */
static void dw_m1(const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
                  const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                  const int8_t *filter, const int32_t *bias, const ts_dims *output_dims,
                  int8_t *output) {
  dw_m1_ctx c;
  dw_m1_run(&c, params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
}

static int32_t dw_out1(int32_t acc, const dw_quant *q, int32_t mode,
                       const ts_dw_conv_params *params) {
  const int32_t v = ts_wadd(dw_rq_mode(acc, q, mode, params->output_offset), params->output_offset);
  return ts_clamp32(v, params->activation.min, params->activation.max);
}

typedef struct {
  const ts_dw_conv_params *params;
  const uint32_t *fb; /* [(ky * blocks + blk) * 4 + 2 * ch + {0, 1}]: [f0, f2], [f1, f3] */
  const dw_quant *q;
  int32_t mode0, mode1, b0, b1, two, mult;
  dw_quant qa[2];
  uint32_t fbuf[4 * DW_C1_ROWBLOCKS];
} dw_c1_ctx;

/* One output row of one channel pair: filter rows ky0..ky1, row: the input
 * row of ky0. */
/* `blocks` words of 4 window bytes (plus the input offset) against the prepacked filter: two
 * output channels' accumulators, SMLAD over tap pairs; returns the filter past what it read. */
static inline __attribute__((always_inline)) const uint32_t *dw_c1_taps(const int8_t *src, int32_t blocks, uint32_t off2,
                                                                        const uint32_t *f, int32_t *acc0, int32_t *acc1) {
  int32_t a0 = *acc0, a1 = *acc1;
  do {
    const uint32_t x = ts_read_u32(src);
    const uint32_t xl = ts_sxtab16(off2, x), xh = ts_sxtab16_ror8(off2, x);
    a0 = ts_smlad(xl, f[0], a0);
    a0 = ts_smlad(xh, f[1], a0);
    a1 = ts_smlad(xl, f[2], a1);
    a1 = ts_smlad(xh, f[3], a1);
    src += 4;
    f += 4;
  } while (--blocks);
  *acc0 = a0;
  *acc1 = a1;
  return f;
}

static void __attribute__((noinline)) dw_c1_row(const dw_c1_ctx *c, const ts_dims *input_dims,
                                                const ts_dims *filter_dims, int32_t out_w,
                                                const int8_t *row0, int32_t ky0, int32_t ky1,
                                                int8_t *out_p) {
  uint32_t win32[DW_C1_ROWBLOCKS];
  int8_t *win = (int8_t *)win32;
  const ts_dw_conv_params *params = c->params;
  const int32_t in_w = input_dims->w, blocks = (filter_dims->w + 3) >> 2, mult = c->mult;
  const int32_t stride_w = params->stride.w, pad_w = params->padding.w;
  const int32_t row_step = params->dilation.h * in_w;
  const uint32_t off2 = ts_dup16(params->input_offset);
  const int8_t pad = (int8_t)(-params->input_offset);
  int32_t out_x, ky, j;
  for (out_x = 0; out_x < out_w; ++out_x, out_p += mult) {
    const int32_t in_x = out_x * stride_w - pad_w;
    const int8_t *row = row0;
    const uint32_t *f = c->fb + ky0 * blocks * 4;
    int32_t a0 = c->b0, a1 = c->b1;
    if (in_x >= 0 && in_x + 4 * blocks <= in_w) {
      const int8_t *src = row + in_x;
      if (blocks == 2) {
        for (ky = ky1 - ky0; ky > 0; --ky, src += row_step, f += 8) {
          uint32_t x = ts_read_u32(src), xl, xh;
          xl = ts_sxtab16(off2, x);
          xh = ts_sxtab16_ror8(off2, x);
          a0 = ts_smlad(xl, f[0], a0);
          a0 = ts_smlad(xh, f[1], a0);
          a1 = ts_smlad(xl, f[2], a1);
          a1 = ts_smlad(xh, f[3], a1);
          x = ts_read_u32(src + 4);
          xl = ts_sxtab16(off2, x);
          xh = ts_sxtab16_ror8(off2, x);
          a0 = ts_smlad(xl, f[4], a0);
          a0 = ts_smlad(xh, f[5], a0);
          a1 = ts_smlad(xl, f[6], a1);
          a1 = ts_smlad(xh, f[7], a1);
        }
      } else {
        for (ky = ky1 - ky0; ky > 0; --ky, src += row_step - 4 * blocks) {
          f = dw_c1_taps(src, blocks, off2, f, &a0, &a1);
          src += 4 * blocks;
        }
      }
    } else {
      /* border: a copy of the window, padded with -o */
      for (ky = ky1 - ky0; ky > 0; --ky, row += row_step) {
        for (j = 0; j < 4 * blocks; ++j) {
          const int32_t x = in_x + j;
          win[j] = (x >= 0 && x < in_w) ? row[x] : pad;
        }
        f = dw_c1_taps(win, blocks, off2, f, &a0, &a1);
      }
    }
    out_p[0] = (int8_t)dw_out1(a0, &c->q[0], c->mode0, c->params);
    if (c->two) out_p[1] = (int8_t)dw_out1(a1, &c->q[1], c->mode1, c->params);
  }
}

static void __attribute__((noinline, optimize("Os"))) dw_c1_run(
    dw_c1_ctx *pc, const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
    const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
    const int8_t *filter, const int32_t *bias, const ts_dims *output_dims, int8_t *output) {
  uint32_t *fb = pc->fbuf;
  dw_quant *q = pc->qa;
  const int32_t mult = params->ch_mult, in_h = input_dims->h, in_w = input_dims->w;
  const int32_t kh = filter_dims->h, kw = filter_dims->w, blocks = (kw + 3) >> 2;
  const int32_t out_h = output_dims->h, out_w = output_dims->w;
  const int32_t dil_h = params->dilation.h;
  int32_t g, i, j, ky, batch, out_y;

  TS_PATH("dw_c1");
  pc->params = params;
  pc->fb = fb;
  pc->q = q;
  pc->mult = mult;
  for (g = 0; g < mult; g += 2) {
    const int32_t two = g + 1 < mult;
    pc->two = two;
    pc->b0 = bias ? bias[g] : 0;
    pc->b1 = (bias && two) ? bias[g + 1] : 0;
    for (ky = 0; ky < kh; ++ky) {
      for (i = 0; i < blocks; ++i) {
        for (j = 0; j < 2; ++j) {
          int32_t f[4], k;
          for (k = 0; k < 4; ++k) {
            const int32_t kx = 4 * i + k;
            f[k] = (kx < kw && (j == 0 || two)) ? filter[(ky * kw + kx) * mult + g + j] : 0;
          }
          fb[(ky * blocks + i) * 4 + 2 * j] = ts_pack_lo((uint32_t)f[0], (uint32_t)f[2]);
          fb[(ky * blocks + i) * 4 + 2 * j + 1] = ts_pack_lo((uint32_t)f[1], (uint32_t)f[3]);
        }
      }
    }
    pc->mode0 = dw_quant_init(&q[0], quant, g);
    pc->mode1 = dw_quant_init(&q[1], quant, two ? g + 1 : g);
    for (batch = 0; batch < input_dims->n; ++batch) {
      const int8_t *in_b = input + batch * in_h * in_w;
      for (out_y = 0; out_y < out_h; ++out_y) {
        const int32_t in_y = out_y * params->stride.h - params->padding.h;
        int32_t ky0, ky1;
        dw_taps(in_y, dil_h, kh, in_h, &ky0, &ky1);
        dw_c1_row(pc, input_dims, filter_dims, out_w, in_b + (in_y + ky0 * dil_h) * in_w, ky0,
                  ky1, output + ((batch * out_h + out_y) * out_w) * mult + g);
      }
    }
  }
}

/* dw_c1's frame holds the context (with the packed filter), dw_c1_run's the
 * loops: each below 512 bytes. */
static void dw_c1(const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
                  const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                  const int8_t *filter, const int32_t *bias, const ts_dims *output_dims,
                  int8_t *output) {
  dw_c1_ctx c;
  dw_c1_run(&c, params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
}

/* dw_c3: one input channel x multiplier N, N % 4 == 0, 3x3 filter, dilation
 * w 1, input offset in [-127, 128]: person_detect's first layer. Output
 * channels 4 at a time; per pixel the window's 3 rows (a, b, c: one word
 * each) unpack to 5 words [a0, a2], [b0, b2], [c0, c2], [a1, b1], [c1, c3]
 * (+o), shared by the 4 channels; each channel is 5 SMLADs against its
 * filter prepacked as [fa0, fa2], [fb0, fb2], [fc0, fc2], [fa1, fb1], [fc1, 0].
 * Border pixels read a copy of their window padded with -o. */
typedef struct {
  int32_t bias[4];     /* the asm reads bias and f from the start */
  uint32_t f[20];
  dw_quant qa[4];      /* then dw_rq4's 28 words */
  uint32_t oo2, min2, max2, clamp;
  int32_t mode;        /* 2: dw_rq4, else dw_rq_mode per channel */
  uint32_t off2, pad4;
  int32_t oo, mult, rs, px_step, in_w, stride_w, xa, xb, out_w, pad_w;
} dw_c3_ctx;
typedef char dw_c3_ctx_layout[(offsetof(dw_c3_ctx, f) == 16 && offsetof(dw_c3_ctx, qa) == 96 &&
                               offsetof(dw_c3_ctx, oo2) == 192 && offsetof(dw_c3_ctx, clamp) == 204)
                                  ? 1
                                  : -1];

/* `count` pixels c->px_step apart (s: the window's top-left input byte, rows
 * rs apart, 4 bytes each readable) -> 4 channels at out, c->mult apart. */
static void __attribute__((noinline)) dw_c3_run(const dw_c3_ctx *c, const int8_t *s, int32_t rs,
                                                int8_t *out, int32_t count) {
  const uint32_t off2 = c->off2;
  do {
    const uint32_t w0 = ts_read_u32(s), w1 = ts_read_u32(s + rs), w2 = ts_read_u32(s + 2 * rs);
    const uint32_t x0 = ts_sxtab16(off2, w0), x1 = ts_sxtab16(off2, w1);
    const uint32_t x2 = ts_sxtab16(off2, w2), x4 = ts_sxtab16_ror8(off2, w2);
    const uint32_t x3 = ts_pack_lo(ts_sxtab16_ror8(off2, w0), ts_sxtab16_ror8(off2, w1));
    int32_t a0, a1, a2, a3;
    uint32_t g0, g1;
    __asm__("ldrd %[a0], %[a1], [%[f]]\n\t"
              "ldrd %[a2], %[a3], [%[f], #8]\n\t"
              "ldrd %[g0], %[g1], [%[f], #16]\n\t"
              "smlad %[a0], %[x0], %[g0], %[a0]\n\t"
              "smlad %[a0], %[x1], %[g1], %[a0]\n\t"
              "ldrd %[g0], %[g1], [%[f], #24]\n\t"
              "smlad %[a0], %[x2], %[g0], %[a0]\n\t"
              "smlad %[a0], %[x3], %[g1], %[a0]\n\t"
              "ldrd %[g0], %[g1], [%[f], #32]\n\t"
              "smlad %[a0], %[x4], %[g0], %[a0]\n\t"
              "smlad %[a1], %[x0], %[g1], %[a1]\n\t"
              "ldrd %[g0], %[g1], [%[f], #40]\n\t"
              "smlad %[a1], %[x1], %[g0], %[a1]\n\t"
              "smlad %[a1], %[x2], %[g1], %[a1]\n\t"
              "ldrd %[g0], %[g1], [%[f], #48]\n\t"
              "smlad %[a1], %[x3], %[g0], %[a1]\n\t"
              "smlad %[a1], %[x4], %[g1], %[a1]\n\t"
              "ldrd %[g0], %[g1], [%[f], #56]\n\t"
              "smlad %[a2], %[x0], %[g0], %[a2]\n\t"
              "smlad %[a2], %[x1], %[g1], %[a2]\n\t"
              "ldrd %[g0], %[g1], [%[f], #64]\n\t"
              "smlad %[a2], %[x2], %[g0], %[a2]\n\t"
              "smlad %[a2], %[x3], %[g1], %[a2]\n\t"
              "ldrd %[g0], %[g1], [%[f], #72]\n\t"
              "smlad %[a2], %[x4], %[g0], %[a2]\n\t"
              "smlad %[a3], %[x0], %[g1], %[a3]\n\t"
              "ldrd %[g0], %[g1], [%[f], #80]\n\t"
              "smlad %[a3], %[x1], %[g0], %[a3]\n\t"
              "smlad %[a3], %[x2], %[g1], %[a3]\n\t"
              "ldrd %[g0], %[g1], [%[f], #88]\n\t"
              "smlad %[a3], %[x3], %[g0], %[a3]\n\t"
              "smlad %[a3], %[x4], %[g1], %[a3]\n\t"
            : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [g0] "=&r"(g0),
              [g1] "=&r"(g1)
            : [f] "r"(c), [x0] "r"(x0), [x1] "r"(x1), [x2] "r"(x2), [x3] "r"(x3), [x4] "r"(x4)
            : "memory");
    if (c->mode == 2) {
      dw_rq4(a0, a1, a2, a3, c->qa, out);
    } else {
      dw_store_any(c->qa, c->mode, c->oo, out, a0, a1, a2, a3);
    }
    s += c->px_step;
    out += c->mult;
  } while (--count);
}

/* `count` pixels from in_x (rows ky0..ky1 of the window inside the input,
 * row0: the input row of ky = 0, only read at those rows) via window copies. */
static void __attribute__((noinline)) dw_c3_border(const dw_c3_ctx *c, const int8_t *row0,
                                                   int32_t ky0, int32_t ky1, int32_t in_x,
                                                   int8_t *out, int32_t count) {
  uint32_t win32[3];
  int8_t *win = (int8_t *)win32;
  const int32_t in_w = c->in_w;
  do {
    int32_t r, j;
    win32[0] = win32[1] = win32[2] = c->pad4;
    for (r = ky0; r < ky1; ++r) {
      const int8_t *row = row0 + r * c->rs;
      for (j = 0; j < 4; ++j) {
        const int32_t x = in_x + j;
        if (x >= 0 && x < in_w) win[4 * r + j] = row[x];
      }
    }
    dw_c3_run(c, win, 4, out, 1);
    in_x += c->stride_w;
    out += c->mult;
  } while (--count);
}

static void __attribute__((noinline, optimize("Os"))) dw_c3_run_all(
    dw_c3_ctx *c, const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
    const ts_dims *input_dims, const int8_t *input, const int8_t *filter, const int32_t *bias,
    const ts_dims *output_dims, int8_t *output) {
  const int32_t mult = params->ch_mult, in_h = input_dims->h, in_w = input_dims->w;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, dil_h = params->dilation.h;
  const int32_t stride_w = params->stride.w, pad_w = params->padding.w;
  const int32_t last = in_w - 4 + pad_w;
  int32_t g, k, batch, out_y, xa = (pad_w + stride_w - 1) / stride_w;
  int32_t xb = last < 0 ? 0 : last / stride_w + 1;
  TS_PATH("dw_c3");
  if (xb > out_w) xb = out_w;
  if (xa > xb) xa = xb;
  c->oo2 = ts_dup16(params->output_offset);
  c->min2 = ts_dup16(params->activation.min);
  c->max2 = ts_dup16(params->activation.max);
  c->clamp = params->activation.min != -128 || params->activation.max != 127;
  c->off2 = ts_dup16(params->input_offset);
  c->pad4 = 0x01010101u * (uint8_t)(-params->input_offset);
  c->oo = params->output_offset;
  c->mult = mult;
  c->rs = dil_h * in_w;
  c->px_step = stride_w;
  c->in_w = in_w;
  c->stride_w = stride_w;
  for (g = 0; g < mult; g += 4) {
    c->mode = 2;
    for (k = 0; k < 4; ++k) {
      const int8_t *fk = filter + g + k;
      uint32_t *f = c->f + 5 * k;
      int32_t mode;
#define DW_F(ky, kx) ((uint32_t)fk[((ky) * 3 + (kx)) * mult])
      f[0] = ts_pack_lo(DW_F(0, 0), DW_F(0, 2));
      f[1] = ts_pack_lo(DW_F(1, 0), DW_F(1, 2));
      f[2] = ts_pack_lo(DW_F(2, 0), DW_F(2, 2));
      f[3] = ts_pack_lo(DW_F(0, 1), DW_F(1, 1));
      f[4] = ts_pack_lo(DW_F(2, 1), 0);
#undef DW_F
      c->bias[k] = bias ? bias[g + k] : 0;
      mode = dw_quant_init(&c->qa[k], quant, g + k);
      if (mode < c->mode) c->mode = mode;
    }
    for (batch = 0; batch < input_dims->n; ++batch) {
      const int8_t *in_b = input + batch * in_h * in_w;
      for (out_y = 0; out_y < out_h; ++out_y) {
        const int32_t in_y = out_y * params->stride.h - params->padding.h;
        const int8_t *row0 = in_b + in_y * in_w;
        int8_t *out_row = output + ((batch * out_h + out_y) * out_w) * mult + g;
        int32_t ky0, ky1;
        dw_taps(in_y, dil_h, 3, in_h, &ky0, &ky1);
        if (ky0 == 0 && ky1 == 3 && xb > xa) {
          if (xa > 0) dw_c3_border(c, row0, 0, 3, -pad_w, out_row, xa);
          dw_c3_run(c, row0 + xa * stride_w - pad_w, c->rs, out_row + xa * mult, xb - xa);
          if (xb < out_w)
            dw_c3_border(c, row0, 0, 3, xb * stride_w - pad_w, out_row + xb * mult, out_w - xb);
        } else {
          dw_c3_border(c, row0, ky0, ky1, -pad_w, out_row, out_w);
        }
      }
    }
  }
}

static void dw_c3(const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
                  const ts_dims *input_dims, const int8_t *input, const int8_t *filter,
                  const int32_t *bias, const ts_dims *output_dims, int8_t *output) {
  dw_c3_ctx c;
  dw_c3_run_all(&c, params, quant, input_dims, input, filter, bias, output_dims, output);
}

int32_t ts_dw_dsp(const ts_dw_conv_params *params, const ts_per_channel_quant_params *quant,
                  const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                  const int8_t *filter, const int32_t *bias, const ts_dims *output_dims,
                  int8_t *output) {
  const int32_t taps = filter_dims->h * filter_dims->w;
  if (taps <= 0 || output_dims->h <= 0 || output_dims->w <= 0 || input_dims->n <= 0) return 0;
  if (params->ch_mult == 1 && input_dims->c >= 4 && taps <= DW_M1_TAPS) {
    dw_m1(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
    return 1;
  }
  if (input_dims->c == 1 && params->dilation.w == 1 && params->input_offset >= -127 &&
      params->input_offset <= 128 && filter_dims->h == 3 && filter_dims->w == 3 &&
      (params->ch_mult & 3) == 0) {
    dw_c3(params, quant, input_dims, input, filter, bias, output_dims, output);
    return 1;
  }
  if (input_dims->c == 1 && params->dilation.w == 1 && params->input_offset >= -127 &&
      params->input_offset <= 128 &&
      filter_dims->h * ((filter_dims->w + 3) >> 2) <= DW_C1_ROWBLOCKS) {
    dw_c1(params, quant, input_dims, input, filter_dims, filter, bias, output_dims, output);
    return 1;
  }
  return 0;
}

#else
typedef int ts_depthwise_conv_dsp_unused; /* ISO C: no empty translation unit */
#endif /* TS_DSP */
