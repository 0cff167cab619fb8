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

/* ---- the rule programs ---------------------------------------------------- */

/*
 * The rules of every op code are the op spec's (kernels-c/spec/ops.json), compiled by scripts/gen-ops.mjs
 * into one program per op code (tinysense_record_rules.h); run_rules() below interprets them, as
 * device/record-checks.ts holds the same rules, translated from these strings to TypeScript. Values are int64 with saturation where
 * validate.ts uses doubles: both compare the same quantities against the same int32 bounds, and both
 * stop at the first rule that fails, with the same message.
 */
#include "tinysense_record_rules.h"

typedef struct {
  const uint8_t *pack;
  const int32_t *w; /* the record's words */
  int64_t const_lo, const_hi, arena_bytes;
  /* The pack's state region (header flags bit 0), arena bytes [state_lo, state_hi); has_state 0 without one. */
  int has_state;
  int64_t state_lo, state_hi;
  ts_msg *why;
  int failed;
  const char *code; /* the program */
  int32_t pc;
  int64_t vars[TS_RULES_MAX_VARS];
} checker;

#define FIELD(type, member) ((int32_t)(offsetof(type, member) / 4))

static int64_t f(const checker *c, int64_t field) { return c->w[field]; }

static int32_t pack_i32(const checker *c, int64_t at) {
  const uint8_t *b = c->pack + at;
  return (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24));
}

/* A little-endian int16 of the pack (signal op constants), validate.ts i16(). */
static int32_t pack_i16(const checker *c, int64_t at) {
  const uint8_t *b = c->pack + at;
  return (int32_t)(int16_t)(uint16_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8));
}

/* Starts the message of the first failure; 0 when one was already recorded (say nothing more). */
static int fail(checker *c) {
  if (c->failed) return 0;
  c->failed = 1;
  return 1;
}

static void bad(checker *c, const char *what) {
  if (fail(c)) ts_msg_str(c->why, what);
}

static int32_t next(checker *c) { return (int32_t)(unsigned char)c->code[c->pc++] - 32; }

static int64_t num(checker *c) {
  int32_t v = next(c);
  if (v < TS_RULES_LITERAL_MAX) return v;
  return ts_rules_pool[(v - TS_RULES_LITERAL_MAX) * 95 + next(c)];
}

static const char *str(checker *c) {
  int32_t k = next(c) * 95;
  return ts_rules_strings[k + next(c)];
}

static int64_t sat_sub(int64_t a, int64_t b) { return sat_add(a, -clamp(b)); }

static int64_t expr(checker *c) {
  int32_t e = next(c);
  int64_t a, b;
  switch (e) {
    case TS_E_NUM: return num(c);
    case TS_E_FIELD: return f(c, num(c));
    case TS_E_VAR: return c->vars[num(c)];
    case TS_E_BUILTIN:
      switch (num(c)) {
        case 0: return c->arena_bytes + (c->const_hi - c->const_lo);
        case 1: return c->has_state;
        case 2: return c->has_state ? c->state_lo : 0;
        default: return c->has_state ? c->state_hi : 0;
      }
    case TS_E_NEG: return -clamp(expr(c));
    case TS_E_NOT: return !expr(c);
    case TS_E_PROD: {
      /* The product; its non-zero factors must multiply to at most 2^31-1 even beside a 0 (kernels compute
       * strides from them before any loop runs). Factors are dims, checked >= 0 by earlier rules. */
      int64_t n = num(c), p = 1, q = 1, i;
      for (i = 0; i < n; i++) {
        int64_t d = expr(c);
        p = sat_mul(p, d);
        if (d != 0) q = sat_mul(q, d);
      }
      if (q > INT32_MAX_ && fail(c)) {
        ts_msg_str(c->why, "tensor of ");
        ts_msg_int(c->why, q);
        ts_msg_str(c->why, " elements is too large");
      }
      return p;
    }
    case TS_E_LOG2: {
      int64_t v = expr(c), bits = 0;
      while (v > 1) {
        v >>= 1;
        bits++;
      }
      return bits;
    }
    case TS_E_TABLE: {
      int64_t t = num(c);
      a = expr(c);
      return a >= 0 && a < ts_rules_table_sizes[t] ? ts_rules_tables[t][a] : 0;
    }
    case TS_E_SEL: {
      int64_t cond = expr(c);
      a = expr(c);
      b = expr(c);
      return cond ? a : b;
    }
    default: break;
  }
  a = expr(c);
  b = expr(c);
  switch (e) {
    case TS_E_ADD: return sat_add(a, b);
    case TS_E_SUB: return sat_sub(a, b);
    case TS_E_MUL: return sat_mul(a, b);
    /* Division and remainder truncate; by 0 they give 0 (rules check divisors first). */
    case TS_E_DIV: return b != 0 ? a / b : 0;
    case TS_E_MOD: return b != 0 ? a % b : 0;
    case TS_E_BAND: return a & b;
    case TS_E_EQ: return a == b;
    case TS_E_NE: return a != b;
    case TS_E_LT: return a < b;
    case TS_E_LE: return a <= b;
    case TS_E_GT: return a > b;
    case TS_E_GE: return a >= b;
    case TS_E_AND: return a && b;
    case TS_E_OR: return a || b;
    case TS_E_MIN: return a < b ? a : b;
    case TS_E_MAX: return a > b ? a : b;
    default: bad(c, "rule program: unknown expression"); return 0;
  }
}

/* Reads a message (text pieces and expressions); writes it when `say`. */
static void message(checker *c, int say) {
  int64_t n = num(c), i;
  for (i = 0; i < n; i++) {
    if (next(c)) {
      int64_t v = expr(c);
      if (say) ts_msg_int(c->why, v);
    } else {
      const char *s = str(c);
      if (say) ts_msg_str(c->why, s);
    }
  }
}

/* `bytes` bytes at the offset in `field`, among the pack's constants or in the arena. */
static void operand(checker *c, int64_t field, int in_pack, int64_t bytes, int64_t align, const char *what) {
  int64_t at = f(c, field);
  int64_t lo = in_pack ? c->const_lo : 0;
  int64_t hi = in_pack ? c->const_hi : c->arena_bytes;
  if (c->failed) return;
  if (bytes > INT32_MAX_ || at < lo || sat_add(at, bytes) > hi) {
    fail(c);
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
  if (align > 0 && at % align != 0 && fail(c)) {
    ts_msg_str(c->why, what);
    ts_msg_str(c->why, " at offset ");
    ts_msg_int(c->why, at);
    ts_msg_str(c->why, " is not ");
    ts_msg_int(c->why, align);
    ts_msg_str(c->why, "-byte aligned");
  }
}

/* validate.ts flag(): 0 or 1. */
static int flag(checker *c, int64_t field, const char *what, int64_t index) {
  int64_t v = f(c, field);
  if (v != 0 && v != 1 && fail(c)) {
    ts_msg_str(c->why, what);
    if (index >= 0) {
      ts_msg_int(c->why, index);
      ts_msg_str(c->why, " in pack");
    }
    ts_msg_str(c->why, " flag is ");
    ts_msg_int(c->why, v);
  }
  return v == 1;
}

/*
 * The work bound of a loop nest (trips outermost first): a loop of 0 trips must not sit inside loops that
 * run more than the arena and constant bytes in all (the kernel would spin on nothing). `name` gives loop
 * k's name.
 */
static void loops(checker *c, const int64_t *trips, const char *const *names, int n) {
  int64_t p = 1, budget = c->arena_bytes + (c->const_hi - c->const_lo);
  int k;
  for (k = 0; k < n; k++) {
    if (trips[k] == 0) {
      if (p > budget && fail(c)) {
        ts_msg_str(c->why, names[k]);
        ts_msg_str(c->why, " is 0 inside loops of ");
        ts_msg_int(c->why, p);
        ts_msg_str(c->why, " trips");
      }
      return;
    }
    p = sat_mul(p, trips[k]);
  }
}

/*
 * validate.ts viewSpan(): checks the (summed) views at `fields` and gives how many elements they walk
 * (*count) and how many elements the buffer they read must hold (*span: the highest element reached plus
 * one; 0 for a walk of no elements). Every index the kernel forms (each step times its dim - 1, or 0 for an
 * empty dim) must lie in [0, 2^31-1], empty walk or not.
 */
static void view_span(checker *c, const int64_t *fields, int nviews, const char *what, int64_t *count, int64_t *span) {
  int64_t lo = 0, hi = 0, nonzero = 1;
  int v, k, empty = 0;
  *count = 0;
  *span = 0;
  for (v = 0; v < nviews; v++) {
    int64_t base = fields[v];
    lo = sat_add(lo, f(c, base + FIELD(ts_view, start)));
    hi = sat_add(hi, f(c, base + FIELD(ts_view, start)));
    for (k = 0; k < TS_MAX_DIMS; k++) {
      int64_t d = f(c, base + FIELD(ts_view, dims) + k);
      int64_t s = f(c, base + FIELD(ts_view, step) + k);
      if (d < 0) {
        if (fail(c)) {
          ts_msg_str(c->why, what);
          ts_msg_str(c->why, " dim ");
          ts_msg_int(c->why, k);
          ts_msg_str(c->why, " is ");
          ts_msg_int(c->why, d);
        }
        return;
      }
      if (d == 0) empty = 1;
      else nonzero = sat_mul(nonzero, d);
      if (s >= 0) hi = sat_add(hi, sat_mul(s, d > 0 ? d - 1 : 0));
      else lo = sat_add(lo, sat_mul(s, d > 0 ? d - 1 : 0));
    }
  }
  if (nonzero > INT32_MAX_) {
    if (fail(c)) {
      ts_msg_str(c->why, what);
      ts_msg_str(c->why, " has ");
      ts_msg_int(c->why, nonzero);
      ts_msg_str(c->why, " elements");
    }
    return;
  }
  if (lo < 0 || hi > INT32_MAX_) {
    if (fail(c)) {
      ts_msg_str(c->why, what);
      ts_msg_str(c->why, " reaches elements ");
      ts_msg_int(c->why, lo);
      ts_msg_str(c->why, "..");
      ts_msg_int(c->why, hi);
    }
    return;
  }
  *count = empty ? 0 : nonzero;
  *span = empty ? 0 : hi + 1;
}

/* Hand-written rules: what the rule language does not express. */

/* CONCATENATION's inputs, a variable number of entries after the fixed record; returns the output row bytes. */
static int64_t concat_inputs(checker *c) {
  static const char *const names[2] = {"outer size", "an input's row bytes"};
  int64_t outer = f(c, FIELD(ts_concat_record, outer_size)), row_total = 0;
  int32_t j, inputs = c->w[FIELD(ts_concat_record, input_count)];
  for (j = 0; j < inputs && !c->failed; j++) {
    int64_t entry = TS_CONCAT_RECORD_WORDS + (int64_t)j * TS_CONCAT_INPUT_WORDS, trips[2], q;
    int64_t row_bytes = f(c, entry + FIELD(ts_concat_input, row_bytes));
    int in_pack;
    char name[40];
    ts_msg n;
    if (row_bytes < 0) {
      if (fail(c)) {
        ts_msg_str(c->why, "input ");
        ts_msg_int(c->why, j);
        ts_msg_str(c->why, " row bytes is ");
        ts_msg_int(c->why, row_bytes);
      }
      return 0;
    }
    row_total += row_bytes;
    in_pack = flag(c, entry + FIELD(ts_concat_input, in_pack), "input ", j);
    q = outer != 0 && row_bytes != 0 ? sat_mul(outer, row_bytes) : (outer > row_bytes ? outer : row_bytes);
    if (q > INT32_MAX_ && fail(c)) {
      ts_msg_str(c->why, "tensor of ");
      ts_msg_int(c->why, q);
      ts_msg_str(c->why, " elements is too large");
    }
    ts_msg_init(&n, name, sizeof name);
    ts_msg_str(&n, "input ");
    ts_msg_int(&n, j);
    operand(c, entry + FIELD(ts_concat_input, input), in_pack, sat_mul(outer, row_bytes), 1, name);
    trips[0] = outer;
    trips[1] = row_bytes;
    if (!c->failed) {
      const char *loop_names[2];
      char row_name[40];
      ts_msg r;
      ts_msg_init(&r, row_name, sizeof row_name);
      ts_msg_str(&r, "input ");
      ts_msg_int(&r, j);
      ts_msg_str(&r, " row bytes");
      loop_names[0] = names[0];
      loop_names[1] = row_name;
      loops(c, trips, loop_names, 2);
    }
  }
  return row_total;
}

/*
 * SIGNAL_FILTER_BANK's channel tables, int16 values among the constants (checked to lie there by the rules
 * before): each channel's reach must stay inside the input and the weights. Returns the reads.
 */
static int64_t filter_bank_channels(checker *c) {
  int64_t channels = f(c, FIELD(ts_signal_filter_bank_record, num_channels)), ch, reads = 0;
  int64_t bins = f(c, FIELD(ts_signal_filter_bank_record, num_bins));
  int64_t weights = f(c, FIELD(ts_signal_filter_bank_record, num_weights));
  for (ch = 0; ch <= channels; ch++) {
    int64_t width = pack_i16(c, f(c, FIELD(ts_signal_filter_bank_record, widths)) + 2 * ch);
    int64_t freq_start = pack_i16(c, f(c, FIELD(ts_signal_filter_bank_record, freq_starts)) + 2 * ch);
    int64_t weight_start = pack_i16(c, f(c, FIELD(ts_signal_filter_bank_record, weight_starts)) + 2 * ch);
    if (width < 0 || freq_start < 0 || weight_start < 0 || freq_start + width > bins || weight_start + width > weights) {
      if (fail(c)) {
        ts_msg_str(c->why, "channel ");
        ts_msg_int(c->why, ch);
        ts_msg_str(c->why, " reaches outside the input or the weights");
      }
      return 0;
    }
    reads += width + 1;
  }
  return reads;
}

/* Runs the program of the record's op code; the first rule that fails writes the message. */
static void run_rules(checker *c, const char *code) {
  int64_t end = 0;
  while (code[end] != '\0') end++;
  c->code = code;
  c->pc = 0;
  while (c->pc < end && !c->failed) {
    int32_t s = next(c);
    switch (s) {
      case TS_S_LET: {
        int64_t slot = num(c);
        c->vars[slot] = expr(c);
        break;
      }
      case TS_S_CHECK: {
        int64_t ok = expr(c);
        if (c->failed) return;
        if (!ok) {
          fail(c);
          message(c, 1);
          return;
        }
        message(c, 0);
        break;
      }
      case TS_S_OPERAND: {
        /* Modes: 0 arena, 1 constant, 2 where the flag expression says, 3 optional constant (-1: none). */
        int32_t mode = next(c);
        int64_t field = num(c), bytes, align;
        int in_pack = mode == 2 ? expr(c) == 1 : mode != 0;
        const char *what;
        bytes = expr(c);
        align = expr(c);
        what = str(c);
        if (mode != 3 || f(c, field) != -1) operand(c, field, in_pack, bytes, align, what);
        break;
      }
      case TS_S_VIEW: {
        int64_t views[2], n = num(c), k, count, span;
        const char *what;
        for (k = 0; k < n; k++) views[k < 2 ? k : 1] = num(c);
        what = str(c);
        view_span(c, views, (int)(n < 2 ? n : 2), what, &count, &span);
        c->vars[num(c)] = count;
        c->vars[num(c)] = span;
        break;
      }
      case TS_S_LOOPS: {
        int64_t trips[2 * TS_MAX_DIMS], n = num(c), k;
        const char *names[2 * TS_MAX_DIMS];
        for (k = 0; k < n; k++) {
          int64_t t = expr(c);
          const char *name = str(c);
          if (k < 2 * TS_MAX_DIMS) {
            trips[k] = t;
            names[k] = name;
          }
        }
        if (!c->failed) loops(c, trips, names, (int)(n < 2 * TS_MAX_DIMS ? n : 2 * TS_MAX_DIMS));
        break;
      }
      case TS_S_SHIFTS: {
        /* Per-channel shifts, read from the constants (the shifts operand's rule came before). */
        int64_t at = f(c, num(c)), channels = expr(c), k;
        for (k = 0; k < channels && !c->failed; k++) {
          int32_t sh = pack_i32(c, at + 4 * k);
          if ((sh < -31 || sh > 30) && fail(c)) {
            ts_msg_str(c->why, "shift of channel ");
            ts_msg_int(c->why, k);
            ts_msg_str(c->why, " is ");
            ts_msg_int(c->why, sh);
            ts_msg_str(c->why, ", outside [-31, 30]");
          }
        }
        break;
      }
      case TS_S_WORK:
        /* The work is validate.ts's (the pack's declared total); nothing here needs it. */
        return;
      case TS_S_CUSTOM: {
        int64_t hook = num(c);
        int64_t slot = num(c);
        c->vars[slot] = hook == 0 ? concat_inputs(c) : filter_bank_channels(c);
        break;
      }
      default:
        bad(c, "rule program: unknown statement");
        return;
    }
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
  expected = op >= 0 && op < TS_RULES_OPS && ts_rules_programs[op] != NULL ? ts_rules_words[op] : -1;
  if (expected < 0) {
    ts_msg_str(why, "unknown op code ");
    ts_msg_int(why, op);
    return -1;
  }
  /* Hand-written: CONCATENATION's length depends on a field (variable-length record). */
  if (op == TS_OP_CONCATENATION) {
    int32_t count;
    if ((uint64_t)record + 4u * (uint32_t)TS_CONCAT_RECORD_WORDS > declared) {
      ts_msg_str(why, "record runs past the end of the pack");
      return -1;
    }
    count = c.w[FIELD(ts_concat_record, input_count)];
    if (count < 1 || count > 1024) {
      ts_msg_str(why, "bad input count ");
      ts_msg_int(why, count);
      return -1;
    }
    expected = TS_CONCAT_RECORD_WORDS + count * TS_CONCAT_INPUT_WORDS;
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
  run_rules(&c, ts_rules_programs[op]);
  return c.failed ? -1 : 0;
}
