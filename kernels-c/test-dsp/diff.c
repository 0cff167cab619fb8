/*
 * diff.c: main and shared helpers of the differential harness (see diff.h).
 *   diff FAMILY SEED COUNT [FIRST]     FAMILY: fc | conv | dw | add
 * Prints one line per case, then (to stderr) how often each kernel path ran.
 */
#include <stdlib.h>
#include <string.h>
#include "diff.h"

int8_t diff_input[DIFF_BYTES];
int8_t diff_filter[DIFF_BYTES];
int8_t diff_output[DIFF_BYTES];
int32_t diff_bias[1 << 14];
int32_t diff_mult[1 << 14];
int32_t diff_shift[1 << 14];

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void diff_seed(diff_rng *r, uint64_t seed, uint64_t index) {
  uint64_t x = seed * 0x100000001b3ull + index;
  r->s = splitmix(&x) | 1u;
}

uint32_t diff_u32(diff_rng *r) {
  uint64_t x = r->s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  r->s = x;
  return (uint32_t)(x >> 32);
}

int32_t diff_range(diff_rng *r, int32_t lo, int32_t hi) {
  uint32_t span = (uint32_t)(hi - lo) + 1u;
  if (span == 0) return (int32_t)diff_u32(r);
  return lo + (int32_t)(diff_u32(r) % span);
}

int diff_chance(diff_rng *r, int32_t num, int32_t den) { return diff_range(r, 0, den - 1) < num; }

void diff_fill_s8(diff_rng *r, int8_t *p, int32_t n) {
  int32_t i;
  /* Sometimes saturate to the extremes: they find sign and wrap mistakes. */
  int mode = diff_range(r, 0, 7);
  for (i = 0; i < n; ++i) {
    uint32_t v = diff_u32(r);
    if (mode == 0) p[i] = (v & 1) ? 127 : -128;
    else p[i] = (int8_t)(v >> 24);
  }
}

void diff_requant(diff_rng *r, int32_t *multiplier, int32_t *shift, int32_t n) {
  int32_t i;
  int mode = diff_range(r, 0, 15);
  for (i = 0; i < n; ++i) {
    multiplier[i] = (int32_t)(0x40000000u + (diff_u32(r) & 0x3fffffffu));
    shift[i] = diff_range(r, -12, 0);
    if (mode == 0) shift[i] = diff_range(r, -31, 4);
    if (mode == 1 && diff_chance(r, 1, 4)) multiplier[i] = diff_chance(r, 1, 2) ? 0 : diff_range(r, 1, 1000);
    if (mode == 2) multiplier[i] = 0x7fffffff;
  }
}

void diff_activation(diff_rng *r, ts_activation *act) {
  switch (diff_range(r, 0, 3)) {
    case 0:
    case 1: act->min = -128; act->max = 127; break;
    case 2: act->min = diff_range(r, -128, 0); act->max = 127; break;
    default: act->min = diff_range(r, -128, 0); act->max = diff_range(r, act->min, 127); break;
  }
}

void diff_fill_bias(diff_rng *r, int32_t *bias, int32_t n) {
  int32_t i;
  int mode = diff_range(r, 0, 7);
  for (i = 0; i < n; ++i) {
    if (mode == 0) bias[i] = (int32_t)diff_u32(r);
    else bias[i] = diff_range(r, -40000, 40000);
  }
}

static int32_t out_size(int32_t in, int32_t k, int32_t stride, int32_t dil, int32_t same) {
  const int32_t eff = dil * (k - 1) + 1;
  if (same) return (in + stride - 1) / stride;
  return in >= eff ? (in - eff) / stride + 1 : 0;
}

static int32_t same_pad(int32_t in, int32_t out, int32_t k, int32_t stride, int32_t dil) {
  const int32_t eff = dil * (k - 1) + 1;
  const int32_t total = (out - 1) * stride + eff - in;
  return total > 0 ? total / 2 : 0;
}

void diff_window(const ts_dims *in, int32_t kh, int32_t kw, const ts_tile *stride, const ts_tile *dilation, int32_t same,
                 ts_dims *out, ts_tile *padding) {
  out->h = out_size(in->h, kh, stride->h, dilation->h, same);
  out->w = out_size(in->w, kw, stride->w, dilation->w, same);
  if (out->h <= 0 || out->w <= 0) {
    same = 1;
    out->h = out_size(in->h, kh, stride->h, dilation->h, 1);
    out->w = out_size(in->w, kw, stride->w, dilation->w, 1);
  }
  padding->h = same ? same_pad(in->h, out->h, kh, stride->h, dilation->h) : 0;
  padding->w = same ? same_pad(in->w, out->w, kw, stride->w, dilation->w) : 0;
}

void diff_report(int32_t index, const char *desc, int32_t status, const void *out, int32_t bytes) {
  const uint8_t *p = (const uint8_t *)out;
  uint32_t h = 2166136261u;
  int32_t i;
  for (i = 0; i < bytes; ++i) h = (h ^ p[i]) * 16777619u;
  printf("%d %s status=%d bytes=%d hash=%08x\n", (int)index, desc, (int)status, (int)bytes, (unsigned)h);
}

/* Path histogram (TS_PATH in dsp.h). */
#define MAX_PATHS 64
static const char *path_names[MAX_PATHS];
static long path_counts[MAX_PATHS];
void ts_trace_path(const char *name) {
  int i;
  for (i = 0; i < MAX_PATHS && path_names[i]; ++i) {
    if (path_names[i] == name || strcmp(path_names[i], name) == 0) {
      path_counts[i]++;
      return;
    }
  }
  if (i < MAX_PATHS) {
    path_names[i] = name;
    path_counts[i] = 1;
  }
}

int main(int argc, char **argv) {
  uint64_t seed;
  int32_t count, first = 0, i;
  void (*fn)(uint64_t, int32_t);
  if (argc < 4) {
    fprintf(stderr, "usage: diff fc|conv|dw|add SEED COUNT [FIRST]\n");
    return 2;
  }
  seed = strtoull(argv[2], NULL, 10);
  count = atoi(argv[3]);
  if (argc > 4) first = atoi(argv[4]);
  if (strcmp(argv[1], "fc") == 0) fn = diff_case_fc;
  else if (strcmp(argv[1], "conv") == 0) fn = diff_case_conv;
  else if (strcmp(argv[1], "dw") == 0) fn = diff_case_dw;
  else if (strcmp(argv[1], "add") == 0) fn = diff_case_add;
  else {
    fprintf(stderr, "diff: unknown family %s\n", argv[1]);
    return 2;
  }
  for (i = first; i < first + count; ++i) fn(seed, i);
  for (i = 0; i < MAX_PATHS && path_names[i]; ++i) fprintf(stderr, "path %s %ld\n", path_names[i], path_counts[i]);
  return 0;
}
