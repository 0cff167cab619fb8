/*
 * Preprocessing kernels: a camera frame or a ring of sensor samples -> a
 * model's input, in one call (tinysense_nn.h, section PREPROCESSING).
 *
 * Every parameter is checked before the first byte is read or written: these
 * params are built on the device from app options (device/preprocess.ts), not
 * by the host compiler, so unlike op records nobody validated them before.
 * No allocation, no globals, no division by a value that was not checked.
 */
#include "tinysense_nn.h"

/* A per-app blob for an app that does no preprocessing is built with TS_NO_PREPROCESS
 * (kernels-c/arm/build.sh --no-preprocess): ts_preprocess then answers TS_ERROR_UNKNOWN_OP and the
 * kernels below are left out (about 2 KB of Thumb-2). */
#ifndef TS_NO_PREPROCESS

#define MAX_SRC_DIM 4096
#define MAX_DST_DIM 4096
#define MAX_CHANNELS 64
#define MAX_FRAMES 65536

/* ---- images -------------------------------------------------------------- */

static int32_t bytes_per_pixel(int32_t format) {
  switch (format) {
    case TS_PIXEL_GRAY8: return 1;
    case TS_PIXEL_RGB565_BE:
    case TS_PIXEL_RGB565_LE:
    case TS_PIXEL_YUYV: return 2;
    case TS_PIXEL_RGB888: return 3;
    default: return 0;
  }
}

static int32_t clamp255(int32_t v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* Channel values of the pixel at column x of `row`: rgb[0..2] (R, G, B); gray in rgb[0] when gray_only. */
static void pixel(int32_t format, const uint8_t *row, int32_t x,
                  int32_t gray_only, int32_t *rgb) {
  int32_t r, g, b;
  switch (format) {
    case TS_PIXEL_GRAY8:
      rgb[0] = rgb[1] = rgb[2] = row[x];
      return;
    case TS_PIXEL_YUYV: {
      const uint8_t *pair = row + (x & ~1) * 2;
      const int32_t y = row[x * 2];
      int32_t u, v;
      if (gray_only) {
        rgb[0] = y;
        return;
      }
      u = (int32_t)pair[1] - 128;
      v = (int32_t)pair[3] - 128;
      rgb[0] = clamp255(y + ((359 * v + 128) >> 8));
      rgb[1] = clamp255(y - ((88 * u + 183 * v + 128) >> 8));
      rgb[2] = clamp255(y + ((454 * u + 128) >> 8));
      return;
    }
    case TS_PIXEL_RGB565_BE:
    case TS_PIXEL_RGB565_LE: {
      const uint8_t *p = row + x * 2;
      const uint32_t w = format == TS_PIXEL_RGB565_BE ? ((uint32_t)p[0] << 8) | p[1] : ((uint32_t)p[1] << 8) | p[0];
      const uint32_t r5 = w >> 11, g6 = (w >> 5) & 63u, b5 = w & 31u;
      r = (int32_t)((r5 << 3) | (r5 >> 2));
      g = (int32_t)((g6 << 2) | (g6 >> 4));
      b = (int32_t)((b5 << 3) | (b5 >> 2));
      break;
    }
    default: { /* TS_PIXEL_RGB888 */
      const uint8_t *p = row + x * 3;
      r = p[0];
      g = p[1];
      b = p[2];
      break;
    }
  }
  if (gray_only) {
    rgb[0] = (77 * r + 150 * g + 29 * b + 128) >> 8;
  } else {
    rgb[0] = r;
    rgb[1] = g;
    rgb[2] = b;
  }
}

static ts_status check_image(const ts_pre_image_params *p) {
  const int32_t bpp = bytes_per_pixel(p->format);
  if (p->header.kind != TS_PRE_IMAGE || p->header.bytes != (int32_t)sizeof(ts_pre_image_params)) return TS_ERROR_ARGUMENT;
  if (bpp == 0) return TS_ERROR_ARGUMENT;
  if (p->src_width < 1 || p->src_width > MAX_SRC_DIM || p->src_height < 1 || p->src_height > MAX_SRC_DIM) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->format == TS_PIXEL_YUYV && (p->src_width & 1)) return TS_ERROR_ARGUMENT;
  if (p->src_stride < p->src_width * bpp || p->src_stride > MAX_SRC_DIM * 4) return TS_ERROR_ARGUMENT;
  if (p->header.src_bytes < 0 ||
      (int64_t)(p->src_height - 1) * p->src_stride + (int64_t)p->src_width * bpp > (int64_t)p->header.src_bytes) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->crop_x < 0 || p->crop_y < 0 || p->crop_width < 1 || p->crop_height < 1 ||
      p->crop_width > p->src_width - p->crop_x || p->crop_height > p->src_height - p->crop_y) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->dst_width < 1 || p->dst_width > MAX_DST_DIM || p->dst_height < 1 || p->dst_height > MAX_DST_DIM) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->dst_channels != 1 && p->dst_channels != 3) return TS_ERROR_ARGUMENT;
  if (p->resize != TS_RESIZE_NEAREST && p->resize != TS_RESIZE_AREA) return TS_ERROR_ARGUMENT;
  if (p->header.dst_bytes < 0 ||
      (int64_t)p->dst_width * p->dst_height * p->dst_channels > (int64_t)p->header.dst_bytes) {
    return TS_ERROR_ARGUMENT;
  }
  return TS_OK;
}

ts_status ts_preprocess_image(const ts_pre_image_params *p, const uint8_t *src, uint8_t *dst) {
  int32_t ox, oy, c;
  ts_status status;
  if (p == 0 || src == 0 || dst == 0) return TS_ERROR_ARGUMENT;
  status = check_image(p);
  if (status != TS_OK) return status;
  {
    const int32_t format = p->format, stride = p->src_stride, channels = p->dst_channels;
    const int32_t cw = p->crop_width, ch = p->crop_height, dw = p->dst_width, dh = p->dst_height;
    const int32_t gray_only = channels == 1;
    const uint8_t *t0 = p->table[0];
    int32_t rgb[3];

    /* Gray frame to gray input at its own size (the person camera): one table lookup per pixel. */
    if (format == TS_PIXEL_GRAY8 && gray_only && cw == dw && ch == dh) {
      for (oy = 0; oy < dh; oy++) {
        const uint8_t *s = src + (p->crop_y + oy) * stride + p->crop_x;
        uint8_t *d = dst + oy * dw;
        for (ox = 0; ox < dw; ox++) d[ox] = t0[s[ox]];
      }
      return TS_OK;
    }

    if (p->resize == TS_RESIZE_NEAREST) {
      for (oy = 0; oy < dh; oy++) {
        const int32_t sy = p->crop_y + ((2 * oy + 1) * ch) / (2 * dh);
        const uint8_t *row = src + sy * stride;
        for (ox = 0; ox < dw; ox++) {
          const int32_t sx = p->crop_x + ((2 * ox + 1) * cw) / (2 * dw);
          pixel(format, row, sx, gray_only, rgb);
          for (c = 0; c < channels; c++) *dst++ = p->table[c][rgb[c]];
        }
      }
      return TS_OK;
    }

    /* TS_RESIZE_AREA: the rounded mean of each box, per channel (sums < 4096 * 4096 * 255 < 2^32). */
    for (oy = 0; oy < dh; oy++) {
      const int32_t y0 = p->crop_y + (oy * ch) / dh;
      int32_t y1 = p->crop_y + ((oy + 1) * ch) / dh, y;
      if (y1 <= y0) y1 = y0 + 1;
      for (ox = 0; ox < dw; ox++) {
        const int32_t x0 = p->crop_x + (ox * cw) / dw;
        int32_t x1 = p->crop_x + ((ox + 1) * cw) / dw, x;
        uint32_t sum[3] = {0u, 0u, 0u}, count;
        if (x1 <= x0) x1 = x0 + 1;
        count = (uint32_t)((x1 - x0) * (y1 - y0));
        for (y = y0; y < y1; y++) {
          const uint8_t *row = src + y * stride;
          for (x = x0; x < x1; x++) {
            pixel(format, row, x, gray_only, rgb);
            sum[0] += (uint32_t)rgb[0];
            sum[1] += (uint32_t)rgb[1];
            sum[2] += (uint32_t)rgb[2];
          }
        }
        for (c = 0; c < channels; c++) *dst++ = p->table[c][(sum[c] + count / 2u) / count];
      }
    }
  }
  return TS_OK;
}

/* ---- sample windows ------------------------------------------------------ */

/* A non-negative real m * 2^e, m < 2^63. */
typedef struct {
  uint64_t m;
  int32_t e;
} ts_real;

typedef union {
  float f;
  uint32_t u;
} ts_f32_bits;

/* |f| as m * 2^e (f finite). */
static ts_real real_of(float f) {
  ts_f32_bits b;
  ts_real r;
  uint32_t exp;
  b.f = f;
  exp = (b.u >> 23) & 0xffu;
  r.m = b.u & 0x7fffffu;
  if (exp == 0) {
    r.e = -149;
  } else {
    r.m |= 0x800000u;
    r.e = (int32_t)exp - 150;
  }
  return r;
}

static int is_nan(float f) {
  ts_f32_bits b;
  b.f = f;
  return (b.u & 0x7f800000u) == 0x7f800000u && (b.u & 0x7fffffu) != 0;
}

static int is_inf(float f) {
  ts_f32_bits b;
  b.f = f;
  return (b.u & 0x7fffffffu) == 0x7f800000u;
}

/* Shifts m left until bit 62 is set (m != 0, m < 2^63): one CLZ, one shift. */
static ts_real normalize(ts_real r) {
  const uint32_t high = (uint32_t)(r.m >> 32);
  const int32_t zeros = high != 0u ? __builtin_clz(high) : 32 + __builtin_clz((uint32_t)r.m);
  r.m <<= zeros - 1;
  r.e -= zeros - 1;
  return r;
}

/* a <= b, exactly. */
static int real_le(ts_real a, ts_real b) {
  if (a.m == 0) return 1;
  if (b.m == 0) return 0;
  a = normalize(a);
  b = normalize(b);
  if (a.e != b.e) return a.e < b.e;
  return a.m <= b.m;
}

/* (2k - 1) * s <= 2a: the real quotient a / s is at least k - 1/2. */
static int at_least(int32_t k, ts_real s, ts_real two_a) {
  ts_real l;
  l.m = s.m * (uint64_t)(2 * k - 1);
  l.e = s.e;
  return real_le(l, two_a);
}

#define K_MAX 1024 /* |round(a / s)| beyond this saturates every int8/uint8 result */

static ts_status check_samples(const ts_pre_samples_params *p) {
  int64_t samples;
  if (p->header.kind != TS_PRE_SAMPLES || p->header.bytes != (int32_t)sizeof(ts_pre_samples_params)) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->sample_type != TS_SAMPLE_F32 && p->sample_type != TS_SAMPLE_S16) return TS_ERROR_ARGUMENT;
  if (p->channels < 1 || p->channels > MAX_CHANNELS || p->frames < 1 || p->frames > MAX_FRAMES) return TS_ERROR_ARGUMENT;
  /* Positive and finite (NaN fails the first test). */
  if (!(p->scale > 0.0f) || is_inf(p->scale) || !(p->sample_scale > 0.0f) || is_inf(p->sample_scale)) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->sample_type == TS_SAMPLE_F32 && p->sample_scale != 1.0f) return TS_ERROR_ARGUMENT;
  if (p->qmin > p->qmax || p->qmin < -128 || p->qmax > 255 || (p->qmin < 0 && p->qmax > 127)) return TS_ERROR_ARGUMENT;
  if (p->zero_point < -128 || p->zero_point > 255) return TS_ERROR_ARGUMENT;
  samples = (int64_t)p->channels * p->frames;
  if (p->header.src_bytes < 0 || samples * (p->sample_type == TS_SAMPLE_F32 ? 4 : 2) > (int64_t)p->header.src_bytes) {
    return TS_ERROR_ARGUMENT;
  }
  if (p->header.dst_bytes < 0 || samples > (int64_t)p->header.dst_bytes) return TS_ERROR_ARGUMENT;
  return TS_OK;
}

ts_status ts_preprocess_samples(const ts_pre_samples_params *p, const void *src, int32_t oldest, uint8_t *dst) {
  ts_status status;
  int32_t n, i, at;
  const float *f32 = (const float *)src;
  const int16_t *s16 = (const int16_t *)src;
  ts_real s, ss;
  float inverse;
  if (p == 0 || src == 0 || dst == 0) return TS_ERROR_ARGUMENT;
  status = check_samples(p);
  if (status != TS_OK) return status;
  if (oldest < 0 || oldest >= p->frames) return TS_ERROR_ARGUMENT;
  if (((uintptr_t)src & (p->sample_type == TS_SAMPLE_F32 ? 3u : 1u)) != 0) return TS_ERROR_ARGUMENT;
  n = p->channels * p->frames;
  if (p->sample_type == TS_SAMPLE_F32) {
    for (i = 0; i < n; i++) {
      if (is_nan(f32[i])) return TS_PRE_ERROR_NAN;
    }
  }
  s = real_of(p->scale);
  ss = real_of(p->sample_scale);
  inverse = p->sample_scale / p->scale;
  at = oldest * p->channels;
  for (i = 0; i < n; i++, at++) {
    float x, estimate;
    int32_t negative, k, v;
    ts_real two_a;
    if (at == n) at = 0;
    if (p->sample_type == TS_SAMPLE_F32) {
      x = f32[at];
      negative = x < 0.0f;
      if (is_inf(x)) {
        k = K_MAX;
        goto store;
      }
      two_a = real_of(x);
    } else {
      const int32_t raw = s16[at];
      x = (float)raw;
      negative = raw < 0;
      two_a.m = ss.m * (uint64_t)(negative ? -raw : raw);
      two_a.e = ss.e;
    }
    two_a.e += 1;
    /* An estimate from float arithmetic, then the exact correction: k = max{k >= 0 : (2k - 1) s <= 2 |a|}. */
    estimate = (negative ? -x : x) * inverse + 0.5f;
    k = estimate >= (float)K_MAX ? K_MAX : (int32_t)estimate;
    while (k > 0 && !at_least(k, s, two_a)) k--;
    while (k < K_MAX && at_least(k + 1, s, two_a)) k++;
  store:
    v = (negative ? -k : k) + p->zero_point;
    v = v < p->qmin ? p->qmin : v > p->qmax ? p->qmax : v;
    dst[i] = (uint8_t)v;
  }
  return TS_OK;
}

#endif /* TS_NO_PREPROCESS */

/* ---- the engines' entry -------------------------------------------------- */

int32_t ts_preprocess(const int32_t *params, const uint8_t *src, uint8_t *dst, int32_t arg) {
#ifdef TS_NO_PREPROCESS
  (void)params;
  (void)src;
  (void)dst;
  (void)arg;
  return TS_ERROR_UNKNOWN_OP;
#else
  if (params == 0 || ((uintptr_t)params & 3u) != 0) return TS_ERROR_ARGUMENT;
  switch (params[0]) {
    case TS_PRE_IMAGE:
      if (arg != 0) return TS_ERROR_ARGUMENT;
      return ts_preprocess_image((const ts_pre_image_params *)(const void *)params, src, dst);
    case TS_PRE_SAMPLES:
      return ts_preprocess_samples((const ts_pre_samples_params *)(const void *)params, src, arg, dst);
    default:
      return TS_ERROR_ARGUMENT;
  }
#endif
}
