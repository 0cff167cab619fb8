/*
 * fuzz_glue.c: libFuzzer target over the JerryScript glue's natives
 * (kernels-c/jerryscript/tinysense_jerry.c) on the stand-in engine
 * (test/jerryscript/fake_jerry.c, a test double of the JerryScript v3 API).
 *
 * Input: a 16-byte script of argument choices, then a model pack (the corpus
 * is seeded with packs compiled from models/, scripts/fuzz.js).
 * Each run starts a fresh fake engine, installs the natives on a fake board,
 * and calls them with arguments the script picks: invoke(pack, recordOffset,
 * arena) over every record of the op table with views of any typed-array
 * type, offset and length (including views past their buffer, detached
 * buffers, an arena overlapping the pack, a flash-mapped pack, non-number
 * offsets), then checksum, allocate, aligned, flash, memory and the sensors
 * with script-chosen arguments, and writes through a flash view. A native
 * must return a value or throw; ASan/UBSan catch the rest, and a flash write
 * that is not refused hits the read-only mapping (a crash). Records run
 * within FUZZ_MAX_WORK (fuzz_work.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fake_jerry.h"
#include "fuzz_work.h"
#include "tinysense_jerry.h"
#include "tinysense_nn.h"

int32_t __real_ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack);
int32_t __wrap_ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack);

/* The glue checked the record; heavy ones are not run (a device's work budget). */
int32_t __wrap_ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  if (!fuzz_allow(record)) return 0;
  return __real_ts_invoke(record, arena, pack);
}

/* ---- a fake board ---------------------------------------------------------- */

static void *hal_alloc(void *ctx, uint32_t bytes) {
  (void)ctx;
  if (bytes > (8u << 20)) return NULL;
  return aligned_alloc(16, (bytes + 15) / 16 * 16 + 16);
}

static void hal_free(void *ctx, void *ptr, uint32_t bytes) {
  (void)ctx;
  (void)bytes;
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

/* "model": the input's pack in a read-only page mapping (flash). */
static uint8_t *flash_page;
static size_t flash_bytes;

static int32_t hal_flash_map(void *ctx, const char *name, const uint8_t **data, uint32_t *bytes) {
  (void)ctx;
  if (strcmp(name, "model") != 0 || flash_page == NULL) return -1;
  *data = flash_page;
  *bytes = (uint32_t)flash_bytes;
  return 0;
}

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

static int mic_running;

static int32_t hal_mic_start(void *ctx, uint32_t rate) {
  (void)ctx;
  (void)rate;
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

static const tinysense_hal hal = {NULL, hal_alloc, hal_free, hal_native_free, hal_native_largest, hal_flash_map,
                                  hal_i2c, hal_mic_start, hal_mic_read, hal_mic_stop, hal_camera};

/* ---- calling ---------------------------------------------------------------- */

/* The function at "a.b" under the global `tinysense`, or NULL. */
static jerry_external_handler_t native(const char *a, const char *b) {
  jerry_value_t t = fake_property(fake_global(), "tinysense"), v;
  if (t == 0) return NULL;
  v = fake_property(t, a);
  if (v != 0 && b != NULL) v = fake_property(v, b);
  return v == 0 ? NULL : fake_handler(v);
}

/* Calls a native; it must return a value or an exception, which is released. */
static void call(jerry_external_handler_t h, jerry_value_t *args, jerry_length_t argc) {
  jerry_value_t r;
  if (h == NULL) return;
  r = h(NULL, args, argc);
  if (r == 0) abort();
  jerry_value_free(r);
}

/* Script byte k (0 past the end). */
static uint8_t s8(const uint8_t *script, size_t n, size_t k) { return k < n ? script[k] : 0; }

static const jerry_typedarray_type_t types[] = {JERRY_TYPEDARRAY_UINT8, JERRY_TYPEDARRAY_INT8,
                                                JERRY_TYPEDARRAY_UINT8, JERRY_TYPEDARRAY_INT16,
                                                JERRY_TYPEDARRAY_FLOAT32, JERRY_TYPEDARRAY_UINT8CLAMPED,
                                                JERRY_TYPEDARRAY_UINT8, JERRY_TYPEDARRAY_INT8};

/* A typed array over `buffer` whose type, offset and length the script byte picks (mostly the whole buffer). */
static jerry_value_t view_of(jerry_value_t buffer, uint32_t bytes, uint8_t pick) {
  uint32_t offset = 0, length = bytes;
  jerry_typedarray_type_t type = types[pick & 7];
  switch ((pick >> 3) & 7) {
    case 1: offset = bytes >= 4 ? 4 : 0; length = bytes - offset; break;
    case 2: offset = bytes >= 1 ? 1 : 0; length = bytes - offset; break;
    case 3: length = bytes + 8; break; /* past its buffer */
    case 4: length = bytes / 2; break;
    default: break;
  }
  return fake_typedarray(type, buffer, offset, length);
}

static jerry_value_t number_of(uint8_t pick, uint32_t near) {
  switch (pick & 7) {
    case 0: return jerry_number(near);
    case 1: return jerry_number((double)near + 0.5);
    case 2: return jerry_number(-1);
    case 3: return jerry_number(4294967296.0);
    case 4: return jerry_number(0.0 / 0.0);
    case 5: return fake_string("64");
    case 6: return jerry_undefined();
    default: return jerry_number(near + (pick >> 3));
  }
}

static uint32_t u32_at(const uint8_t *b, uint32_t at) {
  return (uint32_t)b[at] | ((uint32_t)b[at + 1] << 8) | ((uint32_t)b[at + 2] << 16) | ((uint32_t)b[at + 3] << 24);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *script = data, *packbytes;
  size_t n = size < 16 ? size : 16, pack_size;
  tinysense_jerry_config config;
  jerry_value_t packbuf, arenabuf, pack, arena, args[4];
  uint32_t arena_bytes, ops = 0, table = 0, k, pb;
  uint8_t *p;

  if (size > (4u << 20)) return 0;
  packbytes = data + n;
  pack_size = size - n;
  pb = (uint32_t)pack_size & ~3u;

  fuzz_budget = FUZZ_MAX_WORK;
  fake_reset_all();
  fake_reset_allocator();
  config.hal = &hal;
  config.native_threshold = 256;
  if (tinysense_jerry_init(&config) != 0) abort();

  /* The pack: in the JS heap or from the allocator (above the threshold), or flash-mapped. */
  flash_page = NULL;
  flash_bytes = 0;
  if ((s8(script, n, 0) & 3) == 3 && pb > 0) {
    flash_bytes = pb;
    flash_page = (uint8_t *)mmap(NULL, pb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (flash_page == MAP_FAILED) {
      flash_page = NULL;
      return 0;
    }
    memcpy(flash_page, packbytes, pb);
    mprotect(flash_page, pb, PROT_READ);
    args[0] = fake_string("model");
    pack = native("flash", NULL)(NULL, args, 1);
    jerry_value_free(args[0]);
    packbuf = 0;
    if (fake_exception_type(pack) != JERRY_ERROR_NONE || fake_is_undefined(pack)) abort();
    /* Natives that write (camera.capture below, invoke's arena) must refuse this view, not fault. */
  } else {
    packbuf = fake_arraybuffer(pb);
    if (fake_exception_type(packbuf) != JERRY_ERROR_NONE) {
      jerry_value_free(packbuf);
      return 0;
    }
    pack = view_of(packbuf, pb, s8(script, n, 1));
    {
      uint32_t bytes = 0;
      jerry_typedarray_type_t t;
      p = fake_typedarray_data(pack, &bytes, &t);
      (void)t;
      if (p != NULL && bytes > 0) {
        /* The view's bytes are the input's (as far as they reach inside the buffer). */
        jerry_value_t b = packbuf;
        uint32_t whole = jerry_arraybuffer_size(b);
        memcpy(jerry_arraybuffer_data(b), packbytes, whole < pack_size ? whole : pack_size);
      }
    }
  }

  arena_bytes = pb >= 64 ? u32_at(packbytes, 16) : 64;
  if (arena_bytes > (1u << 20)) arena_bytes = 1u << 20;
  if ((s8(script, n, 2) & 7) == 7 && packbuf != 0) {
    arenabuf = jerry_value_copy(packbuf); /* the arena overlaps the pack */
    arena = fake_typedarray(JERRY_TYPEDARRAY_UINT8, arenabuf, 0, pb);
  } else {
    arenabuf = fake_arraybuffer(arena_bytes + (s8(script, n, 2) >> 4));
    if (fake_exception_type(arenabuf) != JERRY_ERROR_NONE) {
      jerry_value_free(arenabuf);
      arenabuf = fake_arraybuffer(8);
    }
    arena = view_of(arenabuf, arena_bytes, s8(script, n, 3));
  }
  if ((s8(script, n, 4) & 15) == 15) fake_detach(arenabuf);

  /* invoke over the op table, or at script-chosen offsets. */
  if (pb >= 64) {
    ops = u32_at(packbytes, 24);
    table = u32_at(packbytes, 28);
  }
  if (ops > 0 && ops <= 256 && table >= 64 && (uint64_t)table + 4ull * ops <= pb) {
    for (k = 0; k < ops; k++) {
      args[0] = pack;
      args[1] = number_of((k == 0 ? s8(script, n, 5) : 0), u32_at(packbytes, table + 4 * k));
      args[2] = arena;
      call(native("invoke", NULL), args, (s8(script, n, 6) & 7) == 7 ? 2 : 3);
      jerry_value_free(args[1]);
    }
  } else {
    for (k = 0; k < 8; k++) {
      args[0] = pack;
      args[1] = number_of(s8(script, n, 5 + k), 64 + 4 * k);
      args[2] = arena;
      call(native("invoke", NULL), args, 3);
      jerry_value_free(args[1]);
    }
  }

  /* The other natives, with script-chosen arguments. */
  args[0] = pack;
  args[1] = number_of(s8(script, n, 7), s8(script, n, 8));
  args[2] = number_of(s8(script, n, 9), pb);
  call(native("checksum", NULL), args, 3);
  jerry_value_free(args[1]);
  jerry_value_free(args[2]);

  args[0] = number_of(s8(script, n, 10), (uint32_t)s8(script, n, 11) << 8);
  call(native("allocate", NULL), args, 1);
  jerry_value_free(args[0]);

  args[0] = (s8(script, n, 10) & 8) ? arena : pack;
  call(native("aligned", NULL), args, 1);
  call(native("memory", NULL), args, 0);

  {
    jerry_value_t t = fake_property(fake_global(), "tinysense"), sensors = t ? fake_property(t, "sensors") : 0;
    jerry_value_t cam = sensors ? fake_property(sensors, "camera") : 0;
    jerry_value_t acc = sensors ? fake_property(sensors, "accel") : 0;
    if (cam) {
      args[0] = (s8(script, n, 12) & 1) ? pack : arena;
      args[1] = number_of(s8(script, n, 12) >> 1, 8);
      args[2] = number_of(s8(script, n, 13), 8);
      call(fake_handler(fake_property(cam, "capture")), args, 3);
      jerry_value_free(args[1]);
      jerry_value_free(args[2]);
    }
    if (acc) {
      args[0] = fake_string((s8(script, n, 14) & 1) ? "mpu6050" : "lis3dh");
      args[1] = number_of(s8(script, n, 14) >> 1, (s8(script, n, 14) & 1) ? 0x68 : 0x18);
      args[2] = number_of(s8(script, n, 15), 2);
      args[3] = jerry_number(100);
      call(fake_handler(fake_property(acc, "open")), args, 4);
      jerry_value_free(args[0]);
      jerry_value_free(args[1]);
      jerry_value_free(args[2]);
      jerry_value_free(args[3]);
      args[0] = (s8(script, n, 15) & 1) ? pack : arena;
      args[1] = jerry_number(0);
      call(fake_handler(fake_property(acc, "read")), args, 2);
      jerry_value_free(args[1]);
    }
  }

  jerry_value_free(pack);
  jerry_value_free(arena);
  if (packbuf != 0) jerry_value_free(packbuf);
  jerry_value_free(arenabuf);
  fake_reset_all();
  if (flash_page != NULL) munmap(flash_page, flash_bytes);
  flash_page = NULL;
  return 0;
}
