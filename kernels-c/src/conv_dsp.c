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
 * Both walk channel pairs (outer) x pixel pairs (inner) through the same
 * 2 pixels x 2 channels kernel (conv_mm2x2); an odd last pixel or channel
 * runs the kernel with the pair's second member equal to the first.
 *
 * Requantization: the same expression as ts_mbqm (SRDHM through a 64-bit
 * multiply-accumulate, then RoundingDivideByPOT) without the saturation test
 * of SRDHM, which only matters for multiplier == INT32_MIN: the wrapper sends
 * such layers to the portable C.
 */
#include "tinysense_nn.h"
#include "fixedpoint.h"
#include "dsp.h"

#if TS_DSP

#define TS_CONV_PADROW 128 /* conv_general: taps outside the image, fc <= this */
#define TS_CONV_COL 144    /* conv_im2col: k = fh * fw * fc <= this */
#define TS_CONV_BLOCK 8    /* conv_im2col: channels per block of folds */
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

/* Requantization constants of one channel, as ts_mbqm derives them from the
 * shift: left shift, right shift e, and the rounding addends for
 * RoundingDivideByPOT (half = 2^(e-1) for y >= 0, half - 1 for y < 0; 0 when
 * e == 0). */
typedef struct {
  int32_t mult, left, right, half, half_neg;
} conv_quant;

static void __attribute__((noinline)) conv_quant_setup(conv_quant *q, const ts_per_channel_quant_params *quant, int32_t c) {
  int32_t shift = quant->shift[c];
  if (shift > 31) shift = 31;
  if (shift < -31) shift = -31;
  q->mult = quant->multiplier[c];
  q->left = shift > 0 ? shift : 0;
  q->right = shift > 0 ? 0 : -shift;
  q->half = (int32_t)((1u << q->right) >> 1);
  q->half_neg = q->right ? q->half - 1 : 0;
}

/* ts_mbqm(acc, mult, shift) for mult != INT32_MIN (SRDHM cannot saturate),
 * then output offset and clamp. RoundingDivideByPOT as floor((y + bias) / 2^e):
 * for y >= 0 the sum fits uint32 (logical shift), for y < 0 it fits int32
 * (arithmetic shift); equal to ts_rdbpot's (y >> e) + ((r + bias) >> e). */
static inline __attribute__((always_inline)) int8_t conv_out(int32_t acc, const conv_quant *q, int32_t oo, int32_t lo, int32_t hi) {
  const int32_t x = ts_wshl(acc, q->left);
  const int32_t y = (int32_t)(((int64_t)x * (int64_t)q->mult + (int64_t)(1 << 30)) >> 31);
  const int32_t r = y >= 0 ? (int32_t)(((uint32_t)y + (uint32_t)q->half) >> q->right) : (y + q->half_neg) >> q->right;
  return (int8_t)ts_clamp32(ts_wadd(r, oo), lo, hi);
}

/* Requantizes and stores a block: acc as conv_mm2x2 leaves it, channels c and
 * c + 1 (n_ch of them) of pixels p and p + 1 (n_px). */
static void __attribute__((noinline)) conv_store(int8_t *out, int32_t out_c, const int32_t *acc, const conv_quant *q,
                                                 int32_t n_ch, int32_t n_px, const ts_conv_params *params) {
  const int32_t oo = params->output_offset, lo = params->activation.min, hi = params->activation.max;
  out[0] = conv_out(acc[0], &q[0], oo, lo, hi);
  if (n_ch > 1) out[1] = conv_out(acc[1], &q[1], oo, lo, hi);
  if (n_px > 1) {
    out[out_c] = conv_out(acc[2], &q[0], oo, lo, hi);
    if (n_ch > 1) out[out_c + 1] = conv_out(acc[3], &q[1], oo, lo, hi);
  }
}

/* conv_store for channels c, c + n_ch - 1 straight from the quant arrays. */
static void __attribute__((noinline)) conv_store_c(int8_t *out, int32_t out_c, const int32_t *acc,
                                                   const ts_per_channel_quant_params *quant, int32_t c, int32_t n_ch,
                                                   int32_t n_px, const ts_conv_params *params) {
  conv_quant q[2];
  conv_quant_setup(&q[0], quant, c);
  conv_quant_setup(&q[1], quant, c + n_ch - 1);
  conv_store(out, out_c, acc, q, n_ch, n_px, params);
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

/* conv_1x1: output pixel p reads input row p (fc = in_c bytes). */
static void __attribute__((noinline)) conv_1x1(const ts_conv_params *params, const ts_per_channel_quant_params *quant, int32_t pixels,
                     int32_t k, const int8_t *input, const int8_t *filter, const int32_t *bias, int32_t out_c,
                     int8_t *output) {
  const int32_t oo = params->output_offset, lo = params->activation.min, hi = params->activation.max;
  int32_t c;
  conv_quant q[2];
  int32_t acc[4];
  TS_PATH("conv_1x1");
  for (c = 0; c < out_c; c += 2) {
    const int32_t n_ch = c + 1 < out_c ? 2 : 1;
    const int8_t *f0 = filter + c * k;
    const int32_t df = (n_ch - 1) * k;
    const int32_t fold0 = conv_fold(f0, k, params->input_offset, bias, c);
    const int32_t fold1 = conv_fold(f0 + df, k, params->input_offset, bias, c + n_ch - 1);
    const int8_t *a = input;
    int8_t *out = output + c;
    int32_t p;
    conv_quant_setup(&q[0], quant, c);
    conv_quant_setup(&q[1], quant, c + n_ch - 1);
    /* Kernel and requantization inline: one pass per pixel pair. */
    for (p = 0; p < pixels; p += 2) {
      const int32_t n_px = p + 1 < pixels ? 2 : 1;
      acc[0] = acc[2] = fold0;
      acc[1] = acc[3] = fold1;
      conv_mm2x2_inl(a, (n_px - 1) * k, f0, df, k, acc);
      out[0] = conv_out(acc[0], &q[0], oo, lo, hi);
      if (n_ch > 1) out[1] = conv_out(acc[1], &q[1], oo, lo, hi);
      if (n_px > 1) {
        out[out_c] = conv_out(acc[2], &q[0], oo, lo, hi);
        if (n_ch > 1) out[out_c + 1] = conv_out(acc[3], &q[1], oo, lo, hi);
      }
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
  conv_quant q[2];
  int32_t acc[4];
  TS_PATH("conv_general");
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
      conv_quant_setup(&q[0], quant, c0);
      conv_quant_setup(&q[1], quant, c0 + n_ch - 1);
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
        conv_store(output + c0 + p * out_c, out_c, acc, q, n_ch, n_px, params);
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
static void conv_col(int8_t *dst, const conv_geom *gm, const int8_t *input, const conv_px *px, int8_t pad) {
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
  int32_t acc[4];
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
      for (c = 0; c < nb; c += 2) {
        const int32_t n_ch = c + 1 < nb ? 2 : 1;
        const int8_t *f0 = filter + (cb + c) * k;
        acc[0] = acc[2] = fold[c];
        acc[1] = acc[3] = fold[c + n_ch - 1];
        conv_mm2x2(col, (n_px - 1) * k, f0, (n_ch - 1) * k, k, acc);
        conv_store_c(output + p * out_c + cb + c, out_c, acc, quant, cb + c, n_ch, n_px, gm->params);
      }
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
