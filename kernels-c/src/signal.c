/*
 * TFLM "signal" audio front-end kernels (SignalWindow, SignalFftAutoScale,
 * SignalRfft int16, SignalEnergy, SignalFilterBank, SignalFilterBankSquareRoot,
 * SignalFilterBankSpectralSubtraction, SignalPCAN, SignalFilterBankLog) and
 * the int16/int32 element-wise helpers the micro_speech preprocessor uses.
 * Integer only, written from the behaviour of tflite-micro's signal/src
 * algorithms (and kissfft v130 with FIXED_POINT=16 for the real FFT).
 *
 * No 64-bit division; 64-bit shifts by a variable amount go through the
 * helpers below so that no libgcc call appears in the Cortex-M4 blob.
 */
#include "tinysense_nn.h"

/* x >> n, 0 <= n < 64, without a runtime helper. */
static uint64_t shr64(uint64_t x, int32_t n) {
  uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);
  if (n <= 0) return x;
  if (n >= 32) return (uint64_t)(hi >> (n - 32));
  lo = (lo >> n) | (hi << (32 - n));
  hi >>= n;
  return ((uint64_t)hi << 32) | lo;
}

/* 1 << n as uint64, 0 <= n < 64. */
static uint64_t bit64(int32_t n) {
  return n >= 32 ? ((uint64_t)(1u << (n - 32)) << 32) : (uint64_t)(1u << n);
}

/* MostSignificantBit32 as TFLM builds it with GCC: 32 - clz(x), and 32 for 0. */
static int32_t msb32(uint32_t x) {
  /* CLZ on Cortex-M4, i32.clz on wasm: no runtime helper. */
  return x == 0 ? 32 : 32 - __builtin_clz(x);
}

static int32_t msb64(uint64_t x) {
  uint32_t hi = (uint32_t)(x >> 32);
  if (x == 0) return 64;
  if (hi) return 32 + msb32(hi);
  return msb32((uint32_t)x);
}

static int16_t sat16(int32_t v) {
  return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

ts_status ts_signal_window_s16(int32_t size, int32_t window_size, int32_t shift,
                               const int16_t *input, const int16_t *window, int16_t *output) {
  int32_t i, j;
  if (window_size < 1 || size % window_size != 0) return TS_ERROR_ARGUMENT;
  for (i = 0; i < size; i += window_size) {
    for (j = 0; j < window_size; ++j) {
      output[i + j] = sat16(((int32_t)input[i + j] * window[j]) >> shift);
    }
  }
  return TS_OK;
}

ts_status ts_signal_fft_auto_scale_s16(int32_t size, const int16_t *input,
                                       int16_t *output, int32_t *scale_bits) {
  int32_t i, bits;
  int16_t max = 0;
  for (i = 0; i < size; ++i) {
    const int16_t v = input[i];
    if (v > max) {
      max = v;
    } else if (-v > max) {
      max = (int16_t)-v;
    }
  }
  bits = 16 - msb32((uint32_t)(int32_t)max) - 1;
  if (bits <= 0) bits = 0;
  for (i = 0; i < size; ++i) output[i] = (int16_t)(int32_t)((uint32_t)(int32_t)input[i] << bits);
  *scale_bits = bits;
  return TS_OK;
}

/* ------------------------------------------------------------------------
 * Real FFT, int16 (kissfft FIXED_POINT=16): complex FFT of n = fft_length/2
 * points over radix 4 and 2 stages, then the real-input split.
 * ---------------------------------------------------------------------- */

typedef struct {
  int16_t r;
  int16_t i;
} cpx16;

static int16_t sround(int32_t x) { return (int16_t)((x + (1 << 14)) >> 15); }

static void fixdiv(cpx16 *c, int32_t div) {
  const int32_t k = 32767 / div;
  c->r = sround((int32_t)c->r * k);
  c->i = sround((int32_t)c->i * k);
}

static cpx16 cmul(cpx16 a, cpx16 b) {
  cpx16 m;
  m.r = sround((int32_t)a.r * b.r - (int32_t)a.i * b.i);
  m.i = sround((int32_t)a.r * b.i + (int32_t)a.i * b.r);
  return m;
}

static void bfly2(cpx16 *out, int32_t fstride, const cpx16 *tw, int32_t m) {
  cpx16 *out2 = out + m;
  const cpx16 *tw1 = tw;
  int32_t k;
  for (k = 0; k < m; ++k) {
    cpx16 t;
    fixdiv(out, 2);
    fixdiv(out2, 2);
    t = cmul(*out2, *tw1);
    tw1 += fstride;
    out2->r = (int16_t)(out->r - t.r);
    out2->i = (int16_t)(out->i - t.i);
    out->r = (int16_t)(out->r + t.r);
    out->i = (int16_t)(out->i + t.i);
    ++out2;
    ++out;
  }
}

static void bfly4(cpx16 *out, int32_t fstride, const cpx16 *tw, int32_t m) {
  const cpx16 *tw1 = tw, *tw2 = tw, *tw3 = tw;
  const int32_t m2 = 2 * m, m3 = 3 * m;
  int32_t k;
  for (k = 0; k < m; ++k) {
    cpx16 s0, s1, s2, s3, s4, s5;
    fixdiv(out, 4);
    fixdiv(out + m, 4);
    fixdiv(out + m2, 4);
    fixdiv(out + m3, 4);
    s0 = cmul(out[m], *tw1);
    s1 = cmul(out[m2], *tw2);
    s2 = cmul(out[m3], *tw3);
    s5.r = (int16_t)(out->r - s1.r);
    s5.i = (int16_t)(out->i - s1.i);
    out->r = (int16_t)(out->r + s1.r);
    out->i = (int16_t)(out->i + s1.i);
    s3.r = (int16_t)(s0.r + s2.r);
    s3.i = (int16_t)(s0.i + s2.i);
    s4.r = (int16_t)(s0.r - s2.r);
    s4.i = (int16_t)(s0.i - s2.i);
    out[m2].r = (int16_t)(out->r - s3.r);
    out[m2].i = (int16_t)(out->i - s3.i);
    tw1 += fstride;
    tw2 += fstride * 2;
    tw3 += fstride * 3;
    out->r = (int16_t)(out->r + s3.r);
    out->i = (int16_t)(out->i + s3.i);
    out[m].r = (int16_t)(s5.r + s4.i);
    out[m].i = (int16_t)(s5.i - s4.r);
    out[m3].r = (int16_t)(s5.r - s4.i);
    out[m3].i = (int16_t)(s5.i + s4.r);
    ++out;
  }
}

/* The FFT's input: complex element j is samples 2j, 2j+1 of the real input,
 * zero beyond input_length (the kernel's zero padding, without a copy). */
typedef struct {
  const int16_t *samples;
  int32_t length;
} rfft_input;

static cpx16 input_at(const rfft_input *in, int32_t j) {
  cpx16 c;
  c.r = 2 * j < in->length ? in->samples[2 * j] : 0;
  c.i = 2 * j + 1 < in->length ? in->samples[2 * j + 1] : 0;
  return c;
}

/* kissfft's kf_work: factors are pairs (radix p, remaining m) from kf_factor. */
static void fft_work(cpx16 *out, const rfft_input *in, int32_t at, int32_t fstride,
                     const int32_t *factors, const cpx16 *tw) {
  const int32_t p = factors[0], m = factors[1];
  int32_t q;
  for (q = 0; q < p; ++q) {
    if (m == 1) {
      out[q] = input_at(in, at);
    } else {
      fft_work(out + m * q, in, at, fstride * p, factors + 2, tw);
    }
    at += fstride;
  }
  if (p == 4) {
    bfly4(out, fstride, tw, m);
  } else {
    bfly2(out, fstride, tw, m);
  }
}

/* kissfft's kf_factor (4s first, then 2, 3, 5, ...; a p above floor(sqrt(n))
 * becomes n itself), restricted to radix 4 and 2 stages. Returns the number
 * of stages, or -1 when another radix would be needed. */
static int32_t factorize(int32_t n, int32_t *factors) {
  int32_t stages = 0, p = 4, floor_sqrt = 0;
  if (n < 2) return -1;
  while ((floor_sqrt + 1) * (floor_sqrt + 1) <= n) ++floor_sqrt;
  do {
    while (n % p) {
      p = p == 4 ? 2 : p == 2 ? 3 : p + 2;
      if (p > floor_sqrt) p = n;
    }
    if (p != 2 && p != 4) return -1;
    n /= p;
    if (stages >= 15) return -1;
    factors[2 * stages] = p;
    factors[2 * stages + 1] = n;
    ++stages;
  } while (n > 1);
  return stages;
}

ts_status ts_signal_rfft_s16(int32_t fft_length, int32_t input_length, int32_t frames,
                             const int16_t *twiddles, const int16_t *super_twiddles,
                             const int16_t *input, int16_t *output) {
  const int32_t ncfft = fft_length / 2;
  int32_t factors[32];
  const cpx16 *tw = (const cpx16 *)(const void *)twiddles;
  const cpx16 *stw = (const cpx16 *)(const void *)super_twiddles;
  int32_t f, k;
  if (fft_length < 4 || (fft_length & 1) || input_length > fft_length || input_length < 0 ||
      factorize(ncfft, factors) < 0) {
    return TS_ERROR_ARGUMENT;
  }
  for (f = 0; f < frames; ++f) {
    /* The complex FFT goes to the output; each step of the split below reads
     * bins k and ncfft - k before it writes them. */
    cpx16 *freq = (cpx16 *)(void *)(output + f * (ncfft + 1) * 2);
    cpx16 *tmp = freq;
    cpx16 tdc;
    rfft_input in;
    in.samples = input + f * input_length;
    in.length = input_length;
    fft_work(tmp, &in, 0, 1, factors, tw);
    tdc = tmp[0];
    fixdiv(&tdc, 2);
    freq[0].r = (int16_t)(tdc.r + tdc.i);
    freq[ncfft].r = (int16_t)(tdc.r - tdc.i);
    freq[0].i = 0;
    freq[ncfft].i = 0;
    for (k = 1; k <= ncfft / 2; ++k) {
      cpx16 fpk = tmp[k], fpnk, f1k, f2k, t;
      fpnk.r = tmp[ncfft - k].r;
      fpnk.i = (int16_t)-tmp[ncfft - k].i;
      fixdiv(&fpk, 2);
      fixdiv(&fpnk, 2);
      f1k.r = (int16_t)(fpk.r + fpnk.r);
      f1k.i = (int16_t)(fpk.i + fpnk.i);
      f2k.r = (int16_t)(fpk.r - fpnk.r);
      f2k.i = (int16_t)(fpk.i - fpnk.i);
      t = cmul(f2k, stw[k - 1]);
      freq[k].r = (int16_t)((f1k.r + t.r) >> 1);
      freq[k].i = (int16_t)((f1k.i + t.i) >> 1);
      freq[ncfft - k].r = (int16_t)((f1k.r - t.r) >> 1);
      freq[ncfft - k].i = (int16_t)((t.i - f1k.i) >> 1);
    }
  }
  return TS_OK;
}

ts_status ts_signal_energy_s16(int32_t start, int32_t end, const int16_t *input,
                               uint32_t *output) {
  int32_t i;
  for (i = start; i < end; ++i) {
    const int32_t re = input[2 * i], im = input[2 * i + 1];
    output[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
  }
  return TS_OK;
}

ts_status ts_signal_filter_bank(int32_t num_channels, const uint32_t *input,
                                const int16_t *weights, const int16_t *unweights,
                                const int16_t *freq_starts, const int16_t *weight_starts,
                                const int16_t *widths, uint64_t *output) {
  uint64_t weighted = 0, unweighted = 0;
  int32_t i, j;
  for (i = 0; i < num_channels + 1; ++i) {
    const int32_t fs = freq_starts[i], ws = weight_starts[i];
    for (j = 0; j < widths[i]; ++j) {
      const uint64_t x = input[fs + j];
      weighted += (uint64_t)(int64_t)weights[ws + j] * x;
      unweighted += (uint64_t)(int64_t)unweights[ws + j] * x;
    }
    /* Channel 0 is scratch: TFLM discards it. */
    if (i > 0) output[i - 1] = weighted;
    weighted = unweighted;
    unweighted = 0;
  }
  return TS_OK;
}

static uint32_t sqrt32(uint32_t num) {
  uint32_t res = 0, bit;
  int32_t max_bit, iterations;
  if (num == 0) return 0;
  max_bit = (32 - msb32(num)) | 1;
  bit = 1u << (31 - max_bit);
  iterations = (31 - max_bit) / 2 + 1;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != 0xFFFF) ++res;
  return res;
}

static uint32_t sqrt64(uint64_t num) {
  uint64_t res = 0, bit;
  int32_t max_bit, iterations;
  if ((num >> 32) == 0) return sqrt32((uint32_t)num);
  max_bit = (64 - msb64(num)) | 1;
  bit = bit64(63 - max_bit);
  iterations = (63 - max_bit) / 2 + 1;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != 0xFFFFFFFFu) ++res;
  return (uint32_t)res;
}

ts_status ts_signal_filter_bank_sqrt(int32_t num_channels, const uint64_t *input,
                                     int32_t scale_bits, uint32_t *output) {
  int32_t i;
  if (scale_bits < 0 || scale_bits > 31) return TS_ERROR_ARGUMENT;
  for (i = 0; i < num_channels; ++i) output[i] = sqrt64(input[i]) >> scale_bits;
  return TS_OK;
}

ts_status ts_signal_spectral_subtraction(const ts_spectral_subtraction_params *p,
                                         const uint32_t *input, uint32_t *output,
                                         uint32_t *noise_estimate) {
  int32_t i;
  for (i = 0; i < p->num_channels; ++i) {
    const uint32_t smoothing = (i & 1) ? (uint32_t)p->alternate_smoothing : (uint32_t)p->smoothing;
    const uint32_t one_minus = (i & 1) ? (uint32_t)p->alternate_one_minus_smoothing
                                       : (uint32_t)p->one_minus_smoothing;
    const uint32_t scaled = input[i] << p->smoothing_bits;
    uint32_t estimate, floor, subtracted;
    noise_estimate[i] = (uint32_t)shr64((uint64_t)scaled * smoothing +
                                            (uint64_t)noise_estimate[i] * one_minus,
                                        p->spectral_subtraction_bits);
    estimate = noise_estimate[i];
    if (estimate > scaled) {
      estimate = scaled;
      if (p->clamping) noise_estimate[i] = estimate;
    }
    floor = (uint32_t)shr64((uint64_t)input[i] * (uint32_t)p->min_signal_remaining,
                            p->spectral_subtraction_bits);
    subtracted = (scaled - estimate) >> p->smoothing_bits;
    output[i] = subtracted > floor ? subtracted : floor;
  }
  return TS_OK;
}

static int16_t wide_dynamic(uint32_t x, const int16_t *lut) {
  int32_t interval, frac, result;
  if (x <= 2) return lut[x];
  interval = msb32(x);
  lut += 4 * interval - 6;
  frac = (int32_t)(((interval < 11) ? (x << (11 - interval)) : (x >> (interval - 11))) & 0x3FF);
  result = ((int32_t)lut[2] * frac) >> 5;
  result += (int32_t)((uint32_t)lut[1] << 5);
  result *= frac;
  result = (result + (1 << 14)) >> 15;
  result += lut[0];
  return (int16_t)result;
}

static uint32_t pcan_shrink(uint32_t x) {
  if (x < (2u << 12)) return (x * x) >> (2 + 2 * 12 - 6);
  return (x >> (12 - 6)) - (1u << 6);
}

ts_status ts_signal_pcan(int32_t num_channels, int32_t snr_shift, const int16_t *gain_lut,
                         const uint32_t *noise_estimate, const uint32_t *input,
                         uint32_t *output) {
  int32_t i;
  if (snr_shift < 0 || snr_shift > 63) return TS_ERROR_ARGUMENT;
  for (i = 0; i < num_channels; ++i) {
    const uint32_t gain = (uint32_t)(int32_t)wide_dynamic(noise_estimate[i], gain_lut);
    const uint32_t snr = (uint32_t)shr64((uint64_t)input[i] * gain, snr_shift);
    output[i] = pcan_shrink(snr);
  }
  return TS_OK;
}

static const uint16_t kLogLut[] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646,
    2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460,
    4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408,
    5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249,
    5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341,
    4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981,
    2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

static uint32_t log32(uint32_t x, uint32_t out_scale) {
  const uint32_t integer = (uint32_t)msb32(x) - 1;
  int32_t frac = (int32_t)(x - (1u << integer));
  uint32_t base_seg, fraction, log2, loge;
  int32_t c0, c1, seg_base, rel_pos;
  if (integer < 16) {
    frac = (int32_t)((uint32_t)frac << (16 - integer));
  } else {
    frac >>= integer - 16;
  }
  base_seg = (uint32_t)frac >> (16 - 7);
  c0 = kLogLut[base_seg];
  c1 = kLogLut[base_seg + 1];
  seg_base = (int32_t)((65536u >> 7) * base_seg);
  rel_pos = ((c1 - c0) * (frac - seg_base)) >> 16;
  fraction = (uint32_t)(frac + c0 + rel_pos);
  log2 = (integer << 16) + fraction;
  loge = (uint32_t)(((uint64_t)45426 * log2 + 32768) >> 16);
  return (out_scale * loge + 32768) >> 16;
}

ts_status ts_signal_filter_bank_log(int32_t num_channels, int32_t output_scale,
                                    int32_t correction_bits, const uint32_t *input,
                                    int16_t *output) {
  int32_t i;
  if (correction_bits < 0 || correction_bits > 31) return TS_ERROR_ARGUMENT;
  for (i = 0; i < num_channels; ++i) {
    const uint32_t scaled = input[i] << correction_bits;
    if (scaled > 1) {
      const uint32_t v = log32(scaled, (uint32_t)output_scale);
      output[i] = (int16_t)(v < 32767u ? v : 32767u);
    } else {
      output[i] = 0;
    }
  }
  return TS_OK;
}

/* ------------------------------------------------------------------------
 * CAST and int32 element-wise ops
 * ---------------------------------------------------------------------- */

static int32_t load_int(int32_t type, const void *p, int32_t i, uint32_t *bits) {
  switch (type) {
    case 1: *bits = (uint32_t)(int32_t)((const int8_t *)p)[i]; return 1;
    case 2: *bits = (uint32_t)(int32_t)((const int16_t *)p)[i]; return 1;
    case 3: *bits = (uint32_t)((const int32_t *)p)[i]; return 1;
    case 5: *bits = ((const uint8_t *)p)[i]; return 1;
    case 6: *bits = ((const uint32_t *)p)[i]; return 1;
    default: return 0;
  }
}

static int32_t int_type(int32_t type) {
  return type == 1 || type == 2 || type == 3 || type == 5 || type == 6;
}

ts_status ts_cast(int32_t size, int32_t from_type, int32_t to_type, const void *input,
                  void *output) {
  int32_t i;
  uint32_t v = 0;
  if (!int_type(from_type) || !int_type(to_type)) return TS_ERROR_ARGUMENT;
  /* int32 <-> uint32 (and same-type casts of 32-bit values) keep the bits. */
  if ((from_type == 3 || from_type == 6) && (to_type == 3 || to_type == 6)) {
    ts_copy_bytes(output, input, 4 * size);
    return TS_OK;
  }
  /* All integer types here are at most 32 bits: the low bits of the 32-bit
   * two's complement value are the C conversion's result. */
  for (i = 0; i < size; ++i) {
    load_int(from_type, input, i, &v);
    switch (to_type) {
      case 1: ((int8_t *)output)[i] = (int8_t)((int32_t)(v << 24) >> 24); break;
      case 2: ((int16_t *)output)[i] = (int16_t)((int32_t)(v << 16) >> 16); break;
      case 5: ((uint8_t *)output)[i] = (uint8_t)v; break;
      default: ((uint32_t *)output)[i] = v; break;
    }
  }
  return TS_OK;
}

static int32_t elementwise(int32_t kind, int32_t x, int32_t y, int32_t *ok) {
  switch (kind) {
    case TS_ELEMENTWISE_ADD: return (int32_t)((uint32_t)x + (uint32_t)y);
    case TS_ELEMENTWISE_SUB: return (int32_t)((uint32_t)x - (uint32_t)y);
    case TS_ELEMENTWISE_MUL: return (int32_t)((uint32_t)x * (uint32_t)y);
    case TS_ELEMENTWISE_DIV:
      if (y == 0 || (x == INT32_MIN && y == -1)) {
        *ok = 0;
        return 0;
      }
      return x / y;
    case TS_ELEMENTWISE_MIN: return x < y ? x : y;
    default: return x > y ? x : y;
  }
}

ts_status ts_elementwise_s32(int32_t kind, const ts_activation *activation,
                             const ts_shape *output_shape, const ts_view *v1,
                             const int32_t *in1, const ts_view *v2, const int32_t *in2,
                             int32_t *out) {
  const int32_t *d = output_shape->dims;
  const int32_t *s1 = v1->step, *s2 = v2->step;
  int32_t i[TS_MAX_DIMS], k, n = 0, ok = 1;
  if (kind < TS_ELEMENTWISE_ADD || kind > TS_ELEMENTWISE_SUB) return TS_ERROR_ARGUMENT;
  for (k = 0; k < TS_MAX_DIMS; ++k) {
    if (d[k] <= 0) return TS_OK;
    i[k] = 0;
  }
  for (;;) {
    int32_t a = v1->start, b = v2->start, r;
    for (k = 0; k < TS_MAX_DIMS; ++k) {
      a += i[k] * s1[k];
      b += i[k] * s2[k];
    }
    r = elementwise(kind, in1[a], in2[b], &ok);
    if (!ok) return TS_ERROR_ARGUMENT;
    out[n++] = r < activation->min ? activation->min : r > activation->max ? activation->max : r;
    for (k = TS_MAX_DIMS - 1; k >= 0; --k) {
      if (++i[k] < d[k]) break;
      i[k] = 0;
    }
    if (k < 0) return TS_OK;
  }
}
