/*
 * harness.c: runs the JerryScript glue's native handlers without a
 * JavaScript engine, on the fake JerryScript API of fake_jerry.c (a test
 * double), with a fake board (HAL) defined here. Driven by
 * test/jerryscript/glue.test.ts.
 *
 *   harness selftest PACK          argument checks, allocator, flash, memory,
 *                                  sensors; prints "ok - ..." / "not ok - ..."
 *   harness check CASES            ts_check_record on each case of CASES
 *                                  (u32 count, then per case u32 pack bytes,
 *                                  u32 record offset, u32 arena bytes, the
 *                                  pack padded to 4); prints "ok" or
 *                                  "reject <message>" per case
 *   harness run PACK ARENA_IN ARENA_OUT
 *                                  every op of PACK through tinysense.invoke
 *                                  and through ts_invoke directly, on two
 *                                  copies of ARENA_IN; fails on the first
 *                                  byte that differs; writes the final arena
 *   harness stream PACK FRAMES_PER_RESET INPUTS OUTPUTS
 *                                  INPUTS is frames of input 0's bytes: each
 *                                  goes into a zeroed arena kept across
 *                                  frames (the state region zeroed every
 *                                  FRAMES_PER_RESET frames), then every op
 *                                  runs as in `run`; writes output 0 of
 *                                  every frame
 *
 * Linked with -Wl,--wrap=ts_invoke so every kernel call the glue makes is
 * counted, against either the real kernels or stub_kernels.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_jerry.h"
#include "tinysense_jerry.h"
#include "tinysense_nn.h"
#include "tinysense_record_check.h"
#include "tinysense_timers.h"

/* ---- kernel call counting -------------------------------------------------- */

int32_t __real_ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack);
int32_t __wrap_ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack);

static int kernel_calls;
static const int32_t *last_record;
static uint8_t *last_arena;
static const uint8_t *last_pack;

int32_t __wrap_ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  kernel_calls++;
  last_record = record;
  last_arena = arena;
  last_pack = pack;
  return __real_ts_invoke(record, arena, pack);
}

#ifdef STUB_KERNELS
extern int32_t stub_status;
#endif

/* ---- results ---------------------------------------------------------------- */

static int passed, failed;

static void result(int ok, const char *name, const char *detail) {
  if (ok) {
    passed++;
    printf("ok - %s\n", name);
  } else {
    failed++;
    printf("not ok - %s: %s\n", name, detail);
  }
}

/* ---- fake board ------------------------------------------------------------- */

static int hal_live, hal_allocs, hal_frees, hal_fail;
static void *hal_last_freed;

static void *hal_alloc(void *ctx, uint32_t bytes) {
  void *p;
  (void)ctx;
  if (hal_fail) return NULL;
  p = aligned_alloc(16, (bytes + 15) / 16 * 16);
  if (p != NULL) {
    hal_live++;
    hal_allocs++;
  }
  return p;
}

static void hal_free(void *ctx, void *ptr, uint32_t bytes) {
  (void)ctx;
  (void)bytes;
  hal_live--;
  hal_frees++;
  hal_last_freed = ptr;
  free(ptr);
}

static int32_t hal_native_free(void *ctx) {
  (void)ctx;
  return 100000;
}

static int32_t hal_native_largest(void *ctx) {
  (void)ctx;
  return 65536;
}

static uint32_t flash_words[64];

static int32_t hal_flash_map(void *ctx, const char *name, const uint8_t **data, uint32_t *bytes) {
  (void)ctx;
  if (strcmp(name, "model") != 0) return -1;
  *data = (const uint8_t *)flash_words;
  *bytes = sizeof flash_words;
  return 0;
}

/* I2C: a LIS3DH at 0x18 and an MPU-6050 at 0x68, as register files. */
static uint8_t lis_regs[256], mpu_regs[256];

static int32_t hal_i2c(void *ctx, uint8_t address, const uint8_t *w, uint32_t wn, uint8_t *r, uint32_t rn) {
  uint8_t *regs = address == 0x18 ? lis_regs : address == 0x68 ? mpu_regs : NULL;
  uint32_t i, reg;
  (void)ctx;
  if (regs == NULL || wn < 1) return -1;
  reg = address == 0x18 ? (w[0] & 0x7fu) : w[0];
  if (wn == 2 && rn == 0) {
    regs[reg] = w[1];
    return 0;
  }
  for (i = 0; i < rn; i++) r[i] = regs[(reg + i) & 0xff];
  return (int32_t)rn;
}

static uint32_t mic_rate;
static int mic_running;

static int32_t hal_mic_start(void *ctx, uint32_t rate) {
  (void)ctx;
  mic_rate = rate;
  mic_running = 1;
  return 0;
}

static int32_t hal_mic_read(void *ctx, int16_t *samples, uint32_t count, uint32_t timeout) {
  uint32_t i;
  (void)ctx;
  (void)timeout;
  if (!mic_running) return -1;
  for (i = 0; i < count; i++) samples[i] = (int16_t)(i * 50 - 1000);
  return (int32_t)count;
}

static int32_t hal_mic_stop(void *ctx) {
  (void)ctx;
  mic_running = 0;
  return 0;
}

static int32_t hal_camera(void *ctx, uint8_t *gray, uint32_t w, uint32_t h, uint32_t timeout) {
  uint32_t i;
  (void)ctx;
  (void)timeout;
  for (i = 0; i < w * h; i++) gray[i] = (uint8_t)(i * 7);
  return 0;
}

static tinysense_hal full_hal = {NULL, hal_alloc, hal_free, hal_native_free, hal_native_largest, hal_flash_map,
                                 hal_i2c, hal_mic_start, hal_mic_read, hal_mic_stop, hal_camera};
static tinysense_hal bare_hal = {NULL, hal_alloc, hal_free, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

/* ---- calling the natives ------------------------------------------------------ */

/* The function at "a.b.c" under the global `tinysense`, or NULL. */
static jerry_external_handler_t native(const char *path) {
  jerry_value_t object = fake_property(fake_global(), "tinysense");
  char part[64];
  const char *p = path;
  while (object != 0) {
    size_t n = strcspn(p, ".");
    memcpy(part, p, n);
    part[n] = '\0';
    object = fake_property(object, part);
    if (p[n] == '\0') return object == 0 ? NULL : fake_handler(object);
    p += n + 1;
  }
  return NULL;
}

static jerry_value_t call(const char *path, const jerry_value_t *args, jerry_length_t argc) {
  jerry_external_handler_t h = native(path);
  jerry_call_info_t info;
  if (h == NULL) {
    fprintf(stderr, "harness: no native %s\n", path);
    exit(2);
  }
  memset(&info, 0, sizeof info);
  return h(&info, args, argc);
}

/* A typed array of `type` over a copy of `bytes` bytes of src (NULL: zeros),
 * starting `shift` bytes into a fresh ArrayBuffer. */
static jerry_value_t typed(jerry_typedarray_type_t type, const void *src, uint32_t bytes, uint32_t shift) {
  jerry_value_t buffer = fake_arraybuffer(bytes + shift);
  jerry_value_t array = fake_typedarray(type, buffer, shift, bytes);
  uint8_t *data = fake_typedarray_data(array, NULL, NULL);
  if (src != NULL) memcpy(data, src, bytes);
  jerry_value_free(buffer);
  return array;
}

static void free_all(jerry_value_t *v, int n) {
  int i;
  for (i = 0; i < n; i++) jerry_value_free(v[i]);
}

/* Expects an exception of `type` whose message contains `part`, and no kernel call. */
static void expect_throw(const char *name, jerry_value_t r, jerry_error_t type, const char *part, int calls_before) {
  char detail[400];
  jerry_error_t got = fake_exception_type(r);
  if (got == JERRY_ERROR_NONE) {
    result(0, name, "did not throw");
  } else if (got != type) {
    snprintf(detail, sizeof detail, "threw error type %d, expected %d (%s)", (int)got, (int)type, fake_exception_message(r));
    result(0, name, detail);
  } else if (strstr(fake_exception_message(r), part) == NULL) {
    snprintf(detail, sizeof detail, "message \"%s\" lacks \"%s\"", fake_exception_message(r), part);
    result(0, name, detail);
  } else if (kernel_calls != calls_before) {
    result(0, name, "a kernel ran although the call threw");
  } else {
    result(1, name, "");
  }
  jerry_value_free(r);
}

static void expect_number(const char *name, jerry_value_t r, double want) {
  char detail[400];
  if (fake_exception_type(r) != JERRY_ERROR_NONE) {
    snprintf(detail, sizeof detail, "threw: %s", fake_exception_message(r));
    result(0, name, detail);
  } else if (!jerry_value_is_number(r) || jerry_value_as_number(r) != want) {
    snprintf(detail, sizeof detail, "returned %g, expected %g", jerry_value_is_number(r) ? jerry_value_as_number(r) : -1e300,
             want);
    result(0, name, detail);
  } else {
    result(1, name, "");
  }
  jerry_value_free(r);
}

static uint8_t *read_file(const char *path, uint32_t *bytes) {
  FILE *f = fopen(path, "rb");
  long n;
  uint8_t *data;
  if (f == NULL) {
    fprintf(stderr, "harness: cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = (uint8_t *)aligned_alloc(16, ((size_t)n + 16) / 16 * 16);
  if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "harness: cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  *bytes = (uint32_t)n;
  return data;
}

static uint32_t u32(const uint8_t *b, uint32_t at) {
  return (uint32_t)b[at] | ((uint32_t)b[at + 1] << 8) | ((uint32_t)b[at + 2] << 16) | ((uint32_t)b[at + 3] << 24);
}

static uint32_t crc_ref(const uint8_t *data, uint32_t n) {
  uint32_t crc = 0xffffffffu, i;
  int k;
  for (i = 0; i < n; i++) {
    crc ^= data[i];
    for (k = 0; k < 8; k++) crc = (crc & 1u) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
  }
  return ~crc;
}

static void init_or_die(const tinysense_hal *hal) {
  tinysense_jerry_config config;
  config.hal = hal;
  config.native_threshold = 256;
  if (tinysense_jerry_init(&config) != 0) {
    fprintf(stderr, "harness: tinysense_jerry_init failed\n");
    exit(2);
  }
}


/* ---- timers ------------------------------------------------------------------ */

static uint32_t clock_ms;
static int calls_a, calls_b, errors_seen;
static jerry_value_t self_clear_id;

static uint32_t fake_now(void) { return clock_ms; }

static void on_error(jerry_value_t exception) {
  (void)exception;
  errors_seen++;
}

static jerry_value_t callback_a(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info;
  (void)args;
  (void)argc;
  calls_a++;
  return jerry_undefined();
}

/* Counts, throws on its third call, clears its own interval on its fourth. */
static jerry_value_t callback_b(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  jerry_external_handler_t clear = fake_handler(fake_property(fake_global(), "clearInterval"));
  jerry_value_t r;
  (void)info;
  (void)args;
  (void)argc;
  calls_b++;
  if (calls_b == 3) return jerry_throw_sz(JERRY_ERROR_COMMON, "callback failed");
  if (calls_b == 4) {
    r = clear(info, &self_clear_id, 1);
    jerry_value_free(r);
  }
  return jerry_undefined();
}

static jerry_value_t global_call(const char *name, const jerry_value_t *args, jerry_length_t argc) {
  jerry_value_t fn = fake_property(fake_global(), name);
  jerry_call_info_t info;
  memset(&info, 0, sizeof info);
  if (fn == 0) {
    fprintf(stderr, "harness: no global %s\n", name);
    exit(2);
  }
  return fake_handler(fn)(&info, args, argc);
}

static void test_timers(void) {
  jerry_value_t a = jerry_function_external(callback_a), b = jerry_function_external(callback_b), args[2], id_a;
  int calls = kernel_calls, i, wait;
  clock_ms = 0xfffffff0u; /* the clock wraps during the test */
  result(tinysense_timers_init(fake_now, on_error) == 0, "timers_init defines the timer globals", "failed");
  result(tinysense_timers_run() == -1, "no timers: run() returns -1", "wrong");
  args[0] = a;
  args[1] = jerry_number(100);
  id_a = global_call("setTimeout", args, 2);
  result(jerry_value_is_number(id_a), "setTimeout returns an id", "not a number");
  jerry_value_free(args[1]);
  args[0] = b;
  args[1] = jerry_number(30);
  self_clear_id = global_call("setInterval", args, 2);
  jerry_value_free(args[1]);
  clock_ms += 20;
  wait = tinysense_timers_run();
  result(calls_a == 0 && calls_b == 0 && wait == 10, "nothing runs early; run() says 10 ms to the next", "wrong");
  clock_ms += 10;
  tinysense_timers_run();
  clock_ms += 30;
  tinysense_timers_run();
  result(calls_b == 2 && calls_a == 0, "setInterval(30) ran at 30 and 60 ms across the clock wrap", "wrong count");
  clock_ms += 40;
  tinysense_timers_run();
  result(calls_a == 1 && calls_b == 3 && errors_seen == 1,
         "setTimeout(100) ran once at 100 ms; a throwing callback goes to on_error", "wrong");
  clock_ms += 30;
  tinysense_timers_run();
  clock_ms += 300;
  wait = tinysense_timers_run();
  result(calls_b == 4 && calls_a == 1 && wait == -1, "an interval that clears itself stops; the timeout does not repeat",
         "wrong");
  jerry_value_free(self_clear_id);
  args[0] = a;
  args[1] = jerry_number(10);
  for (i = 0; i < TINYSENSE_MAX_TIMERS; i++) jerry_value_free(global_call("setTimeout", args, 2));
  expect_throw("one timer more than TINYSENSE_MAX_TIMERS", global_call("setTimeout", args, 2), JERRY_ERROR_RANGE,
               "too many pending timers", calls);
  jerry_value_free(args[1]);
  tinysense_timers_cleanup();
  result(tinysense_timers_run() == -1, "cleanup drops every pending timer", "still pending");
  args[0] = jerry_number(5);
  expect_throw("setTimeout(5)", global_call("setTimeout", args, 1), JERRY_ERROR_TYPE, "callback must be a function",
               calls);
  jerry_value_free(args[0]);
  jerry_value_free(id_a);
  jerry_value_free(a);
  jerry_value_free(b);
}

/* ---- selftest ---------------------------------------------------------------- */

static void test_registration(void) {
  const char *names[] = {"invoke", "checksum", "preprocess", "allocate", "aligned", "flash", "memory",
                         "sensors.accel.open", "sensors.accel.read", "sensors.mic.start", "sensors.mic.read",
                         "sensors.mic.stop", "sensors.camera.capture"};
  jerry_value_t tinysense = fake_property(fake_global(), "tinysense");
  jerry_value_t version = tinysense ? fake_property(tinysense, "version") : 0;
  size_t i;
  int all = tinysense != 0;
  for (i = 0; i < sizeof names / sizeof names[0]; i++) all &= native(names[i]) != NULL;
  result(all, "init defines tinysense with every native of a full board", "a native is missing");
  result(version != 0 && jerry_value_is_string(version), "tinysense.version is a string", "missing");
  {
    tinysense_jerry_config none;
    tinysense_hal no_alloc = bare_hal;
    no_alloc.alloc = NULL;
    none.hal = &no_alloc;
    none.native_threshold = 256;
    result(tinysense_jerry_init(NULL) == -1 && tinysense_jerry_init(&none) == -1, "init refuses a missing HAL or allocator",
           "accepted");
  }
}

static void test_invoke(const uint8_t *pack_bytes, uint32_t pack_len) {
  uint32_t arena_bytes = u32(pack_bytes, 16), op_count = u32(pack_bytes, 24), op_table = u32(pack_bytes, 28);
  uint32_t rec = u32(pack_bytes, op_table); /* the first record */
  jerry_value_t pack = typed(JERRY_TYPEDARRAY_UINT8, pack_bytes, pack_len, 0);
  jerry_value_t arena = typed(JERRY_TYPEDARRAY_INT8, NULL, arena_bytes, 0);
  jerry_value_t args[3], v[8];
  int calls;
  uint32_t i;
  char name[160];

  /* Every record of the pack runs, with the right pointers. */
  for (i = 0; i < op_count; i++) {
    uint32_t r = u32(pack_bytes, op_table + 4 * i);
    args[0] = pack;
    args[1] = jerry_number(r);
    args[2] = arena;
    calls = kernel_calls;
    snprintf(name, sizeof name, "invoke runs op %u (record at %u)", (unsigned)i, (unsigned)r);
    expect_number(name, call("invoke", args, 3), 0);
    result(kernel_calls == calls + 1 && last_pack == fake_typedarray_data(pack, NULL, NULL) &&
               last_arena == fake_typedarray_data(arena, NULL, NULL) && (const uint8_t *)last_record == last_pack + r,
           "invoke hands ts_invoke pack + offset, arena, pack", "wrong pointers");
    jerry_value_free(args[1]);
  }

#ifdef STUB_KERNELS
  stub_status = -2;
  args[0] = pack;
  args[1] = jerry_number(rec);
  args[2] = arena;
  expect_number("invoke returns the kernel's status", call("invoke", args, 3), -2);
  jerry_value_free(args[1]);
  stub_status = 0;
#endif

  /* invokeOps: every record in one call, each checked and run through ts_invoke; a range outside the
   * op table is refused before any kernel runs. */
  {
    jerry_value_t ops_args[4];
    ops_args[0] = pack;
    ops_args[1] = arena;
    ops_args[2] = jerry_number(0);
    ops_args[3] = jerry_number(op_count);
    calls = kernel_calls;
    expect_number("invokeOps runs every record", call("invokeOps", ops_args, 4), 0);
    result(kernel_calls == calls + (int)op_count, "invokeOps calls ts_invoke once per record", "wrong count");
    jerry_value_free(ops_args[3]);
    ops_args[3] = jerry_number(op_count + 1);
    calls = kernel_calls;
    expect_throw("invokeOps past the op table", call("invokeOps", ops_args, 4), JERRY_ERROR_RANGE, "are not all among the pack's", calls);
    jerry_value_free(ops_args[3]);
#ifdef STUB_KERNELS
    /* A kernel's status comes back with the op: -(i * 256 + -status). */
    stub_status = -2;
    ops_args[3] = jerry_number(op_count);
    expect_number("invokeOps reports op 0 and its status", call("invokeOps", ops_args, 4), -2);
    jerry_value_free(ops_args[3]);
    jerry_value_free(ops_args[2]);
    ops_args[2] = jerry_number(op_count - 1);
    ops_args[3] = jerry_number(1);
    expect_number("invokeOps reports the last op and its status", call("invokeOps", ops_args, 4), -(double)((op_count - 1) * 256 + 2));
    jerry_value_free(ops_args[3]);
    stub_status = 0;
#endif
    jerry_value_free(ops_args[2]);
  }

  /* Argument count and types. */
  calls = kernel_calls;
  expect_throw("invoke() with no arguments", call("invoke", args, 0), JERRY_ERROR_TYPE, "pack must be", calls);
  args[0] = pack;
  args[1] = jerry_number(rec);
  expect_throw("invoke(pack, offset) without arena", call("invoke", args, 2), JERRY_ERROR_TYPE, "arena must be", calls);
  jerry_value_free(args[1]);

  v[0] = jerry_number(4096);
  v[1] = jerry_number(rec);
  args[0] = v[0];
  args[1] = v[1];
  args[2] = arena;
  expect_throw("invoke with a number as pack", call("invoke", args, 3), JERRY_ERROR_TYPE, "pack must be a Uint8Array",
               calls);
  free_all(v, 2);

  {
    static const struct {
      jerry_typedarray_type_t type;
      const char *name;
    } wrong[] = {{JERRY_TYPEDARRAY_INT16, "Int16Array"},      {JERRY_TYPEDARRAY_UINT8CLAMPED, "Uint8ClampedArray"},
                 {JERRY_TYPEDARRAY_INT32, "Int32Array"},      {JERRY_TYPEDARRAY_FLOAT32, "Float32Array"},
                 {JERRY_TYPEDARRAY_BIGINT64, "BigInt64Array"}};
    size_t k;
    for (k = 0; k < sizeof wrong / sizeof wrong[0]; k++) {
      jerry_value_t bad = typed(wrong[k].type, pack_bytes, pack_len, 0);
      v[0] = jerry_number(rec);
      args[0] = bad;
      args[1] = v[0];
      args[2] = arena;
      snprintf(name, sizeof name, "invoke with an %s pack", wrong[k].name);
      expect_throw(name, call("invoke", args, 3), JERRY_ERROR_TYPE, "pack must be a Uint8Array or Int8Array", calls);
      args[0] = pack;
      args[2] = bad;
      snprintf(name, sizeof name, "invoke with an %s arena", wrong[k].name);
      expect_throw(name, call("invoke", args, 3), JERRY_ERROR_TYPE, "arena must be a Uint8Array or Int8Array", calls);
      jerry_value_free(bad);
      jerry_value_free(v[0]);
    }
  }

  /* Record offsets. */
  {
    struct {
      double value;
      jerry_error_t type;
      const char *part;
      const char *name;
    } offsets[] = {
        {-4, JERRY_ERROR_RANGE, "recordOffset must be an integer", "invoke with a negative offset"},
        {1.5, JERRY_ERROR_RANGE, "recordOffset must be an integer", "invoke with a fractional offset"},
        {0, JERRY_ERROR_RANGE, "recordOffset must be an integer", "invoke with a NaN offset"},
        {4294967296.0, JERRY_ERROR_RANGE, "recordOffset must be an integer", "invoke with an offset of 2^32"},
        {0, JERRY_ERROR_RANGE, "not 4-aligned inside the pack", "invoke with offset 0 (the header)"},
        {0, JERRY_ERROR_RANGE, "not 4-aligned inside the pack", "invoke with a misaligned offset"},
        {0, JERRY_ERROR_RANGE, "not 4-aligned inside the pack", "invoke with an offset past the pack"},
        {0, JERRY_ERROR_RANGE, "op record at", "invoke with an offset inside a record"},
    };
    size_t k;
    offsets[2].value = NAN;
    offsets[5].value = rec + 2;
    offsets[6].value = pack_len;
    offsets[7].value = rec + 4;
    for (k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
      v[0] = jerry_number(offsets[k].value);
      args[0] = pack;
      args[1] = v[0];
      args[2] = arena;
      expect_throw(offsets[k].name, call("invoke", args, 3), offsets[k].type, offsets[k].part, calls);
      jerry_value_free(v[0]);
    }
    v[0] = fake_string("64");
    args[1] = v[0];
    expect_throw("invoke with a string offset", call("invoke", args, 3), JERRY_ERROR_TYPE, "recordOffset", calls);
    jerry_value_free(v[0]);
  }

  /* Pointers: alignment, overlap, detached and corrupt views. */
  v[0] = jerry_number(rec);
  v[1] = typed(JERRY_TYPEDARRAY_UINT8, pack_bytes, pack_len, 1);
  args[0] = v[1];
  args[1] = v[0];
  args[2] = arena;
  expect_throw("invoke with a pack that is not 4-aligned", call("invoke", args, 3), JERRY_ERROR_RANGE,
               "pack's first byte is not 4-byte aligned", calls);
  v[2] = typed(JERRY_TYPEDARRAY_INT8, NULL, arena_bytes, 2);
  args[0] = pack;
  args[2] = v[2];
  expect_throw("invoke with an arena that is not 8-aligned", call("invoke", args, 3), JERRY_ERROR_RANGE,
               "arena's first byte is not 8-byte aligned", calls);
  args[2] = pack;
  expect_throw("invoke with the pack as arena", call("invoke", args, 3), JERRY_ERROR_RANGE, "overlaps", calls);
  v[3] = typed(JERRY_TYPEDARRAY_INT8, NULL, u32(pack_bytes + rec, 4 * 7), 0); /* ends where the output starts */
  args[2] = v[3];
  expect_throw("invoke with an arena too small for the record's output", call("invoke", args, 3), JERRY_ERROR_RANGE, "outside", calls);
  v[4] = typed(JERRY_TYPEDARRAY_UINT8, pack_bytes, pack_len - 4, 0);
  args[0] = v[4];
  args[2] = arena;
  expect_throw("invoke with a truncated pack", call("invoke", args, 3), JERRY_ERROR_RANGE, "the pack header says", calls);
  {
    jerry_value_t buffer = fake_arraybuffer(pack_len);
    jerry_value_t corrupt = fake_typedarray(JERRY_TYPEDARRAY_UINT8, buffer, 8, pack_len);
    args[0] = corrupt;
    expect_throw("invoke with a view past its ArrayBuffer", call("invoke", args, 3), JERRY_ERROR_RANGE, "ArrayBuffer",
                 calls);
    jerry_value_free(corrupt);
    corrupt = fake_typedarray(JERRY_TYPEDARRAY_UINT8, buffer, 0, pack_len);
    fake_detach(buffer);
    args[0] = corrupt;
    expect_throw("invoke with a detached pack", call("invoke", args, 3), JERRY_ERROR_TYPE, "no memory", calls);
    jerry_value_free(corrupt);
    jerry_value_free(buffer);
  }
  free_all(v, 5);

  /* A corrupted record in an otherwise valid pack: the C check catches what validate.ts would. */
  {
    uint8_t *copy = (uint8_t *)malloc(pack_len);
    jerry_value_t bad;
    memcpy(copy, pack_bytes, pack_len);
    /* Word 2 of the first record is its first operand (input/output): point it far away. */
    copy[rec + 8] = 0x00;
    copy[rec + 9] = 0x00;
    copy[rec + 10] = 0x10;
    copy[rec + 11] = 0x00;
    bad = typed(JERRY_TYPEDARRAY_UINT8, copy, pack_len, 0);
    v[0] = jerry_number(rec);
    args[0] = bad;
    args[1] = v[0];
    args[2] = arena;
    expect_throw("invoke with an operand offset far outside the arena", call("invoke", args, 3), JERRY_ERROR_RANGE,
                 "outside", calls);
    jerry_value_free(bad);
    jerry_value_free(v[0]);
    free(copy);
  }
  jerry_value_free(pack);
  jerry_value_free(arena);
}

static void test_checksum(const uint8_t *pack_bytes, uint32_t pack_len) {
  jerry_value_t data = typed(JERRY_TYPEDARRAY_UINT8, pack_bytes, pack_len, 0), args[3];
  int calls = kernel_calls;
  args[0] = data;
  args[1] = jerry_number(16);
  args[2] = jerry_number(pack_len - 16);
  expect_number("checksum of the pack after its CRC field equals the header's CRC", call("checksum", args, 3),
                (double)u32(pack_bytes, 12));
  jerry_value_free(args[2]);
  args[2] = jerry_number(100);
  expect_number("checksum of a slice equals a bitwise CRC-32", call("checksum", args, 3),
                (double)crc_ref(pack_bytes + 16, 100));
  jerry_value_free(args[2]);
  args[2] = jerry_number(pack_len - 15);
  expect_throw("checksum past the end", call("checksum", args, 3), JERRY_ERROR_RANGE, "length must be", calls);
  jerry_value_free(args[2]);
  jerry_value_free(args[1]);
  args[1] = jerry_number(pack_len + 1);
  args[2] = jerry_number(0);
  expect_throw("checksum from past the end", call("checksum", args, 3), JERRY_ERROR_RANGE, "offset must be", calls);
  jerry_value_free(args[1]);
  args[1] = jerry_number(pack_len);
  expect_number("checksum of nothing is 0", call("checksum", args, 3), 0);
  jerry_value_free(args[1]);
  jerry_value_free(args[2]);
  jerry_value_free(data);
}

/* tinysense.preprocess(params, src, srcOffset, dst, arg): every argument checked before ts_preprocess
 * (the stub, reached once for the good call); the header's byte counts must fit the arrays. */
static void test_preprocess(void) {
  int32_t header[16] = {1, 832, 64, 64};
  uint8_t params_bytes[832], frame[64], out[64];
  jerry_value_t args[5], params, src, dst, short_dst, not_bytes;
  int calls;
  memset(params_bytes, 0, sizeof params_bytes);
  memcpy(params_bytes, header, sizeof header);
  memset(frame, 7, sizeof frame);
  memset(out, 0, sizeof out);
  params = typed(JERRY_TYPEDARRAY_UINT8, params_bytes, sizeof params_bytes, 0);
  src = typed(JERRY_TYPEDARRAY_UINT8, frame, sizeof frame, 0);
  dst = typed(JERRY_TYPEDARRAY_INT8, out, sizeof out, 0);
  short_dst = typed(JERRY_TYPEDARRAY_INT8, out, 63, 0);
  not_bytes = typed(JERRY_TYPEDARRAY_INT32, out, 64, 0);
  args[0] = params;
  args[1] = src;
  args[2] = jerry_number(0);
  args[3] = dst;
  args[4] = jerry_number(0);
  expect_number("preprocess with fitting arrays reaches ts_preprocess and returns its status", call("preprocess", args, 5), 0);
  calls = kernel_calls;
  args[3] = short_dst;
  expect_throw("preprocess into a dst shorter than the params state", call("preprocess", args, 5), JERRY_ERROR_RANGE,
               "dst holds fewer bytes", calls);
  args[3] = dst;
  args[1] = not_bytes;
  expect_throw("preprocess from an Int32Array", call("preprocess", args, 5), JERRY_ERROR_TYPE,
               "src must be a Uint8Array, Int8Array, Int16Array or Float32Array", calls);
  args[1] = src;
  jerry_value_free(args[2]);
  args[2] = jerry_number(1);
  expect_throw("preprocess from an offset that leaves too few bytes", call("preprocess", args, 5), JERRY_ERROR_RANGE,
               "src holds fewer bytes from srcOffset", calls);
  jerry_value_free(args[2]);
  args[2] = jerry_number(0);
  args[0] = src;
  expect_throw("preprocess with params shorter than 16 bytes... or than their header", call("preprocess", args, 5),
               JERRY_ERROR_RANGE, "params", calls);
  jerry_value_free(args[2]);
  jerry_value_free(args[4]);
  jerry_value_free(params);
  jerry_value_free(src);
  jerry_value_free(dst);
  jerry_value_free(short_dst);
  jerry_value_free(not_bytes);
}

static void test_memory_natives(void) {
  jerry_value_t args[2], r;
  uint32_t bytes, i;
  uint8_t *data;
  int ok, live_before = hal_live, calls = kernel_calls, value = -1;

  args[0] = jerry_number(1000);
  r = call("allocate", args, 1);
  data = fake_exception_type(r) == JERRY_ERROR_NONE ? fake_typedarray_data(r, &bytes, NULL) : NULL;
  ok = data != NULL && bytes == 1000 && ((uintptr_t)data & 3u) == 0 && hal_live == live_before + 1;
  for (i = 0; ok && i < bytes; i++) ok = data[i] == 0;
  result(ok, "allocate(1000) is a zeroed, 4-aligned Uint8Array in native memory", "wrong buffer");
  jerry_value_free(r);
  result(hal_live == live_before && hal_last_freed == data, "a freed allocate() buffer goes back through hal->free",
         "not freed");
  jerry_value_free(args[0]);

  args[0] = jerry_number(0);
  r = call("allocate", args, 1);
  result(fake_exception_type(r) == JERRY_ERROR_NONE && fake_typedarray_data(r, &bytes, NULL) != NULL && bytes == 0,
         "allocate(0) is an empty Uint8Array", "wrong");
  jerry_value_free(r);
  jerry_value_free(args[0]);

  args[0] = jerry_number(-1);
  expect_throw("allocate(-1)", call("allocate", args, 1), JERRY_ERROR_RANGE, "bytes must be", calls);
  jerry_value_free(args[0]);
  args[0] = jerry_number(2147483648.0);
  expect_throw("allocate(2^31)", call("allocate", args, 1), JERRY_ERROR_RANGE, "bytes must be", calls);
  jerry_value_free(args[0]);
  hal_fail = 1;
  args[0] = jerry_number(5000);
  expect_throw("allocate when the board is out of memory", call("allocate", args, 1), JERRY_ERROR_RANGE,
               "cannot allocate 5000 bytes of native memory (100000 free, largest block 65536)", calls);
  jerry_value_free(args[0]);
  hal_fail = 0;

  /* The ArrayBuffer allocator: large buffers from the HAL, small ones in the engine heap. */
  {
    jerry_value_t big = fake_arraybuffer(10000), small = fake_arraybuffer(100);
    result(hal_live == live_before + 1, "an ArrayBuffer above the threshold takes native memory", "not native");
    jerry_value_free(big);
    jerry_value_free(small);
    result(hal_live == live_before, "it is released through hal->free", "leaked");
    hal_fail = 1;
    big = fake_arraybuffer(10000);
    result(hal_live == live_before && fake_heap_blocks() == 1,
           "when native memory is exhausted the buffer falls back to the engine heap", "no fallback");
    hal_fail = 0;
    jerry_value_free(big);
    result(fake_heap_blocks() == 0, "and is released with jerry_heap_free", "leaked");
  }

  /* Flash. */
  args[0] = fake_string("model");
  r = call("flash", args, 1);
  data = fake_exception_type(r) == JERRY_ERROR_NONE ? fake_typedarray_data(r, &bytes, NULL) : NULL;
  result(data == (uint8_t *)flash_words && bytes == sizeof flash_words,
         "flash(\"model\") views the mapped region in place (no copy)", "copied or missing");
  {
    int frees = hal_frees;
    jerry_value_free(r);
    result(hal_frees == frees, "releasing a flash view frees nothing", "freed flash");
  }
  jerry_value_free(args[0]);
  args[0] = fake_string("nothing");
  r = call("flash", args, 1);
  result(fake_is_undefined(r), "flash(unknown name) is undefined", "not undefined");
  jerry_value_free(r);
  jerry_value_free(args[0]);
  args[0] = jerry_number(1);
  expect_throw("flash(1)", call("flash", args, 1), JERRY_ERROR_TYPE, "name must be a string", calls);
  jerry_value_free(args[0]);
  args[0] = fake_string("a-name-that-is-much-too-long-for-flash");
  expect_throw("flash(40-byte name)", call("flash", args, 1), JERRY_ERROR_RANGE, "1 to 31 bytes", calls);
  jerry_value_free(args[0]);

  /* aligned() */
  args[0] = typed(JERRY_TYPEDARRAY_UINT8, NULL, 64, 0);
  r = call("aligned", args, 1);
  result(fake_is_boolean(r, &value) && value == 1, "aligned(view at 0) is true", "wrong");
  jerry_value_free(r);
  jerry_value_free(args[0]);
  args[0] = typed(JERRY_TYPEDARRAY_INT8, NULL, 64, 3);
  r = call("aligned", args, 1);
  result(fake_is_boolean(r, &value) && value == 0, "aligned(view at 3) is false", "wrong");
  jerry_value_free(r);
  jerry_value_free(args[0]);

  /* memory() */
  r = call("memory", args, 0);
  {
    const char *fields[] = {"jsHeapSize", "jsHeapUsed", "jsHeapPeak", "nativeFree", "nativeLargest"};
    size_t k;
    ok = fake_is_object(r);
    for (k = 0; ok && k < 5; k++) {
      jerry_value_t f = fake_property(r, fields[k]);
      ok = f != 0 && jerry_value_is_number(f);
    }
    ok = ok && jerry_value_as_number(fake_property(r, "jsHeapSize")) == 20480 &&
         jerry_value_as_number(fake_property(r, "nativeFree")) == 100000;
  }
  result(ok, "memory() reports the engine heap and native memory", "wrong object");
  jerry_value_free(r);
}

static void test_sensors(void) {
  jerry_value_t args[4], into, r;
  int16_t *s;
  int calls = kernel_calls;
  int8_t *frame;
  uint32_t i;
  int ok;

  args[0] = typed(JERRY_TYPEDARRAY_INT16, NULL, 6, 0);
  args[1] = jerry_number(0);
  expect_throw("accel.read before open", call("sensors.accel.read", args, 2), JERRY_ERROR_COMMON, "open() first", calls);
  free_all(args, 2);

  /* LIS3DH at 0x18, +-4 g, 100 Hz; x = 500 digits, y = -250 (left-justified 12-bit). */
  memset(lis_regs, 0, sizeof lis_regs);
  lis_regs[0x0f] = 0x33;
  lis_regs[0x28] = (uint8_t)(8000 & 0xff);
  lis_regs[0x29] = (uint8_t)(8000 >> 8);
  lis_regs[0x2a] = (uint8_t)((uint16_t)-4000 & 0xff);
  lis_regs[0x2b] = (uint8_t)((uint16_t)-4000 >> 8);
  args[0] = fake_string("lis3dh");
  args[1] = jerry_number(0x18);
  args[2] = jerry_number(4);
  args[3] = jerry_number(100);
  r = call("sensors.accel.open", args, 4);
  result(fake_exception_type(r) == JERRY_ERROR_NONE && lis_regs[0x20] == 0x57 && lis_regs[0x23] == 0x98,
         "accel.open(lis3dh, 0x18, 4 g, 100 Hz) writes CTRL_REG1 = 0x57, CTRL_REG4 = 0x98", "wrong registers");
  jerry_value_free(r);
  into = typed(JERRY_TYPEDARRAY_INT16, NULL, 12, 0);
  {
    jerry_value_t a[2];
    a[0] = into;
    a[1] = jerry_number(1);
    r = call("sensors.accel.read", a, 2);
    s = (int16_t *)(void *)fake_typedarray_data(into, NULL, NULL);
    result(fake_exception_type(r) == JERRY_ERROR_NONE && s[3] == 1000 && s[4] == -500 && s[5] == 0 && s[0] == 0,
           "accel.read(into, 1) writes x, y, z in milli-g at into[3..5]", "wrong values");
    jerry_value_free(r);
    jerry_value_free(a[1]);
    a[1] = jerry_number(2);
    expect_throw("accel.read past the end of into", call("sensors.accel.read", a, 2), JERRY_ERROR_RANGE,
                 "index must be", calls);
    jerry_value_free(a[1]);
  }
  jerry_value_free(into);
  free_all(args, 4);

  /* MPU-6050 at 0x68, +-2 g, 100 Hz. */
  memset(mpu_regs, 0, sizeof mpu_regs);
  mpu_regs[0x75] = 0x68;
  mpu_regs[0x6b] = 0x40;
  mpu_regs[0x3b] = 0x40; /* 16384 */
  mpu_regs[0x3d] = 0xe0; /* -8192 */
  mpu_regs[0x3f] = 0x10; /* 4096 */
  args[0] = fake_string("mpu6050");
  args[1] = jerry_number(0x68);
  args[2] = jerry_number(2);
  args[3] = jerry_number(100);
  r = call("sensors.accel.open", args, 4);
  result(fake_exception_type(r) == JERRY_ERROR_NONE && mpu_regs[0x6b] == 0 && mpu_regs[0x1a] == 3 &&
             mpu_regs[0x19] == 9 && mpu_regs[0x1c] == 0,
         "accel.open(mpu6050, 0x68, 2 g, 100 Hz) wakes it and sets DLPF, divider 9, full scale", "wrong registers");
  jerry_value_free(r);
  into = typed(JERRY_TYPEDARRAY_INT16, NULL, 6, 0);
  {
    jerry_value_t a[2];
    a[0] = into;
    a[1] = jerry_number(0);
    r = call("sensors.accel.read", a, 2);
    s = (int16_t *)(void *)fake_typedarray_data(into, NULL, NULL);
    result(fake_exception_type(r) == JERRY_ERROR_NONE && s[0] == 1000 && s[1] == -500 && s[2] == 250,
           "accel.read converts MPU-6050 big-endian counts to milli-g", "wrong values");
    jerry_value_free(r);
    jerry_value_free(a[1]);
  }
  jerry_value_free(into);
  free_all(args, 4);

  args[0] = fake_string("lis3dh");
  args[1] = jerry_number(0x68); /* the MPU answers WHO_AM_I 0x0f with 0 */
  args[2] = jerry_number(2);
  args[3] = jerry_number(100);
  expect_throw("accel.open of the wrong chip", call("sensors.accel.open", args, 4), JERRY_ERROR_COMMON,
               "not a LIS3DH", calls);
  jerry_value_free(args[1]);
  args[1] = jerry_number(0x30);
  expect_throw("accel.open with nothing at the address", call("sensors.accel.open", args, 4), JERRY_ERROR_COMMON,
               "no answer", calls);
  jerry_value_free(args[2]);
  args[2] = jerry_number(3);
  expect_throw("accel.open with a 3 g range", call("sensors.accel.open", args, 4), JERRY_ERROR_RANGE, "rangeG", calls);
  free_all(args, 4);
  args[0] = fake_string("bmi160");
  expect_throw("accel.open of an unknown chip", call("sensors.accel.open", args, 1), JERRY_ERROR_TYPE, "chip must be",
               calls);
  jerry_value_free(args[0]);

  /* Microphone. */
  args[0] = jerry_number(16000);
  r = call("sensors.mic.start", args, 1);
  result(fake_exception_type(r) == JERRY_ERROR_NONE && mic_rate == 16000 && mic_running, "mic.start(16000)", "failed");
  jerry_value_free(r);
  jerry_value_free(args[0]);
  args[0] = typed(JERRY_TYPEDARRAY_INT16, NULL, 960, 0);
  args[1] = jerry_number(100);
  r = call("sensors.mic.read", args, 2);
  s = (int16_t *)(void *)fake_typedarray_data(args[0], NULL, NULL);
  result(jerry_value_is_number(r) && jerry_value_as_number(r) == 480 && s[0] == -1000 && s[479] == 22950,
         "mic.read(Int16Array(480), 100) returns 480 samples", "wrong");
  jerry_value_free(r);
  jerry_value_free(args[0]);
  args[0] = typed(JERRY_TYPEDARRAY_INT8, NULL, 480, 0);
  expect_throw("mic.read into an Int8Array", call("sensors.mic.read", args, 2), JERRY_ERROR_TYPE, "Int16Array", calls);
  free_all(args, 2);
  args[0] = jerry_number(1000);
  expect_throw("mic.start(1000 Hz)", call("sensors.mic.start", args, 1), JERRY_ERROR_RANGE, "sampleRate", calls);
  jerry_value_free(args[0]);
  r = call("sensors.mic.stop", args, 0);
  result(!mic_running, "mic.stop()", "still running");
  jerry_value_free(r);

  /* Camera. */
  args[0] = typed(JERRY_TYPEDARRAY_INT8, NULL, 96 * 96, 0);
  args[1] = jerry_number(96);
  args[2] = jerry_number(96);
  r = call("sensors.camera.capture", args, 3);
  frame = (int8_t *)fake_typedarray_data(args[0], NULL, NULL);
  ok = fake_exception_type(r) == JERRY_ERROR_NONE;
  for (i = 0; ok && i < 96 * 96; i++) ok = frame[i] == (int8_t)((uint8_t)(i * 7) - 128);
  result(ok, "camera.capture(Int8Array, 96, 96) stores gray - 128", "wrong pixels");
  jerry_value_free(r);
  jerry_value_free(args[2]);
  args[2] = jerry_number(95);
  expect_throw("camera.capture with a buffer of the wrong size", call("sensors.camera.capture", args, 3),
               JERRY_ERROR_RANGE, "width x height", calls);
  free_all(args, 3);
}

static int selftest(const char *pack_path) {
  uint32_t pack_len;
  uint8_t *pack = read_file(pack_path, &pack_len);
  int baseline, hal_baseline;

  init_or_die(&full_hal);
  /* The timer globals hold four function values for good. */
  if (tinysense_timers_init(fake_now, on_error) != 0) return 2;
  baseline = fake_live_values();
  hal_baseline = hal_live;
  test_registration();
  test_invoke(pack, pack_len);
  test_checksum(pack, pack_len);
  test_preprocess();
  test_memory_natives();
  test_sensors();
  test_timers();
  {
    char detail[120];
    snprintf(detail, sizeof detail, "%d values still live, %d at the start", fake_live_values(), baseline);
    result(fake_live_values() == baseline, "the natives released every value they made or were given", detail);
    result(hal_live == hal_baseline && fake_heap_blocks() == 0, "no native or engine-heap memory leaked", "leak");
  }
  /* A board without sensors or flash: those natives are absent, the rest work. */
  init_or_die(&bare_hal);
  {
    jerry_value_t args[1], r;
    result(native("sensors.accel.open") == NULL && native("sensors.mic.read") == NULL &&
               native("sensors.camera.capture") == NULL && native("invoke") != NULL,
           "a board without sensors has no tinysense.sensors.* natives", "present");
    args[0] = fake_string("model");
    r = call("flash", args, 1);
    result(fake_is_undefined(r), "flash() on a board without mapped flash is undefined", "not undefined");
    jerry_value_free(r);
    jerry_value_free(args[0]);
    r = call("memory", args, 0);
    result(jerry_value_as_number(fake_property(r, "nativeFree")) == -1, "memory() reports -1 for what the HAL cannot tell",
           "wrong");
    jerry_value_free(r);
  }
  free(pack);
  printf("selftest: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

/* ---- check: ts_check_record on many cases ----------------------------------- */

static int check(const char *path) {
  uint32_t bytes, at = 4, count, i;
  uint8_t *all = read_file(path, &bytes);
  count = u32(all, 0);
  for (i = 0; i < count; i++) {
    uint32_t pack_len = u32(all, at), record = u32(all, at + 4), arena = u32(all, at + 8);
    char text[256];
    ts_msg m;
    uint8_t *pack = (uint8_t *)aligned_alloc(16, (pack_len + 16) / 16 * 16);
    memcpy(pack, all + at + 12, pack_len);
    ts_msg_init(&m, text, sizeof text);
    if (ts_check_record(pack, pack_len, record, arena, &m) == 0) {
      printf("ok\n");
    } else {
      printf("reject %s\n", text);
    }
    free(pack);
    at += 12 + (pack_len + 3) / 4 * 4;
  }
  free(all);
  return 0;
}

/* ---- run: every op through the glue and directly --------------------------- */

/*
 * Runs the record at `rec` through the glue (tinysense.invoke on `pack`/`arena`) and directly
 * (ts_invoke on `direct`), then compares the two results and the two arenas. `where` names the step
 * in the messages. Returns 0 when they agree (the status both gave in *status), 1 otherwise.
 */
static int invoke_both(const char *where, jerry_value_t pack, jerry_value_t arena, const uint8_t *pack_bytes, uint32_t rec,
                       uint8_t *direct, const uint8_t *glue_arena, uint32_t arena_len, int32_t *status) {
  int32_t want = __real_ts_invoke((const int32_t *)(const void *)(pack_bytes + rec), direct, pack_bytes);
  jerry_value_t args[3], r;
  uint32_t k;
  args[0] = pack;
  args[1] = jerry_number(rec);
  args[2] = arena;
  r = call("invoke", args, 3);
  jerry_value_free(args[1]);
  if (fake_exception_type(r) != JERRY_ERROR_NONE) {
    printf("%s threw: %s\n", where, fake_exception_message(r));
    return 1;
  }
  if (jerry_value_as_number(r) != want) {
    printf("%s returned %g, ts_invoke %d\n", where, jerry_value_as_number(r), (int)want);
    return 1;
  }
  jerry_value_free(r);
  for (k = 0; k < arena_len; k++) {
    if (glue_arena[k] != direct[k]) {
      printf("%s: afterwards the arenas differ at byte %u\n", where, (unsigned)k);
      return 1;
    }
  }
  *status = want;
  return 0;
}

static int run(const char *pack_path, const char *arena_in, const char *arena_out) {
  uint32_t pack_len, arena_len, i;
  uint8_t *pack_bytes = read_file(pack_path, &pack_len);
  uint8_t *arena_bytes = read_file(arena_in, &arena_len);
  uint8_t *direct = (uint8_t *)aligned_alloc(16, (arena_len + 16) / 16 * 16);
  uint32_t op_count = u32(pack_bytes, 24), op_table = u32(pack_bytes, 28);
  jerry_value_t pack, arena;
  uint8_t *glue_arena;
  FILE *out;

  init_or_die(&full_hal);
  pack = typed(JERRY_TYPEDARRAY_UINT8, pack_bytes, pack_len, 0);
  arena = typed(JERRY_TYPEDARRAY_INT8, arena_bytes, arena_len, 0);
  glue_arena = fake_typedarray_data(arena, NULL, NULL);
  memcpy(direct, arena_bytes, arena_len);
  for (i = 0; i < op_count; i++) {
    char where[32];
    int32_t status;
    snprintf(where, sizeof where, "run: op %u", (unsigned)i);
    if (invoke_both(where, pack, arena, pack_bytes, u32(pack_bytes, op_table + 4 * i), direct, glue_arena, arena_len, &status)) return 1;
  }
  out = fopen(arena_out, "wb");
  if (out == NULL || fwrite(glue_arena, 1, arena_len, out) != arena_len) return 2;
  fclose(out);
  printf("run: %u ops, arenas identical\n", (unsigned)op_count);
  jerry_value_free(pack);
  jerry_value_free(arena);
  free(pack_bytes);
  free(arena_bytes);
  free(direct);
  return 0;
}

/* ---- stream: frames through the glue, the arena kept across frames ---------- */

/* Offset and bytes of tensor-table entry `index`. */
static void tensor_at(const uint8_t *pack, uint32_t index, uint32_t *offset, uint32_t *bytes) {
  uint32_t entry = u32(pack, 36) + 44u * index;
  *offset = u32(pack, entry + 4);
  *bytes = u32(pack, entry + 8);
}

static int stream(const char *pack_path, const char *per_reset_text, const char *inputs_path, const char *outputs_path) {
  uint32_t pack_len, inputs_len, i, frame, frames;
  uint8_t *pack_bytes = read_file(pack_path, &pack_len);
  uint8_t *inputs = read_file(inputs_path, &inputs_len);
  uint32_t arena_len = u32(pack_bytes, 16), op_count = u32(pack_bytes, 24), op_table = u32(pack_bytes, 28);
  uint32_t in_at, in_bytes, out_at, out_bytes, state_at = 0, state_bytes = 0;
  long per_reset = strtol(per_reset_text, NULL, 10);
  uint8_t *direct = (uint8_t *)aligned_alloc(16, (arena_len + 16) / 16 * 16);
  jerry_value_t pack, arena;
  uint8_t *glue_arena;
  FILE *out = fopen(outputs_path, "wb");

  tensor_at(pack_bytes, u32(pack_bytes, u32(pack_bytes, 44)), &in_at, &in_bytes);
  tensor_at(pack_bytes, u32(pack_bytes, u32(pack_bytes, 52)), &out_at, &out_bytes);
  if (u32(pack_bytes, 20) & 1u) tensor_at(pack_bytes, u32(pack_bytes, 32) - 1, &state_at, &state_bytes);
  if (out == NULL || per_reset < 1 || in_bytes == 0 || inputs_len % in_bytes != 0) {
    fprintf(stderr, "harness: bad stream arguments\n");
    return 2;
  }
  frames = inputs_len / in_bytes;
  init_or_die(&full_hal);
  pack = typed(JERRY_TYPEDARRAY_UINT8, pack_bytes, pack_len, 0);
  arena = typed(JERRY_TYPEDARRAY_INT8, NULL, arena_len, 0);
  glue_arena = fake_typedarray_data(arena, NULL, NULL);
  memset(direct, 0, arena_len);
  for (frame = 0; frame < frames; frame++) {
    /* A new recording: zero the state region, as device/state.ts resetState() does. */
    if (frame % (uint32_t)per_reset == 0) {
      memset(glue_arena + state_at, 0, state_bytes);
      memset(direct + state_at, 0, state_bytes);
    }
    memcpy(glue_arena + in_at, inputs + frame * in_bytes, in_bytes);
    memcpy(direct + in_at, inputs + frame * in_bytes, in_bytes);
    for (i = 0; i < op_count; i++) {
      char where[48];
      int32_t status;
      snprintf(where, sizeof where, "stream: frame %u op %u", (unsigned)frame, (unsigned)i);
      if (invoke_both(where, pack, arena, pack_bytes, u32(pack_bytes, op_table + 4 * i), direct, glue_arena, arena_len, &status)) return 1;
      if (status != 0) {
        printf("%s returned %d\n", where, (int)status);
        return 1;
      }
    }
    if (fwrite(glue_arena + out_at, 1, out_bytes, out) != out_bytes) return 2;
  }
  fclose(out);
  printf("stream: %u frames x %u ops, arenas identical\n", (unsigned)frames, (unsigned)op_count);
  jerry_value_free(pack);
  jerry_value_free(arena);
  free(pack_bytes);
  free(inputs);
  free(direct);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 3 && strcmp(argv[1], "selftest") == 0) return selftest(argv[2]);
  if (argc == 3 && strcmp(argv[1], "check") == 0) return check(argv[2]);
  if (argc == 5 && strcmp(argv[1], "run") == 0) return run(argv[2], argv[3], argv[4]);
  if (argc == 6 && strcmp(argv[1], "stream") == 0) return stream(argv[2], argv[3], argv[4], argv[5]);
  fprintf(stderr, "usage: harness selftest PACK | check CASES | run PACK ARENA_IN ARENA_OUT | stream PACK FRAMES_PER_RESET INPUTS OUTPUTS\n");
  return 2;
}
