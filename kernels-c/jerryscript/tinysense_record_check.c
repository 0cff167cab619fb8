/*
 * tinysense_record_check.c: per-record bounds and structure check, the C twin
 * of checkRecord() in device/validate.ts (see tinysense_record_check.h).
 *
 * Arithmetic is int64 with saturation, so no product or sum of record fields
 * can wrap: validate.ts computes the same quantities in doubles.
 */
#include "tinysense_record_check.h"

#include <stddef.h>

#include "tinysense_nn.h"

#define INT32_MAX_ ((int64_t)2147483647)
#define SAT_MAX ((int64_t)1 << 62)

/* ---- messages (no libc) ------------------------------------------------- */

void ts_msg_init(ts_msg *m, char *out, uint32_t size) {
  m->out = out;
  m->size = size;
  m->used = 0;
  if (size > 0) out[0] = '\0';
}

void ts_msg_str(ts_msg *m, const char *s) {
  if (m->size == 0) return;
  while (*s && m->used + 1 < m->size) m->out[m->used++] = *s++;
  m->out[m->used] = '\0';
}

void ts_msg_int(ts_msg *m, int64_t v) {
  char digits[24];
  int n = 0;
  uint64_t u;
  if (v < 0) {
    ts_msg_str(m, "-");
    u = (uint64_t)0 - (uint64_t)v;
  } else {
    u = (uint64_t)v;
  }
  do {
    digits[n++] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u != 0 && n < 23);
  {
    char text[24];
    int i;
    for (i = 0; i < n; i++) text[i] = digits[n - 1 - i];
    text[n] = '\0';
    ts_msg_str(m, text);
  }
}

/* ---- saturating int64 ---------------------------------------------------- */

static int64_t clamp(int64_t v) {
  if (v > SAT_MAX) return SAT_MAX;
  if (v < -SAT_MAX) return -SAT_MAX;
  return v;
}

/* Both operands within +-2^62: the sum cannot overflow int64. */
static int64_t sat_add(int64_t a, int64_t b) { return clamp(clamp(a) + clamp(b)); }

/* Operands within +-2^62: split so the product cannot overflow either. */
static int64_t sat_mul(int64_t a, int64_t b) {
  int64_t aa = a < 0 ? -a : a, bb = b < 0 ? -b : b;
  int negative = (a < 0) != (b < 0);
  if (aa == 0 || bb == 0) return 0;
  if (aa > SAT_MAX / bb) return negative ? -SAT_MAX : SAT_MAX;
  return negative ? -(aa * bb) : aa * bb;
}

/* ---- the check ----------------------------------------------------------- */

typedef struct {
  const uint8_t *pack;
  const int32_t *w; /* the record's words */
  int64_t const_lo, const_hi, arena_bytes;
  /* The pack's state region (header flags bit 0), arena bytes [state_lo, state_hi); has_state 0 without one. */
  int has_state;
  int64_t state_lo, state_hi;
  ts_msg *why;
  int failed;
} checker;

#define FIELD(type, member) ((int32_t)(offsetof(type, member) / 4))
#define WORDS(type) ((int32_t)(sizeof(type) / 4))

static int32_t f(const checker *c, int32_t field) { return c->w[field]; }

static int32_t pack_i32(const checker *c, int64_t at) {
  const uint8_t *b = c->pack + at;
  return (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24));
}

/* Records the first failure only. */
static int bad(checker *c, const char *what) {
  if (!c->failed) {
    c->failed = 1;
    ts_msg_str(c->why, what);
  }
  return 0;
}

static int bad_value(checker *c, const char *what, int64_t v) {
  if (!c->failed) {
    c->failed = 1;
    ts_msg_str(c->why, what);
    ts_msg_str(c->why, " is ");
    ts_msg_int(c->why, v);
  }
  return 0;
}

static int in_range(int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; }

/* A dimension a kernel loops over: 0 is allowed. Returns it, or -1 after failing. */
static int64_t dim(checker *c, int32_t field, const char *what) {
  int32_t v = f(c, field);
  if (v < 0) {
    bad_value(c, what, v);
    return -1;
  }
  return v;
}

static int64_t positive(checker *c, int32_t field, const char *what) {
  int32_t v = f(c, field);
  if (v < 1) {
    bad_value(c, what, v);
    return -1;
  }
  return v;
}

/* Product of non-negative dims (0 when any is 0). Fails when the non-zero dims multiply to more than
 * INT32_MAX, even beside a 0: kernels compute strides from them before any loop runs. */
static int64_t product(checker *c, const int64_t *d, int n) {
  int64_t nonzero = 1;
  int i, empty = 0;
  for (i = 0; i < n; i++) {
    if (d[i] < 0) return -1; /* already failed */
    if (d[i] == 0) empty = 1;
  }
  for (i = 0; i < n; i++) {
    if (d[i] == 0) continue;
    nonzero = sat_mul(nonzero, d[i]);
    if (nonzero > INT32_MAX_) {
      bad(c, "a tensor has more than 2^31-1 elements");
      return -1;
    }
  }
  return empty ? 0 : nonzero;
}

/*
 * validate.ts loops(): the work bound of a loop nest (trips, outermost first): a loop of 0 trips must not
 * sit inside loops that run more than the arena and constant bytes in all (the kernel would spin on
 * nothing).
 */
static void loops(checker *c, const int64_t *trips, const char *const *names, int n) {
  int64_t p = 1, budget = c->arena_bytes + (c->const_hi - c->const_lo);
  int k;
  for (k = 0; k < n; k++) {
    if (trips[k] == 0) {
      if (p > budget && !c->failed) {
        c->failed = 1;
        ts_msg_str(c->why, names[k]);
        ts_msg_str(c->why, " is 0 inside loops of ");
        ts_msg_int(c->why, p);
        ts_msg_str(c->why, " trips, more than the ");
        ts_msg_int(c->why, budget);
        ts_msg_str(c->why, " arena and constant bytes justify");
      }
      return;
    }
    p = sat_mul(p, trips[k]);
  }
}

/*
 * validate.ts window(): the last conv or pool window's reach, (out - 1) x stride + (filter - 1) x dilation,
 * lies within the input plus padding on both sides, so out_y x stride - pad + dilation x fy stays in int32.
 */
static void window(checker *c, int64_t in, int64_t out, int64_t filter, int64_t stride, int64_t dilation, int64_t pad,
                   const char *what) {
  int64_t reach = sat_add(sat_mul((out > 1 ? out : 1) - 1, stride), sat_mul((filter > 1 ? filter : 1) - 1, dilation));
  if (reach > in + 2 * pad) bad_value(c, what, reach);
}

/* `bytes` bytes at the offset in `field`, among the pack's constants or in the arena. */
static void operand(checker *c, int32_t field, int in_pack, int64_t bytes, int32_t align, const char *what) {
  int64_t at = f(c, field);
  int64_t lo = in_pack ? c->const_lo : 0;
  int64_t hi = in_pack ? c->const_hi : c->arena_bytes;
  if (c->failed) return;
  if (bytes > INT32_MAX_ || at < lo || at + bytes > hi) {
    c->failed = 1;
    ts_msg_str(c->why, what);
    ts_msg_str(c->why, " needs ");
    ts_msg_int(c->why, bytes);
    ts_msg_str(c->why, in_pack ? " bytes at pack offset " : " bytes at arena offset ");
    ts_msg_int(c->why, at);
    ts_msg_str(c->why, ", outside [");
    ts_msg_int(c->why, lo);
    ts_msg_str(c->why, ", ");
    ts_msg_int(c->why, hi);
    ts_msg_str(c->why, ")");
    return;
  }
  if (at % align != 0) bad_value(c, "an operand is misaligned: its offset", at);
}

static void arena(checker *c, int32_t field, int64_t bytes, int32_t align, const char *what) {
  operand(c, field, 0, bytes, align, what);
}

static void constant(checker *c, int32_t field, int64_t bytes, int32_t align, const char *what) {
  operand(c, field, 1, bytes, align, what);
}

static void optional_constant(checker *c, int32_t field, int64_t bytes, const char *what) {
  if (f(c, field) != -1) constant(c, field, bytes, 4, what);
}

static int flag(checker *c, int32_t field, const char *what) {
  int32_t v = f(c, field);
  if (v != 0 && v != 1) bad_value(c, what, v);
  return v == 1;
}

static void shift(checker *c, int64_t v, int64_t lo, int64_t hi, const char *what) {
  if (!in_range(v, lo, hi)) bad_value(c, what, v);
}

static void shifts_in_pack(checker *c, int32_t field, int64_t count) {
  int64_t at = f(c, field), k;
  if (c->failed) return;
  for (k = 0; k < count; k++) shift(c, pack_i32(c, at + 4 * k), -31, 30, "a per-channel shift");
}

static void activation(checker *c, int32_t field, int64_t lo, int64_t hi) {
  int32_t mn = f(c, field), mx = f(c, field + 1);
  if (!in_range(mn, lo, hi) || !in_range(mx, lo, hi) || mn > mx) bad(c, "activation range out of bounds");
}

static void offset8(checker *c, int32_t field, const char *what) {
  if (!in_range(f(c, field), -255, 255)) bad_value(c, what, f(c, field));
}

#define VIEW_DIMS FIELD(ts_view, dims)
#define VIEW_STEP FIELD(ts_view, step)
#define VIEW_START FIELD(ts_view, start)

/*
 * validate.ts viewSpan(): checks the (summed) views of a record and gives how
 * many elements they walk (*count) and how many elements the buffer they read
 * must hold (*span: the highest element reached plus one; 0 for a walk of no
 * elements). Every dim must be >= 0; the non-zero dims must multiply to at most
 * 2^31-1, and every index the kernel forms (each step times its dim - 1, or 0
 * for an empty dim) must lie in [0, 2^31-1], empty walk or not. Returns 0 after
 * failing.
 */
static int view_span(checker *c, const int32_t *views, int nviews, const char *what, int64_t *count, int64_t *span) {
  int64_t lo = 0, hi = 0, nonzero = 1;
  int v, k, empty = 0;
  for (v = 0; v < nviews; v++) {
    int32_t base = views[v];
    lo = sat_add(lo, f(c, base + VIEW_START));
    hi = sat_add(hi, f(c, base + VIEW_START));
    for (k = 0; k < TS_MAX_DIMS; k++) {
      int64_t d = f(c, base + VIEW_DIMS + k);
      int64_t s = f(c, base + VIEW_STEP + k);
      if (d < 0) {
        bad_value(c, what, d);
        return 0;
      }
      if (d == 0) empty = 1;
      else nonzero = sat_mul(nonzero, d);
      /* Every index the kernel forms, empty walk or not, lies in [lo, hi] (int32 arithmetic). */
      if (s >= 0) hi = sat_add(hi, sat_mul(s, d > 0 ? d - 1 : 0));
      else lo = sat_add(lo, sat_mul(s, d > 0 ? d - 1 : 0));
    }
  }
  if (nonzero > INT32_MAX_) {
    bad(c, "a view walks more than 2^31-1 elements");
    return 0;
  }
  if (lo < 0 || hi > INT32_MAX_) {
    bad(c, "a view reaches outside its tensor");
    return 0;
  }
  *count = empty ? 0 : nonzero;
  *span = empty ? 0 : hi + 1;
  return 1;
}

static int64_t elem_size(checker *c, int32_t v) {
  if (v != 1 && v != 2 && v != 4) {
    bad_value(c, "element size", v);
    return -1;
  }
  return v;
}

static void dims4(checker *c, int32_t field, int64_t *out, const char *what) {
  int i;
  for (i = 0; i < 4; i++) out[i] = dim(c, field + i, what);
}

static const char *const six_dims[TS_MAX_DIMS] = {"output dim 0", "output dim 1", "output dim 2", "output dim 3", "output dim 4", "output dim 5"};

static void check_conv(checker *c, int32_t op) {
  int dw = op == TS_OP_DEPTHWISE_CONV_2D;
  /* ts_conv_record and ts_dw_conv_record share the operand and dims prefix. */
  int32_t P = dw ? FIELD(ts_dw_conv_record, params) : FIELD(ts_conv_record, params);
  int32_t stride = P + (dw ? FIELD(ts_dw_conv_params, stride) : FIELD(ts_conv_params, stride));
  int32_t padding = P + (dw ? FIELD(ts_dw_conv_params, padding) : FIELD(ts_conv_params, padding));
  int32_t dilation = P + (dw ? FIELD(ts_dw_conv_params, dilation) : FIELD(ts_conv_params, dilation));
  int32_t act = P + (dw ? FIELD(ts_dw_conv_params, activation) : FIELD(ts_conv_params, activation));
  int64_t in[4], fl[4], out[4], channels;
  dims4(c, FIELD(ts_conv_record, input_dims), in, "an input dim");
  dims4(c, FIELD(ts_conv_record, filter_dims), fl, "a filter dim");
  dims4(c, FIELD(ts_conv_record, output_dims), out, "an output dim");
  if (c->failed) return;
  channels = out[3];
  if (in[0] != out[0]) bad(c, "input and output batches differ");
  if (!dw) {
    int64_t groups;
    if (fl[3] < 1 || in[3] % fl[3] != 0) {
      bad(c, "input depth is not a multiple of filter depth");
      return;
    }
    groups = in[3] / fl[3];
    if (groups < 1 || fl[0] != channels || channels % groups != 0) bad(c, "filter count does not fit the output channels and groups");
  } else {
    int64_t mult = positive(c, P + FIELD(ts_dw_conv_params, ch_mult), "depth multiplier");
    if (mult < 0) return;
    if (fl[0] != 1 || fl[3] != channels || sat_mul(in[3], mult) != channels) {
      bad(c, "filter does not match input depth x multiplier = output depth");
    }
  }
  positive(c, stride, "stride w");
  positive(c, stride + 1, "stride h");
  positive(c, dilation, "dilation w");
  positive(c, dilation + 1, "dilation h");
  if (!in_range(f(c, padding), 0, 65535) || !in_range(f(c, padding + 1), 0, 65535)) bad(c, "padding out of range");
  offset8(c, P + FIELD(ts_conv_params, input_offset), "input offset");
  offset8(c, P + FIELD(ts_conv_params, output_offset), "output offset");
  activation(c, act, -128, 127);
  if (c->failed) return;
  window(c, in[1], out[1], fl[1], f(c, stride + 1), f(c, dilation + 1), f(c, padding + 1),
         "the windows along h (stride, dilation) reach beyond the input plus padding: reach");
  window(c, in[2], out[2], fl[2], f(c, stride), f(c, dilation), f(c, padding),
         "the windows along w (stride, dilation) reach beyond the input plus padding: reach");
  {
    static const char *const conv_names[7] = {"output n", "output h", "output w", "output c", "filter h", "filter w", "filter c"};
    static const char *const dw_names[7] = {"output n", "output h", "output w", "input c", "depth multiplier", "filter h",
                                            "filter w"};
    int64_t trips[7];
    trips[0] = out[0]; trips[1] = out[1]; trips[2] = out[2];
    if (!dw) {
      trips[3] = channels; trips[4] = fl[1]; trips[5] = fl[2]; trips[6] = fl[3];
    } else {
      trips[3] = in[3]; trips[4] = f(c, P + FIELD(ts_dw_conv_params, ch_mult)); trips[5] = fl[1]; trips[6] = fl[2];
    }
    loops(c, trips, dw ? dw_names : conv_names, 7);
  }
  if (c->failed) return;
  arena(c, FIELD(ts_conv_record, input), product(c, in, 4), 1, "input");
  constant(c, FIELD(ts_conv_record, filter), product(c, fl, 4), 1, "filter");
  optional_constant(c, FIELD(ts_conv_record, bias), 4 * channels, "bias");
  constant(c, FIELD(ts_conv_record, multipliers), 4 * channels, 4, "multipliers");
  constant(c, FIELD(ts_conv_record, shifts), 4 * channels, 4, "shifts");
  shifts_in_pack(c, FIELD(ts_conv_record, shifts), channels);
  arena(c, FIELD(ts_conv_record, output), product(c, out, 4), 1, "output");
  if (f(c, FIELD(ts_conv_record, scratch)) != -1) bad(c, "scratch is not used by this kernel");
}

static void check_fc(checker *c) {
  int32_t P = FIELD(ts_fc_record, params);
  int64_t batches = dim(c, FIELD(ts_fc_record, dims) + FIELD(ts_fc_dims, batches), "batches");
  int64_t depth = dim(c, FIELD(ts_fc_record, dims) + FIELD(ts_fc_dims, accum_depth), "accumulation depth");
  int64_t units = dim(c, FIELD(ts_fc_record, dims) + FIELD(ts_fc_dims, output_depth), "output depth");
  int per_channel = flag(c, FIELD(ts_fc_record, per_channel), "per-channel flag");
  int64_t d[2], quant;
  offset8(c, P + FIELD(ts_fc_params, input_offset), "input offset");
  offset8(c, P + FIELD(ts_fc_params, filter_offset), "filter offset");
  offset8(c, P + FIELD(ts_fc_params, output_offset), "output offset");
  activation(c, P + FIELD(ts_fc_params, activation), -128, 127);
  if (c->failed) return;
  d[0] = batches; d[1] = depth;
  arena(c, FIELD(ts_fc_record, input), product(c, d, 2), 1, "input");
  d[0] = units; d[1] = depth;
  constant(c, FIELD(ts_fc_record, filter), product(c, d, 2), 1, "filter");
  optional_constant(c, FIELD(ts_fc_record, bias), 4 * units, "bias");
  quant = per_channel ? units : 1;
  constant(c, FIELD(ts_fc_record, multipliers), 4 * quant, 4, "multipliers");
  constant(c, FIELD(ts_fc_record, shifts), 4 * quant, 4, "shifts");
  shifts_in_pack(c, FIELD(ts_fc_record, shifts), quant);
  d[0] = batches; d[1] = units;
  arena(c, FIELD(ts_fc_record, output), product(c, d, 2), 1, "output");
  if (f(c, FIELD(ts_fc_record, scratch)) != -1) bad(c, "scratch is not used by this kernel");
  {
    static const char *const names[3] = {"batches", "output depth", "accumulation depth"};
    int64_t trips[3];
    trips[0] = batches; trips[1] = units; trips[2] = depth;
    loops(c, trips, names, 3);
  }
}

static void check_pool(checker *c) {
  int32_t P = FIELD(ts_pool_record, params);
  int64_t in[4], out[4];
  dims4(c, FIELD(ts_pool_record, input_dims), in, "an input dim");
  dims4(c, FIELD(ts_pool_record, output_dims), out, "an output dim");
  if (c->failed) return;
  if (in[0] != out[0] || in[3] != out[3]) bad(c, "input and output batches or depth differ");
  positive(c, P + FIELD(ts_pool_params, stride), "stride w");
  positive(c, P + FIELD(ts_pool_params, stride) + 1, "stride h");
  positive(c, P + FIELD(ts_pool_params, filter), "filter w");
  positive(c, P + FIELD(ts_pool_params, filter) + 1, "filter h");
  if (!in_range(f(c, P + FIELD(ts_pool_params, padding)), 0, 65535) ||
      !in_range(f(c, P + FIELD(ts_pool_params, padding) + 1), 0, 65535)) {
    bad(c, "padding out of range");
  }
  activation(c, P + FIELD(ts_pool_params, activation), -128, 127);
  if (c->failed) return;
  window(c, in[1], out[1], f(c, P + FIELD(ts_pool_params, filter) + 1), f(c, P + FIELD(ts_pool_params, stride) + 1), 1,
         f(c, P + FIELD(ts_pool_params, padding) + 1), "the windows along h (stride) reach beyond the input plus padding: reach");
  window(c, in[2], out[2], f(c, P + FIELD(ts_pool_params, filter)), f(c, P + FIELD(ts_pool_params, stride)), 1,
         f(c, P + FIELD(ts_pool_params, padding)), "the windows along w (stride) reach beyond the input plus padding: reach");
  {
    static const char *const names[4] = {"output n", "output h", "output w", "output c"};
    loops(c, out, names, 4);
  }
  arena(c, FIELD(ts_pool_record, input), product(c, in, 4), 1, "input");
  arena(c, FIELD(ts_pool_record, output), product(c, out, 4), 1, "output");
}

/* Element-wise ops whose record is: input, output, size (+ params). */
static int64_t check_unary(checker *c, int32_t size_field, int32_t input, int32_t output, int64_t in_mul,
                           int32_t in_align, int64_t out_mul, int32_t out_align) {
  int64_t n = dim(c, size_field, "size");
  if (c->failed) return -1;
  arena(c, input, in_mul * n, in_align, "input");
  arena(c, output, out_mul * n, out_align, "output");
  return n;
}

static void check_binary(checker *c, int32_t op) {
  int add = op == TS_OP_ADD;
  int32_t shape = add ? FIELD(ts_add_record, output_shape) : FIELD(ts_mul_record, output_shape);
  int32_t v1 = add ? FIELD(ts_add_record, input1_view) : FIELD(ts_mul_record, input1_view);
  int32_t v2 = add ? FIELD(ts_add_record, input2_view) : FIELD(ts_mul_record, input2_view);
  int32_t P = add ? FIELD(ts_add_record, params) : FIELD(ts_mul_record, params);
  int64_t s[TS_MAX_DIMS], n, count, span1, span2;
  int in1_pack, in2_pack, k;
  for (k = 0; k < TS_MAX_DIMS; k++) s[k] = dim(c, shape + k, "an output dim");
  if (c->failed) return;
  n = product(c, s, TS_MAX_DIMS);
  loops(c, s, six_dims, TS_MAX_DIMS);
  for (k = 0; k < TS_MAX_DIMS; k++) {
    if (f(c, v1 + VIEW_DIMS + k) != s[k] || f(c, v2 + VIEW_DIMS + k) != s[k]) {
      bad(c, "input views do not walk the output shape");
      return;
    }
  }
  in1_pack = flag(c, FIELD(ts_add_record, input1_in_pack), "input 1 in-pack flag");
  in2_pack = flag(c, FIELD(ts_add_record, input2_in_pack), "input 2 in-pack flag");
  if (c->failed) return;
  /* The view spans give the smallest buffer each input can be. */
  if (!view_span(c, &v1, 1, "input 1 view dim", &count, &span1)) return;
  operand(c, FIELD(ts_add_record, input1), in1_pack, span1, 1, "input 1");
  if (!view_span(c, &v2, 1, "input 2 view dim", &count, &span2)) return;
  operand(c, FIELD(ts_add_record, input2), in2_pack, span2, 1, "input 2");
  arena(c, FIELD(ts_add_record, output), n, 1, "output");
  if (add) {
    activation(c, P + FIELD(ts_add_params, activation), -128, 127);
    shift(c, f(c, P + FIELD(ts_add_params, left_shift)), 0, 20, "left shift");
    offset8(c, P + FIELD(ts_add_params, input1_offset), "input 1 offset");
    offset8(c, P + FIELD(ts_add_params, input2_offset), "input 2 offset");
    offset8(c, P + FIELD(ts_add_params, output_offset), "output offset");
    shift(c, f(c, P + FIELD(ts_add_params, input1) + 1), -31, 30, "input 1 shift");
    shift(c, f(c, P + FIELD(ts_add_params, input2) + 1), -31, 30, "input 2 shift");
    shift(c, f(c, P + FIELD(ts_add_params, output) + 1), -31, 30, "output shift");
  } else {
    activation(c, P + FIELD(ts_mul_params, activation), -128, 127);
    offset8(c, P + FIELD(ts_mul_params, input1_offset), "input 1 offset");
    offset8(c, P + FIELD(ts_mul_params, input2_offset), "input 2 offset");
    offset8(c, P + FIELD(ts_mul_params, output_offset), "output offset");
    shift(c, f(c, P + FIELD(ts_mul_params, output) + 1), -31, 30, "output shift");
  }
}

static void check_mean(checker *c) {
  int32_t outer = FIELD(ts_mean_record, outer), inner = FIELD(ts_mean_record, inner);
  int32_t both[2];
  int32_t P = FIELD(ts_mean_record, params);
  int64_t out_count, count, span;
  both[0] = outer;
  both[1] = inner;
  if (!view_span(c, &outer, 1, "outer view dim", &out_count, &span)) return;
  if (!view_span(c, &inner, 1, "inner view dim", &count, &span)) return;
  if (f(c, P + FIELD(ts_mean_params, count)) != count || count < 1) {
    bad(c, "count is not the number of reduced elements");
    return;
  }
  {
    static const char *const names[2 * TS_MAX_DIMS] = {
        "outer view dim 0", "outer view dim 1", "outer view dim 2", "outer view dim 3", "outer view dim 4", "outer view dim 5",
        "inner view dim 0", "inner view dim 1", "inner view dim 2", "inner view dim 3", "inner view dim 4", "inner view dim 5"};
    int64_t trips[2 * TS_MAX_DIMS], budget = c->arena_bytes + (c->const_hi - c->const_lo);
    int k;
    for (k = 0; k < TS_MAX_DIMS; k++) {
      trips[k] = f(c, outer + VIEW_DIMS + k);
      trips[TS_MAX_DIMS + k] = f(c, inner + VIEW_DIMS + k);
    }
    loops(c, trips, names, 2 * TS_MAX_DIMS);
    /* Each input element is reduced once: more reads than the arena holds walk one twice over. */
    if (sat_mul(out_count, count) > budget) bad_value(c, "the reduction reads more elements than the arena and constants hold:", sat_mul(out_count, count));
  }
  if (!view_span(c, both, 2, "reduction view dim", &count, &span)) return;
  arena(c, FIELD(ts_mean_record, input), span, 1, "input");
  arena(c, FIELD(ts_mean_record, output), out_count, 1, "output");
  offset8(c, P + FIELD(ts_mean_params, input_zero_point), "input zero point");
  offset8(c, P + FIELD(ts_mean_params, output_zero_point), "output zero point");
  shift(c, f(c, P + FIELD(ts_mean_params, requant) + 1), -31, 30, "shift");
}

static void check_gather(checker *c) {
  int32_t view = FIELD(ts_gather_record, view);
  int64_t elem = elem_size(c, f(c, FIELD(ts_gather_record, elem_size)));
  int64_t elements, span;
  int in_pack;
  if (c->failed) return;
  if (!view_span(c, &view, 1, "view dim", &elements, &span)) return;
  {
    static const char *const names[TS_MAX_DIMS] = {"view dim 0", "view dim 1", "view dim 2", "view dim 3", "view dim 4", "view dim 5"};
    int64_t trips[TS_MAX_DIMS];
    int k;
    for (k = 0; k < TS_MAX_DIMS; k++) trips[k] = f(c, view + VIEW_DIMS + k);
    loops(c, trips, names, TS_MAX_DIMS);
  }
  in_pack = flag(c, FIELD(ts_gather_record, input_in_pack), "input in-pack flag");
  if (c->failed) return;
  operand(c, FIELD(ts_gather_record, input), in_pack, sat_mul(elem, span), (int32_t)elem, "input");
  arena(c, FIELD(ts_gather_record, output), elem * elements, (int32_t)elem, "output");
}

static void check_pad(checker *c) {
  int32_t P = FIELD(ts_pad_record, params);
  int64_t pe = elem_size(c, f(c, FIELD(ts_pad_record, elem_size)));
  /* The element size first, as a dim: the kernel's row bytes are element size x the last dim. */
  int64_t in_e[TS_MAX_DIMS + 1], out_e[TS_MAX_DIMS + 1], *in = in_e + 1, *out = out_e + 1;
  int d;
  if (c->failed) return;
  in_e[0] = pe;
  out_e[0] = pe;
  for (d = 0; d < TS_MAX_DIMS; d++) {
    int64_t before;
    in[d] = dim(c, P + FIELD(ts_pad_params, input_dims) + d, "an input dim");
    out[d] = dim(c, P + FIELD(ts_pad_params, output_dims) + d, "an output dim");
    before = f(c, P + FIELD(ts_pad_params, before) + d);
    if (c->failed) return;
    if (before < 0 || before + in[d] > out[d]) {
      bad(c, "padding does not fit the output");
      return;
    }
  }
  arena(c, FIELD(ts_pad_record, input), product(c, in_e, TS_MAX_DIMS + 1), (int32_t)pe, "input");
  arena(c, FIELD(ts_pad_record, output), product(c, out_e, TS_MAX_DIMS + 1), (int32_t)pe, "output");
  loops(c, out, six_dims, TS_MAX_DIMS);
}

static void check_concat(checker *c) {
  int64_t outer = dim(c, FIELD(ts_concat_record, outer_size), "outer size");
  int32_t inputs = f(c, FIELD(ts_concat_record, input_count));
  int64_t row_total = 0, d[2];
  int32_t j;
  if (c->failed) return;
  for (j = 0; j < inputs; j++) {
    int32_t entry = WORDS(ts_concat_record) + j * WORDS(ts_concat_input);
    int64_t row_bytes = dim(c, entry + FIELD(ts_concat_input, row_bytes), "an input's row bytes");
    int in_pack = flag(c, entry + FIELD(ts_concat_input, in_pack), "an input's in-pack flag");
    if (c->failed) return;
    row_total += row_bytes;
    d[0] = outer; d[1] = row_bytes;
    operand(c, entry + FIELD(ts_concat_input, input), in_pack, product(c, d, 2), 1, "an input");
    {
      static const char *const names[2] = {"outer size", "an input's row bytes"};
      loops(c, d, names, 2);
    }
    if (c->failed) return;
  }
  if (row_total > INT32_MAX_) {
    bad_value(c, "output row bytes", row_total);
    return;
  }
  d[0] = outer; d[1] = row_total;
  arena(c, FIELD(ts_concat_record, output), product(c, d, 2), 1, "output");
}

static void check_copy(checker *c) {
  int64_t bytes = dim(c, FIELD(ts_copy_record, bytes), "bytes");
  int in_pack = flag(c, FIELD(ts_copy_record, input_in_pack), "input in-pack flag");
  if (c->failed) return;
  operand(c, FIELD(ts_copy_record, input), in_pack, bytes, 1, "input");
  arena(c, FIELD(ts_copy_record, output), bytes, 1, "output");
}

/* ---- audio front end (TFLM signal ops), CAST, int32 element-wise ---------- */

/* A little-endian int16 of the pack (signal op constants), validate.ts i16(). */
static int32_t pack_i16(const checker *c, int64_t at) {
  const uint8_t *b = c->pack + at;
  return (int32_t)(int16_t)(uint16_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8));
}

static void check_signal_window(checker *c) {
  int64_t n = dim(c, FIELD(ts_signal_window_record, size), "size");
  int64_t window = positive(c, FIELD(ts_signal_window_record, window_size), "window size");
  if (c->failed) return;
  if (n % window != 0) bad(c, "size is not a multiple of the window size");
  shift(c, f(c, FIELD(ts_signal_window_record, shift)), 0, 31, "shift");
  arena(c, FIELD(ts_signal_window_record, input), 2 * n, 2, "input");
  constant(c, FIELD(ts_signal_window_record, window), 2 * window, 2, "window");
  arena(c, FIELD(ts_signal_window_record, output), 2 * n, 2, "output");
}

static void check_signal_fft_auto_scale(checker *c) {
  int64_t n = dim(c, FIELD(ts_signal_fft_auto_scale_record, size), "size");
  if (c->failed) return;
  arena(c, FIELD(ts_signal_fft_auto_scale_record, input), 2 * n, 2, "input");
  arena(c, FIELD(ts_signal_fft_auto_scale_record, output), 2 * n, 2, "output");
  arena(c, FIELD(ts_signal_fft_auto_scale_record, scale_bits), 4, 4, "scale bits");
}

static void check_signal_rfft(checker *c) {
  int64_t fft = f(c, FIELD(ts_signal_rfft_record, fft_length)), input_length, frames, d[2];
  if (!in_range(fft, 4, 65536) || (fft & (fft - 1)) != 0) {
    bad_value(c, "fft length (a power of two from 4 to 65536)", fft);
    return;
  }
  input_length = dim(c, FIELD(ts_signal_rfft_record, input_length), "input length");
  if (c->failed) return;
  if (input_length > fft) bad(c, "input length exceeds the fft length");
  frames = dim(c, FIELD(ts_signal_rfft_record, frames), "frames");
  if (c->failed) return;
  d[0] = frames; d[1] = input_length;
  arena(c, FIELD(ts_signal_rfft_record, input), sat_mul(2, product(c, d, 2)), 2, "input");
  d[0] = frames; d[1] = fft + 2;
  arena(c, FIELD(ts_signal_rfft_record, output), sat_mul(2, product(c, d, 2)), 4, "output");
  constant(c, FIELD(ts_signal_rfft_record, twiddles), 2 * fft, 2, "twiddles");
  constant(c, FIELD(ts_signal_rfft_record, super_twiddles), fft > 4 ? fft : 4, 2, "super twiddles");
}

static void check_signal_energy(checker *c) {
  int64_t start = dim(c, FIELD(ts_signal_energy_record, start), "start");
  int64_t end = dim(c, FIELD(ts_signal_energy_record, end), "end");
  if (c->failed) return;
  if (end < start) bad(c, "end is before start");
  arena(c, FIELD(ts_signal_energy_record, input), 4 * end, 2, "input");
  arena(c, FIELD(ts_signal_energy_record, output), 4 * end, 4, "output");
}

static void check_signal_filter_bank(checker *c) {
  int64_t channels = dim(c, FIELD(ts_signal_filter_bank_record, num_channels), "channels");
  int64_t bins = dim(c, FIELD(ts_signal_filter_bank_record, num_bins), "bins");
  int64_t weights = dim(c, FIELD(ts_signal_filter_bank_record, num_weights), "weights");
  int64_t ch;
  if (c->failed) return;
  arena(c, FIELD(ts_signal_filter_bank_record, input), 4 * bins, 4, "input");
  arena(c, FIELD(ts_signal_filter_bank_record, output), 8 * channels, 8, "output");
  constant(c, FIELD(ts_signal_filter_bank_record, weights), 2 * weights, 2, "weights");
  constant(c, FIELD(ts_signal_filter_bank_record, unweights), 2 * weights, 2, "unweights");
  constant(c, FIELD(ts_signal_filter_bank_record, freq_starts), 2 * (channels + 1), 2, "channel frequency starts");
  constant(c, FIELD(ts_signal_filter_bank_record, weight_starts), 2 * (channels + 1), 2, "channel weight starts");
  constant(c, FIELD(ts_signal_filter_bank_record, widths), 2 * (channels + 1), 2, "channel widths");
  /* The three tables lie among the constants now: read every channel's reach. */
  if (c->failed) return;
  for (ch = 0; ch <= channels; ch++) {
    int64_t width = pack_i16(c, (int64_t)f(c, FIELD(ts_signal_filter_bank_record, widths)) + 2 * ch);
    int64_t freq_start = pack_i16(c, (int64_t)f(c, FIELD(ts_signal_filter_bank_record, freq_starts)) + 2 * ch);
    int64_t weight_start = pack_i16(c, (int64_t)f(c, FIELD(ts_signal_filter_bank_record, weight_starts)) + 2 * ch);
    if (width < 0 || freq_start < 0 || weight_start < 0 || freq_start + width > bins || weight_start + width > weights) {
      bad_value(c, "a filter-bank channel reaches outside the input or the weights: channel", ch);
      return;
    }
  }
}

static void check_signal_filter_bank_sqrt(checker *c) {
  int64_t n = dim(c, FIELD(ts_signal_filter_bank_sqrt_record, num_channels), "channels");
  int in_pack = flag(c, FIELD(ts_signal_filter_bank_sqrt_record, scale_bits_in_pack), "scale bits in-pack flag");
  if (c->failed) return;
  operand(c, FIELD(ts_signal_filter_bank_sqrt_record, scale_bits), in_pack, 4, 4, "scale bits");
  /* The kernel refuses scale bits outside [0, 31] at run time (a computed operand). */
  arena(c, FIELD(ts_signal_filter_bank_sqrt_record, input), 8 * n, 8, "input");
  arena(c, FIELD(ts_signal_filter_bank_sqrt_record, output), 4 * n, 4, "output");
}

static void check_signal_spectral_subtraction(checker *c) {
  static const int32_t coefficients[] = {
      FIELD(ts_signal_spectral_subtraction_record, params) + FIELD(ts_spectral_subtraction_params, smoothing),
      FIELD(ts_signal_spectral_subtraction_record, params) + FIELD(ts_spectral_subtraction_params, one_minus_smoothing),
      FIELD(ts_signal_spectral_subtraction_record, params) + FIELD(ts_spectral_subtraction_params, alternate_smoothing),
      FIELD(ts_signal_spectral_subtraction_record, params) +
          FIELD(ts_spectral_subtraction_params, alternate_one_minus_smoothing),
      FIELD(ts_signal_spectral_subtraction_record, params) + FIELD(ts_spectral_subtraction_params, min_signal_remaining)};
  int32_t P = FIELD(ts_signal_spectral_subtraction_record, params);
  int64_t n = dim(c, P + FIELD(ts_spectral_subtraction_params, num_channels), "channels");
  int64_t noise = f(c, FIELD(ts_signal_spectral_subtraction_record, noise_estimate));
  size_t k;
  if (c->failed) return;
  arena(c, FIELD(ts_signal_spectral_subtraction_record, input), 4 * n, 4, "input");
  arena(c, FIELD(ts_signal_spectral_subtraction_record, output), 4 * n, 4, "output");
  arena(c, FIELD(ts_signal_spectral_subtraction_record, noise_estimate), 4 * n, 4, "noise estimate");
  /* The noise estimate is kept across invokes: it must be the pack's state region, which nothing else uses. */
  if (!c->has_state || noise < c->state_lo || noise + 4 * n > c->state_hi) {
    bad(c, "noise estimate lies outside the state region");
  }
  for (k = 0; k < sizeof coefficients / sizeof coefficients[0]; k++) {
    if (!in_range(f(c, coefficients[k]), 0, 65535)) bad_value(c, "smoothing coefficient", f(c, coefficients[k]));
  }
  shift(c, f(c, P + FIELD(ts_spectral_subtraction_params, smoothing_bits)), 0, 31, "smoothing bits");
  shift(c, f(c, P + FIELD(ts_spectral_subtraction_params, spectral_subtraction_bits)), 0, 63,
        "spectral subtraction bits");
  flag(c, P + FIELD(ts_spectral_subtraction_params, clamping), "clamping flag");
}

static void check_signal_pcan(checker *c) {
  int64_t n = dim(c, FIELD(ts_signal_pcan_record, num_channels), "channels");
  int64_t lut = dim(c, FIELD(ts_signal_pcan_record, lut_size), "gain LUT size");
  if (c->failed) return;
  if (lut < 125) bad_value(c, "gain LUT size (needs 125 values)", lut);
  shift(c, f(c, FIELD(ts_signal_pcan_record, snr_shift)), 0, 63, "snr shift");
  arena(c, FIELD(ts_signal_pcan_record, input), 4 * n, 4, "input");
  arena(c, FIELD(ts_signal_pcan_record, noise_estimate), 4 * n, 4, "noise estimate");
  constant(c, FIELD(ts_signal_pcan_record, gain_lut), 2 * lut, 2, "gain LUT");
  arena(c, FIELD(ts_signal_pcan_record, output), 4 * n, 4, "output");
}

static void check_signal_filter_bank_log(checker *c) {
  int64_t n = dim(c, FIELD(ts_signal_filter_bank_log_record, num_channels), "channels");
  int32_t scale = f(c, FIELD(ts_signal_filter_bank_log_record, output_scale));
  if (c->failed) return;
  if (!in_range(scale, 0, 65535)) bad_value(c, "output scale", scale);
  shift(c, f(c, FIELD(ts_signal_filter_bank_log_record, correction_bits)), 0, 31, "correction bits");
  arena(c, FIELD(ts_signal_filter_bank_log_record, input), 4 * n, 4, "input");
  arena(c, FIELD(ts_signal_filter_bank_log_record, output), 2 * n, 2, "output");
}

/* Bytes of a CAST element code: the tensor-table codes plus 6 for uint32; 0 for float32 and unknown codes. */
static int64_t cast_bytes(int32_t code) {
  static const int64_t bytes[] = {0, 1, 2, 4, 0, 1, 4};
  return code >= 1 && code <= 6 ? bytes[code] : 0;
}

static void check_cast(checker *c) {
  int64_t n = dim(c, FIELD(ts_cast_record, size), "size");
  int64_t from = cast_bytes(f(c, FIELD(ts_cast_record, from_type)));
  int64_t to = cast_bytes(f(c, FIELD(ts_cast_record, to_type)));
  if (c->failed) return;
  if (from == 0 || to == 0) {
    bad(c, "cast between unknown element codes");
    return;
  }
  arena(c, FIELD(ts_cast_record, input), from * n, (int32_t)from, "input");
  arena(c, FIELD(ts_cast_record, output), to * n, (int32_t)to, "output");
}

static void check_elementwise_s32(checker *c) {
  int32_t v1 = FIELD(ts_elementwise_record, input1_view), v2 = FIELD(ts_elementwise_record, input2_view);
  int32_t shape = FIELD(ts_elementwise_record, output_shape);
  int32_t act = FIELD(ts_elementwise_record, activation);
  int64_t s[TS_MAX_DIMS], n, count, span1, span2;
  int in1_pack, in2_pack, k;
  for (k = 0; k < TS_MAX_DIMS; k++) s[k] = dim(c, shape + k, "an output dim");
  if (c->failed) return;
  n = product(c, s, TS_MAX_DIMS);
  loops(c, s, six_dims, TS_MAX_DIMS);
  if (c->failed) return;
  for (k = 0; k < TS_MAX_DIMS; k++) {
    if (f(c, v1 + VIEW_DIMS + k) != s[k] || f(c, v2 + VIEW_DIMS + k) != s[k]) {
      bad(c, "input views do not walk the output shape");
      return;
    }
  }
  if (!in_range(f(c, FIELD(ts_elementwise_record, kind)), TS_ELEMENTWISE_ADD, TS_ELEMENTWISE_SUB)) {
    bad_value(c, "element-wise kind", f(c, FIELD(ts_elementwise_record, kind)));
  }
  if (f(c, act) > f(c, act + 1)) bad(c, "activation range is empty");
  in1_pack = flag(c, FIELD(ts_elementwise_record, input1_in_pack), "input 1 in-pack flag");
  in2_pack = flag(c, FIELD(ts_elementwise_record, input2_in_pack), "input 2 in-pack flag");
  if (c->failed) return;
  if (!view_span(c, &v1, 1, "input 1 view dim", &count, &span1)) return;
  operand(c, FIELD(ts_elementwise_record, input1), in1_pack, sat_mul(4, span1), 4, "input 1");
  if (!view_span(c, &v2, 1, "input 2 view dim", &count, &span2)) return;
  operand(c, FIELD(ts_elementwise_record, input2), in2_pack, sat_mul(4, span2), 4, "input 2");
  arena(c, FIELD(ts_elementwise_record, output), 4 * n, 4, "output");
}

static int32_t expected_words(int32_t op) {
  switch (op) {
    case TS_OP_CONV_2D: return WORDS(ts_conv_record);
    case TS_OP_DEPTHWISE_CONV_2D: return WORDS(ts_dw_conv_record);
    case TS_OP_FULLY_CONNECTED: return WORDS(ts_fc_record);
    case TS_OP_AVERAGE_POOL_2D:
    case TS_OP_MAX_POOL_2D: return WORDS(ts_pool_record);
    case TS_OP_SOFTMAX: return WORDS(ts_softmax_record);
    case TS_OP_LOGISTIC:
    case TS_OP_TANH: return WORDS(ts_sigmoid_record);
    case TS_OP_ADD: return WORDS(ts_add_record);
    case TS_OP_MUL: return WORDS(ts_mul_record);
    case TS_OP_REQUANTIZE: return WORDS(ts_requantize_record);
    case TS_OP_LEAKY_RELU: return WORDS(ts_leaky_relu_record);
    case TS_OP_DEQUANTIZE:
    case TS_OP_QUANTIZE_F32: return WORDS(ts_affine_record);
    case TS_OP_MEAN: return WORDS(ts_mean_record);
    case TS_OP_GATHER_VIEW: return WORDS(ts_gather_record);
    case TS_OP_PAD: return WORDS(ts_pad_record);
    case TS_OP_CONCATENATION: return WORDS(ts_concat_record);
    case TS_OP_COPY: return WORDS(ts_copy_record);
    case TS_OP_SIGNAL_WINDOW: return WORDS(ts_signal_window_record);
    case TS_OP_SIGNAL_FFT_AUTO_SCALE: return WORDS(ts_signal_fft_auto_scale_record);
    case TS_OP_SIGNAL_RFFT: return WORDS(ts_signal_rfft_record);
    case TS_OP_SIGNAL_ENERGY: return WORDS(ts_signal_energy_record);
    case TS_OP_SIGNAL_FILTER_BANK: return WORDS(ts_signal_filter_bank_record);
    case TS_OP_SIGNAL_FILTER_BANK_SQRT: return WORDS(ts_signal_filter_bank_sqrt_record);
    case TS_OP_SIGNAL_SPECTRAL_SUBTRACTION: return WORDS(ts_signal_spectral_subtraction_record);
    case TS_OP_SIGNAL_PCAN: return WORDS(ts_signal_pcan_record);
    case TS_OP_SIGNAL_FILTER_BANK_LOG: return WORDS(ts_signal_filter_bank_log_record);
    case TS_OP_CAST: return WORDS(ts_cast_record);
    case TS_OP_ELEMENTWISE_S32: return WORDS(ts_elementwise_record);
    default: return -1;
  }
}

static uint32_t u32_at(const uint8_t *b, uint32_t at) {
  return (uint32_t)b[at] | ((uint32_t)b[at + 1] << 8) | ((uint32_t)b[at + 2] << 16) | ((uint32_t)b[at + 3] << 24);
}

int32_t ts_check_record(const uint8_t *pack, uint32_t pack_bytes, uint32_t record, uint32_t arena_bytes,
                        ts_msg *why) {
  checker c;
  uint32_t declared, const_offset, const_bytes, flags;
  int32_t op, words, expected;
  int has_state = 0;
  int64_t state_lo = 0, state_hi = 0;

  ts_msg_str(why, "op record at ");
  ts_msg_int(why, record);
  ts_msg_str(why, ": ");

  /* The header, read afresh: the glue keeps no state between calls. */
  if (pack_bytes < 64 || u32_at(pack, 0) != 0x4b505354u) {
    ts_msg_str(why, "the pack is not a tinysense model pack (no TSPK header)");
    return -1;
  }
  if ((u32_at(pack, 4) & 0xffffu) != 1) {
    ts_msg_str(why, "the pack's format version is not 1");
    return -1;
  }
  if ((u32_at(pack, 4) >> 16) != 64) {
    ts_msg_str(why, "the pack header is not 64 bytes");
    return -1;
  }
  declared = u32_at(pack, 8);
  if (declared > pack_bytes || declared < 64) {
    ts_msg_str(why, "the pack header says ");
    ts_msg_int(why, declared);
    ts_msg_str(why, " bytes, the buffer holds ");
    ts_msg_int(why, pack_bytes);
    return -1;
  }
  const_offset = u32_at(pack, 56);
  const_bytes = u32_at(pack, 60);
  if (const_offset % 4 != 0 || const_offset < 64 || (uint64_t)const_offset + const_bytes > declared) {
    ts_msg_str(why, "the pack's constants lie outside it");
    return -1;
  }
  /* Flags: bit 0 says the last tensor-table entry is the state region (docs/model-pack.md), as
   * validate.ts reads it: uint8 [bytes] in the arena, after the inputs' and outputs' entries. */
  flags = u32_at(pack, 20);
  /* bit 1: the pack ends in a work trailer (checked by validate.ts at load; no record reads it). */
  if ((flags & ~3u) != 0) {
    ts_msg_str(why, "the pack has unknown flags");
    return -1;
  }
  if (flags & 1u) {
    uint32_t tensors = u32_at(pack, 32), table = u32_at(pack, 36), entry;
    uint64_t listed = (uint64_t)u32_at(pack, 40) + u32_at(pack, 48);
    int32_t state_at, state_bytes;
    if (table % 4 != 0 || table < 64 || (uint64_t)table + 44u * (uint64_t)tensors > declared) {
      ts_msg_str(why, "the pack's tensor table lies outside it");
      return -1;
    }
    if (tensors == 0 || (uint64_t)tensors - 1 < listed) {
      ts_msg_str(why, "the pack's tensor table has no entry for its state region");
      return -1;
    }
    entry = table + 44u * (tensors - 1);
    state_at = (int32_t)u32_at(pack, entry + 4);
    state_bytes = (int32_t)u32_at(pack, entry + 8);
    /* type uint8 (5), rank 1, in the arena, dims[0] == bytes, inside the arena the header declares. */
    if (pack[entry] != 5 || pack[entry + 1] != 1 || pack[entry + 2] != 0 || state_at < 0 || state_bytes < 0 ||
        (int32_t)u32_at(pack, entry + 20) != state_bytes || u32_at(pack, 16) > 2147483647u ||
        (int64_t)state_at + state_bytes > (int64_t)u32_at(pack, 16)) {
      ts_msg_str(why, "the pack's state region is not uint8 [bytes] inside the arena");
      return -1;
    }
    state_lo = state_at;
    state_hi = (int64_t)state_at + state_bytes;
    has_state = 1;
  }
  if (record % 4 != 0 || record < 64 || (uint64_t)record + 8 > declared) {
    ts_msg_str(why, "the offset is not 4-aligned inside the pack");
    return -1;
  }

  c.pack = pack;
  c.w = (const int32_t *)(const void *)(pack + record);
  c.const_lo = const_offset;
  c.const_hi = (int64_t)const_offset + const_bytes;
  c.arena_bytes = arena_bytes;
  c.has_state = has_state;
  c.state_lo = state_lo;
  c.state_hi = state_hi;
  c.why = why;
  c.failed = 0;

  op = c.w[0];
  words = c.w[1];
  expected = expected_words(op);
  if (expected < 0) {
    ts_msg_str(why, "unknown op code ");
    ts_msg_int(why, op);
    return -1;
  }
  if (op == TS_OP_CONCATENATION) {
    int32_t count;
    if ((uint64_t)record + 4u * (uint32_t)WORDS(ts_concat_record) > declared) {
      ts_msg_str(why, "record runs past the end of the pack");
      return -1;
    }
    count = c.w[FIELD(ts_concat_record, input_count)];
    if (count < 1 || count > 1024) {
      ts_msg_str(why, "bad input count ");
      ts_msg_int(why, count);
      return -1;
    }
    expected = WORDS(ts_concat_record) + count * WORDS(ts_concat_input);
  }
  if (words != expected) {
    ts_msg_str(why, "record has ");
    ts_msg_int(why, words);
    ts_msg_str(why, " words, expected ");
    ts_msg_int(why, expected);
    return -1;
  }
  if ((uint64_t)record + 4u * (uint64_t)words > declared) {
    ts_msg_str(why, "record runs past the end of the pack");
    return -1;
  }

  switch (op) {
    case TS_OP_CONV_2D:
    case TS_OP_DEPTHWISE_CONV_2D:
      check_conv(&c, op);
      break;
    case TS_OP_FULLY_CONNECTED:
      check_fc(&c);
      break;
    case TS_OP_AVERAGE_POOL_2D:
    case TS_OP_MAX_POOL_2D:
      check_pool(&c);
      break;
    case TS_OP_SOFTMAX: {
      int64_t d[2];
      int32_t P = FIELD(ts_softmax_record, params);
      d[0] = dim(&c, FIELD(ts_softmax_record, rows), "rows");
      d[1] = dim(&c, FIELD(ts_softmax_record, row_size), "row size");
      if (c.failed) break;
      {
        static const char *const names[2] = {"rows", "row size"};
        int64_t n = product(&c, d, 2);
        loops(&c, d, names, 2);
        shift(&c, f(&c, P + FIELD(ts_softmax_params, input_left_shift)), 0, 31, "input left shift");
        if (f(&c, P + FIELD(ts_softmax_params, diff_min)) > 0) bad(&c, "diff_min is positive");
        arena(&c, FIELD(ts_softmax_record, input), n, 1, "input");
        arena(&c, FIELD(ts_softmax_record, output), n, 1, "output");
      }
      break;
    }
    case TS_OP_LOGISTIC:
    case TS_OP_TANH: {
      int32_t P = FIELD(ts_sigmoid_record, params);
      offset8(&c, P + FIELD(ts_sigmoid_params, input_zero_point), "input zero point");
      shift(&c, f(&c, P + FIELD(ts_sigmoid_params, input_left_shift)), -31, 30, "input left shift");
      if (f(&c, P + FIELD(ts_sigmoid_params, input_range_radius)) < 0) bad(&c, "negative input range radius");
      check_unary(&c, FIELD(ts_sigmoid_record, size), FIELD(ts_sigmoid_record, input), FIELD(ts_sigmoid_record, output),
                  1, 1, 1, 1);
      break;
    }
    case TS_OP_ADD:
    case TS_OP_MUL:
      check_binary(&c, op);
      break;
    case TS_OP_REQUANTIZE: {
      int32_t P = FIELD(ts_requantize_record, params);
      offset8(&c, P + FIELD(ts_requantize_params, input_zero_point), "input zero point");
      offset8(&c, P + FIELD(ts_requantize_params, output_offset), "output offset");
      shift(&c, f(&c, P + FIELD(ts_requantize_params, requant) + 1), -31, 30, "shift");
      activation(&c, P + FIELD(ts_requantize_params, activation), -128, 127);
      check_unary(&c, FIELD(ts_requantize_record, size), FIELD(ts_requantize_record, input),
                  FIELD(ts_requantize_record, output), 1, 1, 1, 1);
      break;
    }
    case TS_OP_LEAKY_RELU: {
      int32_t P = FIELD(ts_leaky_relu_record, params);
      offset8(&c, P + FIELD(ts_leaky_relu_params, input_zero_point), "input zero point");
      offset8(&c, P + FIELD(ts_leaky_relu_params, output_zero_point), "output zero point");
      shift(&c, f(&c, P + FIELD(ts_leaky_relu_params, identity) + 1), -31, 30, "identity shift");
      shift(&c, f(&c, P + FIELD(ts_leaky_relu_params, alpha) + 1), -31, 30, "alpha shift");
      check_unary(&c, FIELD(ts_leaky_relu_record, size), FIELD(ts_leaky_relu_record, input),
                  FIELD(ts_leaky_relu_record, output), 1, 1, 1, 1);
      break;
    }
    case TS_OP_DEQUANTIZE:
    case TS_OP_QUANTIZE_F32: {
      int to_float = op == TS_OP_DEQUANTIZE;
      offset8(&c, FIELD(ts_affine_record, params) + FIELD(ts_affine_params, zero_point), "zero point");
      check_unary(&c, FIELD(ts_affine_record, size), FIELD(ts_affine_record, input), FIELD(ts_affine_record, output),
                  to_float ? 1 : 4, to_float ? 1 : 4, to_float ? 4 : 1, to_float ? 4 : 1);
      break;
    }
    case TS_OP_MEAN:
      check_mean(&c);
      break;
    case TS_OP_GATHER_VIEW:
      check_gather(&c);
      break;
    case TS_OP_PAD:
      check_pad(&c);
      break;
    case TS_OP_CONCATENATION:
      check_concat(&c);
      break;
    case TS_OP_COPY:
      check_copy(&c);
      break;
    case TS_OP_SIGNAL_WINDOW:
      check_signal_window(&c);
      break;
    case TS_OP_SIGNAL_FFT_AUTO_SCALE:
      check_signal_fft_auto_scale(&c);
      break;
    case TS_OP_SIGNAL_RFFT:
      check_signal_rfft(&c);
      break;
    case TS_OP_SIGNAL_ENERGY:
      check_signal_energy(&c);
      break;
    case TS_OP_SIGNAL_FILTER_BANK:
      check_signal_filter_bank(&c);
      break;
    case TS_OP_SIGNAL_FILTER_BANK_SQRT:
      check_signal_filter_bank_sqrt(&c);
      break;
    case TS_OP_SIGNAL_SPECTRAL_SUBTRACTION:
      check_signal_spectral_subtraction(&c);
      break;
    case TS_OP_SIGNAL_PCAN:
      check_signal_pcan(&c);
      break;
    case TS_OP_SIGNAL_FILTER_BANK_LOG:
      check_signal_filter_bank_log(&c);
      break;
    case TS_OP_CAST:
      check_cast(&c);
      break;
    case TS_OP_ELEMENTWISE_S32:
      check_elementwise_s32(&c);
      break;
    default:
      bad(&c, "unknown op code");
  }
  return c.failed ? -1 : 0;
}
