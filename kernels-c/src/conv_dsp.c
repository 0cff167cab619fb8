/*
 * CONV_2D int8, Cortex-M4 fast paths (Arm DSP extension, dsp.h). Called by
 * ts_convolve_s8 (conv.c), which checks every assumption first; the portable
 * C there is the reference these must equal byte for byte.
 *
 * The reference accumulator of output (pixel p, channel c) is, modulo 2^32,
 *   bias[c] + sum_t f[c][t] * (x[p][t] + io)
 *     = (bias[c] + io * sum_t f[c][t]) + sum_t f[c][t] * x[p][t]
 * over the taps t inside the image (taps outside contribute 0). The first
 * term ("fold") does not depend on p: it is computed once per channel. The
 * second is the SMLAD kernel below over raw int8 x int8 (each product fits
 * 15 bits, the int32 sums wrap as the reference's do). A tap outside the image
 * has to contribute -io * f so that the fold's io * f cancels: it reads a
 * stack row filled with -io (fits int8 for io in [-127, 128]; the wrapper
 * checks it when the shape has padding).
 *
 * Paths (TS_PATH names):
 *   conv_1x1      1x1 filter, no padding, one group, output pixels contiguous
 *                 in the input (stride 1 over the whole image): each pixel's
 *                 input is a row of the matrix multiply
 *   conv_im2col   one group, k = fh * fw * fc <= 144, io in [-127, 128]:
 *                 per pixel pair both pixels' taps are gathered (int8, -io
 *                 outside the image) into a stack buffer that every channel
 *                 pair then reads in one kernel call (small-c first layers,
 *                 3x3 convs of 16 channels)
 *   conv_general  anything else: per pair of output pixels, per filter row,
 *                 one kernel call over fw * c contiguous bytes when the whole
 *                 row is inside the image (dilation w 1, one group), else one
 *                 call per tap (padding row where the tap is outside)
 * conv_1x1 walks channel pairs (outer) x pixel pairs (inner), conv_general
 * likewise per group, conv_im2col pixel pairs (outer) x channel pairs of a
 * block of 16 (conv_col_run), all through 2 pixels x 2 channels kernels:
 * TS_CONV_MM2X2S inline where both strides are k (whole blocks of conv_1x1 and
 * conv_im2col), conv_mm2x2 elsewhere; an odd last pixel or channel runs the
 * kernel with the pair's second member equal to the first.
 *
 * Requantization (conv_req4): the 4 accumulators of a block in one asm, with
 * the channel pair's constants (conv_q_setup, once per channel pair) loaded by
 * LDRD: ts_mbqm as SMULL + rounding, then TFLite's RoundingDivideByPOT as a
 * sign test, without the saturation test of SRDHM, which only matters for
 * multiplier == INT32_MIN (the wrapper sends such layers to the portable C);
 * output offset, SSAT to int8, the 4 bytes packed and clamped lane by lane
 * with SSUB8/SEL (the wrapper requires an activation range inside int8).
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

#if TS_DSP

#define TS_CONV_PADROW 128 /* conv_general: taps outside the image, fc <= this */
#define TS_CONV_COL 144    /* conv_im2col: k = fh * fw * fc <= this */
#define TS_CONV_BLOCK 16   /* conv_im2col: channels per block of folds */
/* Paths, as the wrapper (conv.c) numbers them. */
#define TS_CONV_PATH_1X1 1
#define TS_CONV_PATH_GENERAL 2
#define TS_CONV_PATH_IM2COL 3

void ts_conv_s8_dsp(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                    const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                    const int8_t *filter, const int32_t *bias, const ts_dims *output_dims, int8_t *output,
                    int32_t path);

/*
 * acc[0] += A.F, acc[1] += A.G, acc[2] += B.F, acc[3] += B.G, dot products of
 * len bytes: A at a, B at a + da, F at f, G at f + df (int8).
 * Per 4 bytes: 4 loads, 8 SXTB16, 8 SMLAD (16 MACs). SXTB16 splits a word
 * into lanes [b0, b2] and [b1, b3] (ROR #8); input and filter are split alike,
 * so the lanes pair up without reordering. The loop body is unrolled twice
 * (8 bytes, one end test); an odd word count enters at the second copy.
 * All 14 allocatable registers are taken: the end pointer stays in memory.
 */
#define TS_CONV_STEP4(entry)                                                 \
  "ldr %[t0], [%[a], %[da]]\n\t"    /* B */                                  \
  "ldr %[t1], [%[a]], #4\n\t"       /* A */                                  \
  "ldr %[t3], [%[f]], #4\n\t"       /* F */                                  \
  "sxtb16 %[t4], %[t3], ror #8\n\t" /* F13 */                                \
  "sxtb16 %[t3], %[t3]\n\t"         /* F02 */                                \
  "sxtb16 %[t5], %[t1], ror #8\n\t" /* A13 */                                \
  "sxtb16 %[t1], %[t1]\n\t"         /* A02 */                                \
  "smlad %[c00], %[t1], %[t3], %[c00]\n\t"                                   \
  "smlad %[c00], %[t5], %[t4], %[c00]\n\t"                                   \
  "sxtb16 %[t2], %[t0], ror #8\n\t" /* B13 */                                \
  "sxtb16 %[t0], %[t0]\n\t"         /* B02 */                                \
  "smlad %[c10], %[t0], %[t3], %[c10]\n\t"                                   \
  "smlad %[c10], %[t2], %[t4], %[c10]\n\t"                                   \
  "ldr %[t3], [%[f], %[dfm4]]\n\t"  /* G (f has moved on by 4) */            \
  entry                                                                      \
  "sxtb16 %[t4], %[t3], ror #8\n\t" /* G13 */                                \
  "sxtb16 %[t3], %[t3]\n\t"         /* G02 */                                \
  "smlad %[c01], %[t1], %[t3], %[c01]\n\t"                                   \
  "smlad %[c01], %[t5], %[t4], %[c01]\n\t"                                   \
  "smlad %[c11], %[t0], %[t3], %[c11]\n\t"                                   \
  "smlad %[c11], %[t2], %[t4], %[c11]\n\t"

static inline __attribute__((always_inline)) void conv_mm2x2_inl(const int8_t *a, int32_t da, const int8_t *f,
                                                                  int32_t df, int32_t len, int32_t *acc) {
  int32_t c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3];
  int32_t j;
  const int32_t words = len >> 2;
  if (words > 0) {
    const int8_t *end = a + 4 * words;
    const int32_t odd = words & 1;
    const int32_t dfm4 = df - 4;
    uint32_t t0, t1, t2, t3, t4, t5;
    __asm__ volatile(
        "ldr %[t0], %[odd]\n\t"
        "cmp %[t0], #0\n\t"
        "bne 2f\n\t"
        "1:\n\t"
        TS_CONV_STEP4("")
        "2:\n\t"
        TS_CONV_STEP4("ldr %[t4], %[end]\n\t"
                      "cmp %[a], %[t4]\n\t")
        "bne 1b\n\t"
        : [c00] "+r"(c00), [c01] "+r"(c01), [c10] "+r"(c10), [c11] "+r"(c11), [a] "+r"(a), [f] "+r"(f),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
        : [da] "r"(da), [dfm4] "r"(dfm4), [end] "m"(end), [odd] "m"(odd)
        : "cc", "memory");
  }
  for (j = 0; j < (len & 3); ++j) {
    const int32_t x = a[j], y = a[da + j], p = f[j], q = f[df + j];
    c00 = (int32_t)((uint32_t)c00 + (uint32_t)(x * p));
    c01 = (int32_t)((uint32_t)c01 + (uint32_t)(x * q));
    c10 = (int32_t)((uint32_t)c10 + (uint32_t)(y * p));
    c11 = (int32_t)((uint32_t)c11 + (uint32_t)(y * q));
  }
  acc[0] = c00;
  acc[1] = c01;
  acc[2] = c10;
  acc[3] = c11;
}

/* The kernel as a function, for the paths that call it per row or tap. */
static void __attribute__((noinline)) conv_mm2x2(const int8_t *a, int32_t da, const int8_t *f, int32_t df,
                                                 int32_t len, int32_t *acc) {
  conv_mm2x2_inl(a, da, f, df, len, acc);
}

/*
 * The kernel when both strides are k (B = A + k, G = F + k: conv_1x1's input
 * rows and filter rows, conv_im2col's buffer): one stride register, so the end
 * pointer stays in a register too (42 instructions per 8 bytes, 32 MACs).
 * len >= 4; the len & 3 tail is left to the caller (conv_tail).
 */
#define TS_CONV_STEP4S(tail)                                                 \
  "ldr %[t0], [%[a], %[k]]\n\t"     /* B */                                  \
  "ldr %[t1], [%[a]], #4\n\t"       /* A */                                  \
  "ldr %[t3], [%[f], %[k]]\n\t"     /* G */                                  \
  "sxtb16 %[t4], %[t3], ror #8\n\t" /* G13 */                                \
  "sxtb16 %[t3], %[t3]\n\t"         /* G02 */                                \
  "sxtb16 %[t5], %[t1], ror #8\n\t" /* A13 */                                \
  "sxtb16 %[t1], %[t1]\n\t"         /* A02 */                                \
  "smlad %[c01], %[t1], %[t3], %[c01]\n\t"                                   \
  "smlad %[c01], %[t5], %[t4], %[c01]\n\t"                                   \
  "sxtb16 %[t2], %[t0], ror #8\n\t" /* B13 */                                \
  "sxtb16 %[t0], %[t0]\n\t"         /* B02 */                                \
  "smlad %[c11], %[t0], %[t3], %[c11]\n\t"                                   \
  "smlad %[c11], %[t2], %[t4], %[c11]\n\t"                                   \
  "ldr %[t3], [%[f]], #4\n\t"       /* F */                                  \
  tail                                                                       \
  "sxtb16 %[t4], %[t3], ror #8\n\t" /* F13 */                                \
  "sxtb16 %[t3], %[t3]\n\t"         /* F02 */                                \
  "smlad %[c00], %[t1], %[t3], %[c00]\n\t"                                   \
  "smlad %[c00], %[t5], %[t4], %[c00]\n\t"                                   \
  "smlad %[c10], %[t0], %[t3], %[c10]\n\t"                                   \
  "smlad %[c10], %[t2], %[t4], %[c10]\n\t"

#define TS_CONV_MM2X2S(pa_, pf_, k_, len_, c00_, c01_, c10_, c11_)                                                       \
  do {                                                                                                        \
    const int8_t *end_ = (pa_) + ((len_) & ~3);                                                                  \
    uint32_t t0, t1, t2, t3, t4, t5;                                                                          \
    __asm__ volatile("sub %[t0], %[end], %[a]\n\t"                                                           \
                     "tst %[t0], #4\n\t"                                                                      \
                     "bne 2f\n\t"                                                                             \
                     "1:\n\t" TS_CONV_STEP4S("") "2:\n\t" TS_CONV_STEP4S("cmp %[a], %[end]\n\t") "bne 1b\n\t" \
                     : [c00] "+r"(c00_), [c01] "+r"(c01_), [c10] "+r"(c10_), [c11] "+r"(c11_), [a] "+r"(pa_),          \
                       [f] "+r"(pf_), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),            \
                       [t4] "=&r"(t4), [t5] "=&r"(t5)                                                         \
                     : [k] "r"(k_), [end] "r"(end_)                                                            \
                     : "cc", "memory");                                                                       \
  } while (0)

/* bias + io * (sum of the len filter bytes at f), modulo 2^32. */
static int32_t __attribute__((noinline)) conv_fold(const int8_t *f, int32_t len, int32_t io, const int32_t *bias, int32_t c) {
  int32_t sum = 0;
  /* 16-bit lanes collect at most 64 words (|lane| <= 16384) before SMUAD
   * adds them to the 32-bit sum. */
  while (len >= 4) {
    int32_t n = len >> 2;
    uint32_t lanes = 0;
    if (n > 64) n = 64;
    len -= 4 * n;
    while (n-- > 0) {
      const uint32_t w = ts_read_u32(f);
      f += 4;
      lanes = ts_sxtab16(lanes, w);
      lanes = ts_sxtab16_ror8(lanes, w);
    }
    sum += ts_smuad(lanes, 0x00010001u);
  }
  while (len-- > 0) sum += *f++;
  return (int32_t)((bias ? (uint32_t)bias[c] : 0u) + (uint32_t)io * (uint32_t)sum);
}

/*
 * Requantization constants of a channel pair, as conv_req4 reads them:
 * q[0..3] channel c0: multiplier, left shift, right shift e, mask 2^e - 1;
 * q[4..7] the same for c1; q[8] output offset; q[9], q[10] the activation
 * min and max in all 4 bytes. (ts_mbqm: shift > 0 is SRDHM(x << shift) and
 * e = 0, shift <= 0 is RDBPOT(SRDHM(x), e) with left 0.)
 */
#define TS_CONV_Q 11
static void conv_q_chan(int32_t *q, const ts_per_channel_quant_params *quant, int32_t c) {
  const int32_t shift = quant->shift[c];
  const int32_t right = shift < 0 ? (shift < -31 ? 31 : -shift) : 0;
  q[0] = quant->multiplier[c];
  q[1] = shift > 0 ? (shift > 31 ? 31 : shift) : 0;
  q[2] = right;
  q[3] = (int32_t)((1u << right) - 1u);
}

static void __attribute__((noinline)) conv_q_setup(int32_t *q, const ts_per_channel_quant_params *quant, int32_t c0,
                                                   int32_t c1) {
  conv_q_chan(q, quant, c0);
  conv_q_chan(q + 4, quant, c1);
}

static void conv_q_act(int32_t *q, const ts_conv_params *params) {
  q[8] = params->output_offset;
  q[9] = (int32_t)((uint32_t)(params->activation.min & 0xff) * 0x01010101u);
  q[10] = (int32_t)((uint32_t)(params->activation.max & 0xff) * 0x01010101u);
}

/*
 * One accumulator x through ts_mbqm, exactly (multiplier != INT32_MIN, so
 * SRDHM cannot saturate):
 *   x <<= left; y = (x * m + 2^30) >> 31 (64-bit: the SRDHM, whose
 *   truncating division equals this floor for either sign);
 *   RDBPOT as TFLite: (y >> e) + ((y & mask) > (mask >> 1) + [y < 0]),
 *   the comparison as the sign of (mask >> 1) - ((y & mask) - [y < 0]).
 * e = 0 gives mask 0 and leaves y unchanged.
 */
#define TS_CONV_REQ(x)                              \
  "lsl " x ", " x ", %[l]\n\t"                      \
  "smull %[lo], %[hi], " x ", %[m]\n\t"             \
  "adds %[lo], %[lo], #0x40000000\n\t"              \
  "adc %[hi], %[hi], #0\n\t"                        \
  "lsr %[lo], %[lo], #31\n\t"                       \
  "orr " x ", %[lo], %[hi], lsl #1\n\t"             \
  "and %[lo], " x ", %[k]\n\t"                      \
  "add %[lo], %[lo], " x ", asr #31\n\t"            \
  "asr " x ", " x ", %[e]\n\t"                      \
  "rsb %[lo], %[lo], %[k], lsr #1\n\t"              \
  "sub " x ", " x ", %[lo], asr #31\n\t"

/*
 * Requantizes a 2 pixel x 2 channel block (c00 = A.c0, c01 = A.c1,
 * c10 = B.c0, c11 = B.c1) with the constants q (TS_CONV_Q words): output
 * offset added (wrapping), SSAT to int8, then the four bytes packed
 * [A.c0, A.c1, B.c0, B.c1] into one word and clamped to the activation range
 * lane by lane (SSUB8 + SEL: max then min, exact because the wrapper checks
 * -128 <= min, max <= 127). Returns the packed word.
 */
static inline __attribute__((always_inline)) uint32_t conv_req4(int32_t c00, int32_t c01, int32_t c10, int32_t c11,
                                                                const int32_t *q) {
  uint32_t m, l, e, k, lo, hi;
  __asm__("ldrd %[m], %[l], [%[q]]\n\t"
          "ldrd %[e], %[k], [%[q], #8]\n\t"
          TS_CONV_REQ("%[c00]")
          TS_CONV_REQ("%[c10]")
          "ldrd %[m], %[l], [%[q], #16]\n\t"
          "ldrd %[e], %[k], [%[q], #24]\n\t"
          TS_CONV_REQ("%[c01]")
          TS_CONV_REQ("%[c11]")
          "ldr %[m], [%[q], #32]\n\t"
          "add %[c00], %[c00], %[m]\n\t"
          "add %[c01], %[c01], %[m]\n\t"
          "add %[c10], %[c10], %[m]\n\t"
          "add %[c11], %[c11], %[m]\n\t"
          "ssat %[c00], #8, %[c00]\n\t"
          "ssat %[c01], #8, %[c01]\n\t"
          "ssat %[c10], #8, %[c10]\n\t"
          "ssat %[c11], #8, %[c11]\n\t"
          "bfi %[c00], %[c01], #8, #8\n\t"
          "bfi %[c00], %[c10], #16, #8\n\t"
          "bfi %[c00], %[c11], #24, #8\n\t"
          "ldrd %[lo], %[hi], [%[q], #36]\n\t"
          "ssub8 %[m], %[c00], %[lo]\n\t"
          "sel %[c00], %[c00], %[lo]\n\t"
          "ssub8 %[m], %[hi], %[c00]\n\t"
          "sel %[c00], %[c00], %[hi]\n\t"
          : [c00] "+r"(c00), [c01] "+r"(c01), [c10] "+r"(c10), [c11] "+r"(c11), [m] "=&r"(m), [l] "=&r"(l),
            [e] "=&r"(e), [k] "=&r"(k), [lo] "=&r"(lo), [hi] "=&r"(hi)
          : [q] "r"(q), "m"(*(const int32_t(*)[TS_CONV_Q])q)
          : "cc");
  return (uint32_t)c00;
}

/* The bytes of a packed block that exist: n_ch channels, n_px pixels. */
static void __attribute__((noinline)) conv_put(int8_t *out, int32_t out_c, uint32_t w, int32_t n_ch, int32_t n_px) {
  out[0] = (int8_t)w;
  if (n_ch > 1) out[1] = (int8_t)(w >> 8);
  if (n_px > 1) {
    out[out_c] = (int8_t)(w >> 16);
    if (n_ch > 1) out[out_c + 1] = (int8_t)(w >> 24);
  }
}

/* The len & 3 bytes after the kernel's words (A at a, B at a + da, F at f,
 * G at f + df), added to acc. */
static void __attribute__((noinline)) conv_tail(const int8_t *a, int32_t da, const int8_t *f, int32_t df, int32_t n,
                                                int32_t *acc) {
  int32_t j;
  for (j = 0; j < n; ++j) {
    const int32_t x = a[j], y = a[da + j], p = f[j], r = f[df + j];
    acc[0] = (int32_t)((uint32_t)acc[0] + (uint32_t)(x * p));
    acc[1] = (int32_t)((uint32_t)acc[1] + (uint32_t)(x * r));
    acc[2] = (int32_t)((uint32_t)acc[2] + (uint32_t)(y * p));
    acc[3] = (int32_t)((uint32_t)acc[3] + (uint32_t)(y * r));
  }
}

/*
 * One block: fold0/fold1 plus the k-byte dot products of pixels a, a + k
 * (n_px of them) with filters f, f + k (n_ch), requantized and stored at out
 * (pixel stride out_c). The whole-block case runs TS_CONV_MM2X2S inline.
 */
static inline __attribute__((always_inline)) void conv_block(const int8_t *a, const int8_t *f, int32_t k,
                                                             int32_t fold0, int32_t fold1, const int32_t *q,
                                                             int8_t *out, int32_t out_c, int32_t n_ch,
                                                             int32_t n_px) {
  uint32_t w;
  if ((n_ch & n_px) == 2 && k >= 4) {
    int32_t c00 = fold0, c01 = fold1, c10 = fold0, c11 = fold1;
    TS_CONV_MM2X2S(a, f, k, k, c00, c01, c10, c11);
    if (k & 3) {
      int32_t acc[4];
      acc[0] = c00;
      acc[1] = c01;
      acc[2] = c10;
      acc[3] = c11;
      conv_tail(a, k, f, k, k & 3, acc);
      c00 = acc[0];
      c01 = acc[1];
      c10 = acc[2];
      c11 = acc[3];
    }
    w = conv_req4(c00, c01, c10, c11, q);
    ts_write_u16(out, w);
    ts_write_u16(out + out_c, w >> 16);
  } else {
    int32_t acc[4];
    acc[0] = acc[2] = fold0;
    acc[1] = acc[3] = fold1;
    conv_mm2x2(a, (n_px - 1) * k, f, (n_ch - 1) * k, k, acc);
    conv_put(out, out_c, conv_req4(acc[0], acc[1], acc[2], acc[3], q), n_ch, n_px);
  }
}

/* Output pixel walker: batch b, row y, column x. */
typedef struct {
  int32_t b, y, x;
} conv_px;

static void conv_px_next(conv_px *p, int32_t out_h, int32_t out_w) {
  if (++p->x == out_w) {
    p->x = 0;
    if (++p->y == out_h) {
      p->y = 0;
      p->b++;
    }
  }
}

/* conv_1x1: output pixel p reads input row p (fc = in_c bytes). Channel
 * pairs outer (folds and requantization constants once), pixel pairs inner. */
static void __attribute__((noinline)) conv_1x1(const ts_conv_params *params, const ts_per_channel_quant_params *quant, int32_t pixels,
                     int32_t k, const int8_t *input, const int8_t *filter, const int32_t *bias, int32_t out_c,
                     int8_t *output) {
  int32_t c;
  int32_t q[TS_CONV_Q];
  TS_PATH("conv_1x1");
  conv_q_act(q, params);
  for (c = 0; c < out_c; c += 2) {
    const int32_t n_ch = c + 1 < out_c ? 2 : 1;
    const int8_t *f0 = filter + c * k;
    const int32_t fold0 = conv_fold(f0, k, params->input_offset, bias, c);
    const int32_t fold1 = conv_fold(f0 + (n_ch - 1) * k, k, params->input_offset, bias, c + n_ch - 1);
    const int8_t *a = input;
    int8_t *out = output + c;
    int32_t p;
    conv_q_setup(q, quant, c, c + n_ch - 1);
    p = 0;
    if (n_ch == 2 && k >= 4) {
      /* Whole blocks: the kernel inline, two halfword stores. */
      const int8_t *const a_end = input + (pixels & ~1) * k;
      const int32_t k2 = 2 * k;
      while (a != a_end) {
        conv_block(a, f0, k, fold0, fold1, q, out, out_c, 2, 2);
        out += 2 * out_c;
        a += k2;
      }
      p = pixels & ~1;
    }
    for (; p < pixels; p += 2) {
      conv_block(a, f0, k, fold0, fold1, q, out, out_c, n_ch, p + 1 < pixels ? 2 : 1);
      out += 2 * out_c;
      a += 2 * k;
    }
  }
}

/* Geometry shared by the general paths. */
typedef struct {
  const ts_conv_params *params;
  const ts_dims *in, *f, *out;
} conv_geom;

/* conv_general: per pixel pair and filter row, whole rows in one kernel call
 * when both pixels' rows are inside the image, else tap by tap. padrow holds
 * fc bytes of -io (read only for taps outside the image; the wrapper checks
 * that fc fits when the shape has any). */
static void __attribute__((noinline)) conv_general(const conv_geom *gm, const ts_per_channel_quant_params *quant, const int8_t *input,
                         const int8_t *filter, const int32_t *bias, int8_t *output) {
  const ts_conv_params *params = gm->params;
  const int32_t in_h = gm->in->h, in_w = gm->in->w, in_c = gm->in->c;
  const int32_t fh = gm->f->h, fw = gm->f->w, fc = gm->f->c;
  const int32_t out_h = gm->out->h, out_w = gm->out->w, out_c = gm->out->c;
  const int32_t pixels = gm->out->n * out_h * out_w;
  const int32_t groups = in_c / fc, per_group = out_c / groups;
  const int32_t fstride = fh * fw * fc;
  const int32_t whole_rows = params->dilation.w == 1 && groups == 1;
  int8_t padrow[TS_CONV_PADROW];
  int32_t g;
  int32_t q[TS_CONV_Q];
  int32_t acc[4];
  TS_PATH("conv_general");
  conv_q_act(q, params);
  for (g = 0; g < fc && g < TS_CONV_PADROW; ++g) padrow[g] = (int8_t)-params->input_offset;
  for (g = 0; g < groups; ++g) {
    int32_t c;
    for (c = 0; c < per_group; c += 2) {
      const int32_t c0 = g * per_group + c;
      const int32_t n_ch = c + 1 < per_group ? 2 : 1;
      const int8_t *f0 = filter + c0 * fstride;
      const int32_t df = (n_ch - 1) * fstride;
      const int32_t fold0 = conv_fold(f0, fstride, params->input_offset, bias, c0);
      const int32_t fold1 = conv_fold(f0 + df, fstride, params->input_offset, bias, c0 + n_ch - 1);
      conv_px pa, pb;
      int32_t p;
      conv_q_setup(q, quant, c0, c0 + n_ch - 1);
      pa.b = pa.y = pa.x = 0;
      for (p = 0; p < pixels; p += 2) {
        const int32_t n_px = p + 1 < pixels ? 2 : 1;
        int32_t ya, yb, xa, xb, fy, full;
        const int8_t *ia, *ib;
        pb.b = pa.b;
        pb.y = pa.y;
        pb.x = pa.x;
        if (n_px > 1) conv_px_next(&pb, out_h, out_w);
        ya = pa.y * params->stride.h - params->padding.h;
        yb = pb.y * params->stride.h - params->padding.h;
        xa = pa.x * params->stride.w - params->padding.w;
        xb = pb.x * params->stride.w - params->padding.w;
        ia = input + pa.b * in_h * in_w * in_c + g * fc;
        ib = input + pb.b * in_h * in_w * in_c + g * fc;
        full = whole_rows && xa >= 0 && xa + fw <= in_w && xb >= 0 && xb + fw <= in_w;
        acc[0] = acc[2] = fold0;
        acc[1] = acc[3] = fold1;
        for (fy = 0; fy < fh; ++fy) {
          const int32_t iya = ya + fy * params->dilation.h, iyb = yb + fy * params->dilation.h;
          const int32_t row_a = iya >= 0 && iya < in_h, row_b = iyb >= 0 && iyb < in_h;
          const int8_t *fr = f0 + fy * fw * fc;
          if (full && row_a && row_b) {
            const int8_t *sa = ia + (iya * in_w + xa) * in_c;
            const int8_t *sb = ib + (iyb * in_w + xb) * in_c;
            conv_mm2x2(sa, (int32_t)(sb - sa), fr, df, fw * fc, acc);
          } else {
            int32_t fx;
            for (fx = 0; fx < fw; ++fx) {
              const int32_t ixa = xa + fx * params->dilation.w, ixb = xb + fx * params->dilation.w;
              const int8_t *sa = row_a && ixa >= 0 && ixa < in_w ? ia + (iya * in_w + ixa) * in_c : padrow;
              const int8_t *sb = row_b && ixb >= 0 && ixb < in_w ? ib + (iyb * in_w + ixb) * in_c : padrow;
              conv_mm2x2(sa, (int32_t)((uintptr_t)sb - (uintptr_t)sa), fr + fx * fc, df, fc, acc);
            }
          }
        }
        conv_put(output + c0 + p * out_c, out_c, conv_req4(acc[0], acc[1], acc[2], acc[3], q), n_ch, n_px);
        if (n_px > 1) conv_px_next(&pb, out_h, out_w);
        pa.b = pb.b;
        pa.y = pb.y;
        pa.x = pb.x;
      }
    }
  }
}

/* n bytes from src to dst (words first: LDR/STR take any address on ARMv7-M). */
static void conv_copy(int8_t *dst, const int8_t *src, int32_t n) {
  for (; n >= 4; n -= 4, dst += 4, src += 4) ts_write_u32(dst, ts_read_u32(src));
  for (; n > 0; --n) *dst++ = *src++;
}

static void conv_fill(int8_t *dst, int8_t v, int32_t n) {
  for (; n > 0; --n) *dst++ = v;
}

/* The im2col row of output pixel (b, y, x): fh * fw * fc bytes, taps outside
 * the image = pad (-io). */
static void __attribute__((noinline)) conv_col(int8_t *dst, const conv_geom *gm, const int8_t *input, const conv_px *px, int8_t pad) {
  const ts_conv_params *params = gm->params;
  const int32_t in_h = gm->in->h, in_w = gm->in->w, c = gm->in->c;
  const int32_t fh = gm->f->h, fw = gm->f->w;
  const int32_t y0 = px->y * params->stride.h - params->padding.h;
  const int32_t x0 = px->x * params->stride.w - params->padding.w;
  const int32_t dw = params->dilation.w;
  int32_t fy, fx;
  input += px->b * in_h * in_w * c;
  for (fy = 0; fy < fh; ++fy) {
    const int32_t iy = y0 + fy * params->dilation.h;
    if (iy < 0 || iy >= in_h) {
      conv_fill(dst, pad, fw * c);
      dst += fw * c;
    } else if (dw == 1 && x0 >= 0 && x0 + fw <= in_w) {
      conv_copy(dst, input + (iy * in_w + x0) * c, fw * c);
      dst += fw * c;
    } else {
      for (fx = 0; fx < fw; ++fx) {
        const int32_t ix = x0 + fx * dw;
        if (ix < 0 || ix >= in_w) conv_fill(dst, pad, c);
        else conv_copy(dst, input + (iy * in_w + ix) * c, c);
        dst += c;
      }
    }
  }
}

/* conv_im2col's channels cb .. cb + nb - 1 of one pixel pair (n_px) whose
 * taps are in col (k bytes each), folds in fold. */
static void __attribute__((noinline)) conv_col_run(const int8_t *col, const int8_t *filter, int32_t k,
                                                   const int32_t *fold, int32_t nb,
                                                   const ts_per_channel_quant_params *quant, int32_t cb,
                                                   const ts_conv_params *params, int8_t *out, int32_t out_c,
                                                   int32_t n_px) {
  int32_t q[TS_CONV_Q];
  int32_t c;
  conv_q_act(q, params);
  for (c = 0; c < nb; c += 2) {
    const int32_t n_ch = c + 1 < nb ? 2 : 1;
    conv_q_setup(q, quant, cb + c, cb + c + n_ch - 1);
    conv_block(col, filter + c * k, k, fold[c], fold[c + n_ch - 1], q, out + c, out_c, n_ch, n_px);
  }
}

/* conv_im2col (one group, k = fh * fw * fc <= TS_CONV_COL): per pixel pair,
 * both pixels' taps gathered into one stack buffer, then every channel pair
 * of a block of TS_CONV_BLOCK channels (their folds kept on the stack) runs
 * the kernel once over k bytes. */
static void __attribute__((noinline)) conv_im2col(const conv_geom *gm, const ts_per_channel_quant_params *quant,
                                                  const int8_t *input, const int8_t *filter, const int32_t *bias,
                                                  int8_t *output) {
  const int32_t k = gm->f->h * gm->f->w * gm->f->c;
  const int32_t out_c = gm->out->c;
  const int32_t pixels = gm->out->n * gm->out->h * gm->out->w;
  const int8_t pad = (int8_t)-gm->params->input_offset;
  int8_t col[2 * TS_CONV_COL];
  int32_t fold[TS_CONV_BLOCK];
  int32_t cb;
  TS_PATH("conv_im2col");
  for (cb = 0; cb < out_c; cb += TS_CONV_BLOCK) {
    const int32_t nb = out_c - cb < TS_CONV_BLOCK ? out_c - cb : TS_CONV_BLOCK;
    conv_px pa, pb;
    int32_t p, c;
    for (c = 0; c < nb; ++c) fold[c] = conv_fold(filter + (cb + c) * k, k, gm->params->input_offset, bias, cb + c);
    pa.b = pa.y = pa.x = 0;
    for (p = 0; p < pixels; p += 2) {
      const int32_t n_px = p + 1 < pixels ? 2 : 1;
      pb.b = pa.b;
      pb.y = pa.y;
      pb.x = pa.x;
      conv_col(col, gm, input, &pa, pad);
      if (n_px > 1) {
        conv_px_next(&pb, gm->out->h, gm->out->w);
        conv_col(col + k, gm, input, &pb, pad);
        conv_px_next(&pb, gm->out->h, gm->out->w);
      }
      conv_col_run(col, filter + cb * k, k, fold, nb, quant, cb, gm->params, output + p * out_c + cb, out_c, n_px);
      pa.b = pb.b;
      pa.y = pb.y;
      pa.x = pb.x;
    }
  }
}

void ts_conv_s8_dsp(const ts_conv_params *params, const ts_per_channel_quant_params *quant,
                    const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                    const int8_t *filter, const int32_t *bias, const ts_dims *output_dims, int8_t *output,
                    int32_t path) {
  if (path == TS_CONV_PATH_1X1) {
    conv_1x1(params, quant, output_dims->n * output_dims->h * output_dims->w, filter_dims->c, input, filter, bias,
             output_dims->c, output);
  } else {
    conv_geom gm;
    gm.params = params;
    gm.in = input_dims;
    gm.f = filter_dims;
    gm.out = output_dims;
    if (path == TS_CONV_PATH_IM2COL) conv_im2col(&gm, quant, input, filter, bias, output);
    else conv_general(&gm, quant, input, filter, bias, output);
  }
}

#else
typedef int ts_conv_dsp_unused; /* ISO C: a translation unit must declare something */
#endif /* TS_DSP */
