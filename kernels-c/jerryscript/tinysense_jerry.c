/*
 * tinysense_jerry.c: the `tinysense` global for JerryScript v3 firmware (see
 * tinysense_jerry.h for the JavaScript API, docs/jerryscript.md for the
 * firmware steps).
 *
 * Rules this file keeps:
 * - Every value a jerry_* call returns is released with jerry_value_free,
 *   except the one handed back to JavaScript.
 * - No pointer reaches a kernel unless it came from a live typed array whose
 *   byte range was checked against its ArrayBuffer, and no record reaches
 *   ts_invoke unless ts_check_record() accepted it against the lengths of the
 *   typed arrays it will touch.
 * - Errors are thrown as JavaScript exceptions (jerry_throw_sz), never
 *   asserted: a script's mistake must not reset the board.
 * C99, no libc (loops instead of memset/snprintf), so it builds with the
 * kernels' freestanding flags.
 */
#include "tinysense_jerry.h"

#include <stddef.h>

#include "tinysense_nn.h"
#include "tinysense_record_check.h"

#define MSG_BYTES 192

static const tinysense_hal *g_hal;
static uint32_t g_native_threshold;

/* The flash regions tinysense.flash() mapped: natives that write refuse views of them (flash is not
 * writable through the data bus: a kernel or sensor writing there would fault the board). */
#define MAX_FLASH_REGIONS 8
static struct {
  const uint8_t *data;
  uint32_t bytes;
} g_flash[MAX_FLASH_REGIONS];
static int g_flash_count;

static int in_flash(const uint8_t *p, uint32_t bytes) {
  int k;
  for (k = 0; k < g_flash_count; k++) {
    uintptr_t lo = (uintptr_t)g_flash[k].data, hi = lo + g_flash[k].bytes;
    if ((uintptr_t)p < hi && (uintptr_t)p + (bytes > 0 ? bytes : 1) > lo) return 1;
  }
  return 0;
}

/* Tags stored as the arraybuffer_user_p of the buffers this file creates. */
static char g_tag_native; /* memory from hal->alloc: hal->free it */
static char g_tag_flash;  /* mapped flash: never freed */

/* ---- errors -------------------------------------------------------------- */

static jerry_value_t throw_msg(jerry_error_t type, ts_msg *m) { return jerry_throw_sz(type, m->out); }

static jerry_value_t throw2(jerry_error_t type, const char *fn, const char *what) {
  char text[MSG_BYTES];
  ts_msg m;
  ts_msg_init(&m, text, sizeof text);
  ts_msg_str(&m, fn);
  ts_msg_str(&m, ": ");
  ts_msg_str(&m, what);
  return throw_msg(type, &m);
}

/* ---- arguments ----------------------------------------------------------- */

#define ACCEPT_BYTES ((1u << JERRY_TYPEDARRAY_UINT8) | (1u << JERRY_TYPEDARRAY_INT8))
#define ACCEPT_INT16 (1u << JERRY_TYPEDARRAY_INT16)

typedef struct {
  uint8_t *data; /* first byte of the view, never NULL */
  uint32_t bytes;
  jerry_typedarray_type_t type;
} view_bytes;

static const char *accept_text(uint32_t accept) {
  if (accept == ACCEPT_INT16) return " must be an Int16Array";
  if (accept == ACCEPT_BYTES) return " must be a Uint8Array or Int8Array";
  return " must be a Uint8Array, Int8Array, Int16Array or Float32Array";
}

/*
 * The memory behind typed array argument `index`. Checks: it is present and a
 * typed array of an accepted type; its ArrayBuffer has memory (not detached);
 * byteOffset + byteLength lie inside the ArrayBuffer. On failure returns 0
 * and sets *error to the exception to return.
 */
static int typed_arg(const jerry_value_t args[], jerry_length_t argc, jerry_length_t index, uint32_t accept,
                     const char *fn, const char *what, view_bytes *out, jerry_value_t *error) {
  jerry_size_t offset = 0, length = 0, size;
  jerry_value_t buffer;
  uint8_t *data;
  jerry_typedarray_type_t type;
  char text[MSG_BYTES];
  ts_msg m;
  ts_msg_init(&m, text, sizeof text);
  ts_msg_str(&m, fn);
  ts_msg_str(&m, ": ");
  ts_msg_str(&m, what);

  if (index >= argc || !jerry_value_is_typedarray(args[index])) {
    ts_msg_str(&m, accept_text(accept));
    *error = throw_msg(JERRY_ERROR_TYPE, &m);
    return 0;
  }
  type = jerry_typedarray_type(args[index]);
  if ((unsigned)type >= 32u || !(accept & (1u << (unsigned)type))) {
    ts_msg_str(&m, accept_text(accept));
    ts_msg_str(&m, " (typed array type ");
    ts_msg_int(&m, (int64_t)type);
    ts_msg_str(&m, ")");
    *error = throw_msg(JERRY_ERROR_TYPE, &m);
    return 0;
  }
  buffer = jerry_typedarray_buffer(args[index], &offset, &length);
  if (jerry_value_is_exception(buffer)) {
    jerry_value_free(buffer);
    ts_msg_str(&m, " has no ArrayBuffer");
    *error = throw_msg(JERRY_ERROR_TYPE, &m);
    return 0;
  }
  size = jerry_arraybuffer_size(buffer);
  data = jerry_arraybuffer_data(buffer);
  /* The typed array argument keeps the buffer alive for this call. */
  jerry_value_free(buffer);
  /* JerryScript gives every live ArrayBuffer, even an empty one, a non-NULL
   * data pointer: NULL means detached or a failed lazy allocation. */
  if (data == NULL) {
    ts_msg_str(&m, "'s ArrayBuffer has no memory (detached, or its allocation failed)");
    *error = throw_msg(JERRY_ERROR_TYPE, &m);
    return 0;
  }
  if ((uint64_t)offset + length > size) {
    ts_msg_str(&m, " spans bytes ");
    ts_msg_int(&m, offset);
    ts_msg_str(&m, "..");
    ts_msg_int(&m, (int64_t)offset + length);
    ts_msg_str(&m, " of a ");
    ts_msg_int(&m, size);
    ts_msg_str(&m, "-byte ArrayBuffer");
    *error = throw_msg(JERRY_ERROR_RANGE, &m);
    return 0;
  }
  out->data = data + offset;
  out->bytes = length;
  out->type = type;
  return 1;
}

/* An integer argument in [lo, hi] (a JavaScript number with no fraction). */
static int int_arg(const jerry_value_t args[], jerry_length_t argc, jerry_length_t index, double lo, double hi,
                   const char *fn, const char *what, int64_t *out, jerry_value_t *error) {
  double d;
  char text[MSG_BYTES];
  ts_msg m;
  if (index < argc && jerry_value_is_number(args[index])) {
    d = jerry_value_as_number(args[index]);
    /* NaN fails both comparisons; the cast is exact for |d| < 2^53. */
    if (d >= lo && d <= hi && (double)(int64_t)d == d) {
      *out = (int64_t)d;
      return 1;
    }
  }
  ts_msg_init(&m, text, sizeof text);
  ts_msg_str(&m, fn);
  ts_msg_str(&m, ": ");
  ts_msg_str(&m, what);
  ts_msg_str(&m, " must be an integer from ");
  ts_msg_int(&m, (int64_t)lo);
  ts_msg_str(&m, " to ");
  ts_msg_int(&m, (int64_t)hi);
  *error = throw_msg(index < argc && jerry_value_is_number(args[index]) ? JERRY_ERROR_RANGE : JERRY_ERROR_TYPE, &m);
  return 0;
}

static int aligned4(const void *p) { return ((uintptr_t)p & 3u) == 0; }
static int aligned8(const void *p) { return ((uintptr_t)p & 7u) == 0; }

/* A view a native will write: not one of flash (TypeError, as for any read-only argument). */
static int writable(const view_bytes *v, const char *fn, const char *what, jerry_value_t *error) {
  if (!in_flash(v->data, v->bytes)) return 1;
  {
    char text[MSG_BYTES];
    ts_msg m;
    ts_msg_init(&m, text, sizeof text);
    ts_msg_str(&m, fn);
    ts_msg_str(&m, ": ");
    ts_msg_str(&m, what);
    ts_msg_str(&m, " is a view of flash, which is read-only");
    *error = throw_msg(JERRY_ERROR_TYPE, &m);
  }
  return 0;
}

static int need_hal(const char *fn, jerry_value_t *error) {
  if (g_hal != NULL) return 1;
  *error = throw2(JERRY_ERROR_COMMON, fn, "tinysense_jerry_init() was not called");
  return 0;
}

static uint32_t u32_le(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The arena argument of invoke and invokeOps, checked with the pack already read: writable, aligned
 * as the kernels need, not overlapping the pack. */
static int arena_arg(const jerry_value_t args[], jerry_length_t argc, jerry_length_t index, const char *fn,
                     const view_bytes *pack, view_bytes *arena, jerry_value_t *error) {
  if (!typed_arg(args, argc, index, ACCEPT_BYTES, fn, "arena", arena, error)) return 0;
  if (!writable(arena, fn, "arena", error)) return 0;
  /* ts_invoke reads int32 fields through plain pointers, and the audio ops uint64 arena operands
   * (8-aligned offsets, docs/model-pack.md). */
  if (!aligned4(pack->data) || (arena->bytes > 0 && !aligned8(arena->data))) {
    *error = throw2(JERRY_ERROR_RANGE, fn,
                    !aligned4(pack->data) ? "the pack's first byte is not 4-byte aligned (copy it into tinysense.allocate())"
                                          : "the arena's first byte is not 8-byte aligned (use tinysense.allocate())");
    return 0;
  }
  /* Kernels write the arena: it must not alias the pack (records, weights, or flash). */
  if (pack->bytes > 0 && arena->bytes > 0 && (uintptr_t)arena->data < (uintptr_t)pack->data + pack->bytes &&
      (uintptr_t)pack->data < (uintptr_t)arena->data + arena->bytes) {
    *error = throw2(JERRY_ERROR_RANGE, fn, "the arena overlaps the pack");
    return 0;
  }
  return 1;
}

/* ---- tinysense.invoke(pack, recordOffset, arena) ------------------------- */

jerry_value_t tinysense_jerry_invoke(const jerry_call_info_t *info, const jerry_value_t args[],
                                     const jerry_length_t argc) {
  static const char fn[] = "tinysense.invoke";
  view_bytes pack, arena;
  int64_t record;
  jerry_value_t error;
  char text[MSG_BYTES];
  ts_msg m;
  (void)info;

  if (!typed_arg(args, argc, 0, ACCEPT_BYTES, fn, "pack", &pack, &error)) return error;
  if (!int_arg(args, argc, 1, 0, 4294967295.0, fn, "recordOffset", &record, &error)) return error;
  if (!arena_arg(args, argc, 2, fn, &pack, &arena, &error)) return error;
  ts_msg_init(&m, text, sizeof text);
  ts_msg_str(&m, fn);
  ts_msg_str(&m, ": ");
  if (ts_check_record(pack.data, pack.bytes, (uint32_t)record, arena.bytes, &m) != 0) {
    return throw_msg(JERRY_ERROR_RANGE, &m);
  }
  return jerry_number((double)ts_invoke((const int32_t *)(const void *)(pack.data + record), arena.data, pack.data));
}

/* ---- tinysense.invokeOps(pack, arena, first, count) ---------------------- */

/* Ops first .. first + count - 1 of the pack's op table in one call (what Model.invoke and each
 * invokeAsync slice use): the same guarantee as invoke, each record checked by ts_check_record just
 * before it runs (the arena does not overlap the pack, so no kernel can change a record the loop has
 * yet to check). Returns 0, or TS_INVOKE_OPS_FAILED(i, status) (as ts_invoke_ops) for the first op
 * whose kernel failed; a record that fails the check throws a RangeError naming it, and the ops after it
 * do not run (those before it have). */
jerry_value_t tinysense_jerry_invoke_ops(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc) {
  static const char fn[] = "tinysense.invokeOps";
  view_bytes pack, arena;
  int64_t first, count, i;
  uint32_t ops, table;
  jerry_value_t error;
  char text[MSG_BYTES];
  ts_msg m;
  (void)info;

  if (!typed_arg(args, argc, 0, ACCEPT_BYTES, fn, "pack", &pack, &error)) return error;
  if (!arena_arg(args, argc, 1, fn, &pack, &arena, &error)) return error;
  if (!int_arg(args, argc, 2, 0, 2147483647.0, fn, "first", &first, &error)) return error;
  if (!int_arg(args, argc, 3, 0, 2147483647.0, fn, "count", &count, &error)) return error;
  if (pack.bytes < 64) return throw2(JERRY_ERROR_RANGE, fn, "the pack is shorter than its 64-byte header");
  ops = u32_le(pack.data + 24);
  table = u32_le(pack.data + 28);
  if (table % 4 != 0 || table < 64 || (uint64_t)table + (uint64_t)ops * 4u > pack.bytes) {
    return throw2(JERRY_ERROR_RANGE, fn, "the pack's op table lies outside it");
  }
  if ((uint64_t)first + (uint64_t)count > ops) {
    ts_msg_init(&m, text, sizeof text);
    ts_msg_str(&m, fn);
    ts_msg_str(&m, ": ops ");
    ts_msg_int(&m, first);
    ts_msg_str(&m, " to ");
    ts_msg_int(&m, first + count - 1);
    ts_msg_str(&m, " are not all among the pack's ");
    ts_msg_int(&m, ops);
    return throw_msg(JERRY_ERROR_RANGE, &m);
  }
  for (i = first; i < first + count; ++i) {
    const uint32_t record = u32_le(pack.data + table + 4u * (uint32_t)i);
    int32_t status;
    ts_msg_init(&m, text, sizeof text);
    ts_msg_str(&m, fn);
    ts_msg_str(&m, ": ");
    if (ts_check_record(pack.data, pack.bytes, record, arena.bytes, &m) != 0) return throw_msg(JERRY_ERROR_RANGE, &m);
    /* ts_invoke_ops' loop, with the check between records. */
    status = ts_invoke((const int32_t *)(const void *)(pack.data + record), arena.data, pack.data);
    if (status != TS_OK) return jerry_number((double)TS_INVOKE_OPS_FAILED(i, status));
  }
  return jerry_number(0);
}

/* ---- tinysense.checksum(data, offset, length) ---------------------------- */

jerry_value_t tinysense_jerry_checksum(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc) {
  static const char fn[] = "tinysense.checksum";
  view_bytes data;
  int64_t offset, length;
  jerry_value_t error;
  (void)info;
  if (!typed_arg(args, argc, 0, ACCEPT_BYTES, fn, "data", &data, &error)) return error;
  if (!int_arg(args, argc, 1, 0, data.bytes, fn, "offset", &offset, &error)) return error;
  if (!int_arg(args, argc, 2, 0, (double)(data.bytes - (uint32_t)offset), fn, "length", &length, &error)) return error;
  if (length == 0) return jerry_number(0);
  return jerry_number((double)(uint32_t)ts_checksum(data.data + offset, (int32_t)length));
}

/* ---- tinysense.preprocess(params, src, srcOffset, dst, arg) --------------- */

#define ACCEPT_SOURCE (ACCEPT_BYTES | ACCEPT_INT16 | (1u << JERRY_TYPEDARRAY_FLOAT32))

/* params: the ts_pre_* struct (device/preprocess.ts) in a 4-aligned byte array; src: the sensor data
 * (bytes, Int16Array or Float32Array) from byte srcOffset; dst: the model input (bytes, writable).
 * The byte counts the params' header states must fit the real arrays; ts_preprocess then checks
 * the params themselves. Returns ts_preprocess's status. */
jerry_value_t tinysense_jerry_preprocess(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc) {
  static const char fn[] = "tinysense.preprocess";
  view_bytes params, src, dst;
  int64_t offset, arg;
  const int32_t *header;
  jerry_value_t error;
  (void)info;
  if (!typed_arg(args, argc, 0, ACCEPT_BYTES, fn, "params", &params, &error)) return error;
  if (!typed_arg(args, argc, 1, ACCEPT_SOURCE, fn, "src", &src, &error)) return error;
  if (!int_arg(args, argc, 2, 0, src.bytes, fn, "srcOffset", &offset, &error)) return error;
  if (!typed_arg(args, argc, 3, ACCEPT_BYTES, fn, "dst", &dst, &error)) return error;
  if (!writable(&dst, fn, "dst", &error)) return error;
  if (!int_arg(args, argc, 4, -2147483648.0, 2147483647.0, fn, "arg", &arg, &error)) return error;
  if (!aligned4(params.data) || params.bytes < 16) {
    return throw2(JERRY_ERROR_RANGE, fn, "params must be at least 16 bytes from a 4-byte aligned first byte (use tinysense.allocate())");
  }
  header = (const int32_t *)(const void *)params.data;
  if (header[1] < 16 || (uint32_t)header[1] > params.bytes) {
    return throw2(JERRY_ERROR_RANGE, fn, "params is shorter than the size its header states");
  }
  if (header[2] < 0 || (uint32_t)header[2] > src.bytes - (uint32_t)offset) {
    return throw2(JERRY_ERROR_RANGE, fn, "src holds fewer bytes from srcOffset than the params state");
  }
  if (header[3] < 0 || (uint32_t)header[3] > dst.bytes) {
    return throw2(JERRY_ERROR_RANGE, fn, "dst holds fewer bytes than the params state");
  }
  return jerry_number((double)ts_preprocess(header, src.data + offset, dst.data, (int32_t)arg));
}

/* ---- memory -------------------------------------------------------------- */

static void zero(uint8_t *p, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) p[i] = 0;
}

uint8_t *tinysense_jerry_buffer_alloc(jerry_arraybuffer_type_t type, uint32_t bytes, void **buffer_user, void *user) {
  uint8_t *p = NULL;
  (void)type;
  (void)user;
  if (g_hal != NULL) p = (uint8_t *)g_hal->alloc(g_hal->ctx, bytes);
  if (p != NULL) {
    *buffer_user = &g_tag_native;
    return p;
  }
  /* Out of native memory: fall back to the engine heap, as stock JerryScript does. */
  *buffer_user = NULL;
  return (uint8_t *)jerry_heap_alloc(bytes);
}

void tinysense_jerry_buffer_free(jerry_arraybuffer_type_t type, uint8_t *data, uint32_t bytes, void *buffer_user,
                                 void *user) {
  (void)type;
  (void)user;
  if (buffer_user == &g_tag_native) {
    if (g_hal != NULL) g_hal->free(g_hal->ctx, data, bytes);
  } else if (buffer_user == &g_tag_flash) {
    /* Mapped flash is never freed. */
  } else if (buffer_user == NULL) {
    /* Engine-heap buffers (made before the allocator was installed, or by the
     * fallback above): what JerryScript does without an allocator. */
    jerry_heap_free(data, bytes);
  }
  /* Any other tag belongs to another external buffer's owner: left alone. */
}

/* A Uint8Array over `bytes` bytes at `data` that JavaScript can use. */
static jerry_value_t wrap_external(uint8_t *data, uint32_t bytes, void *tag) {
  jerry_value_t buffer = jerry_arraybuffer_external(data, bytes, tag);
  jerry_value_t array;
  if (jerry_value_is_exception(buffer)) return buffer;
  array = jerry_typedarray_with_buffer(JERRY_TYPEDARRAY_UINT8, buffer);
  jerry_value_free(buffer);
  return array;
}

/* tinysense.allocate(bytes): zeroed, 8-aligned native memory as a Uint8Array. */
jerry_value_t tinysense_jerry_allocate(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc) {
  static const char fn[] = "tinysense.allocate";
  int64_t bytes;
  uint8_t *p;
  jerry_value_t error, buffer, array;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (!int_arg(args, argc, 0, 0, 2147483647.0, fn, "bytes", &bytes, &error)) return error;
  if (bytes == 0) return wrap_external(NULL, 0, NULL);
  p = (uint8_t *)g_hal->alloc(g_hal->ctx, (uint32_t)bytes);
  if (p == NULL || !aligned8(p)) {
    char text[MSG_BYTES];
    ts_msg m;
    if (p != NULL) g_hal->free(g_hal->ctx, p, (uint32_t)bytes);
    ts_msg_init(&m, text, sizeof text);
    ts_msg_str(&m, fn);
    ts_msg_str(&m, p != NULL ? ": the board's allocator returned memory that is not 8-aligned for " : ": cannot allocate ");
    ts_msg_int(&m, bytes);
    ts_msg_str(&m, " bytes of native memory");
    if (g_hal->native_free != NULL) {
      ts_msg_str(&m, " (");
      ts_msg_int(&m, g_hal->native_free(g_hal->ctx));
      ts_msg_str(&m, " free");
      if (g_hal->native_largest != NULL) {
        ts_msg_str(&m, ", largest block ");
        ts_msg_int(&m, g_hal->native_largest(g_hal->ctx));
      }
      ts_msg_str(&m, ")");
    }
    return throw_msg(JERRY_ERROR_RANGE, &m);
  }
  zero(p, (uint32_t)bytes);
  buffer = jerry_arraybuffer_external(p, (uint32_t)bytes, &g_tag_native);
  if (jerry_value_is_exception(buffer)) {
    /* The ArrayBuffer never took the memory. */
    g_hal->free(g_hal->ctx, p, (uint32_t)bytes);
    return buffer;
  }
  /* From here the ArrayBuffer owns p: its free callback releases it. */
  array = jerry_typedarray_with_buffer(JERRY_TYPEDARRAY_UINT8, buffer);
  jerry_value_free(buffer);
  return array;
}

/* tinysense.aligned(data): whether data's first byte is 4-byte aligned. */
jerry_value_t tinysense_jerry_aligned(const jerry_call_info_t *info, const jerry_value_t args[],
                                      const jerry_length_t argc) {
  view_bytes data;
  jerry_value_t error;
  (void)info;
  if (!typed_arg(args, argc, 0, ACCEPT_BYTES, "tinysense.aligned", "data", &data, &error)) return error;
  return jerry_boolean(aligned4(data.data));
}

/* tinysense.flash(name): a Uint8Array over mapped flash, or undefined. */
jerry_value_t tinysense_jerry_flash(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  static const char fn[] = "tinysense.flash";
  char name[32];
  jerry_size_t size;
  const uint8_t *data = NULL;
  uint32_t bytes = 0;
  jerry_value_t error;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (argc < 1 || !jerry_value_is_string(args[0])) return throw2(JERRY_ERROR_TYPE, fn, "name must be a string");
  size = jerry_string_size(args[0], JERRY_ENCODING_UTF8);
  if (size == 0 || size >= sizeof name) return throw2(JERRY_ERROR_RANGE, fn, "name must be 1 to 31 bytes");
  if (jerry_string_to_buffer(args[0], JERRY_ENCODING_UTF8, (jerry_char_t *)name, sizeof name - 1) != size) {
    return throw2(JERRY_ERROR_TYPE, fn, "name could not be read");
  }
  name[size] = '\0';
  if (g_hal->flash_map == NULL || g_hal->flash_map(g_hal->ctx, name, &data, &bytes) != 0 || data == NULL) {
    return jerry_undefined();
  }
  /* JerryScript has no read-only ArrayBuffer: a script's own writes to this view
   * fault on the board (flash is not writable through the data bus), so the
   * natives that write (invoke's arena, the sensors' `into`) refuse views of
   * every region mapped here. */
  {
    int k, known = 0;
    for (k = 0; k < g_flash_count; k++) known |= g_flash[k].data == data && g_flash[k].bytes == bytes;
    if (!known) {
      if (g_flash_count == MAX_FLASH_REGIONS) return throw2(JERRY_ERROR_RANGE, fn, "more than 8 flash regions mapped");
      g_flash[g_flash_count].data = data;
      g_flash[g_flash_count].bytes = bytes;
      g_flash_count++;
    }
  }
  return wrap_external((uint8_t *)(uintptr_t)data, bytes, &g_tag_flash);
}

static int set_value(jerry_value_t object, const char *name, jerry_value_t value) {
  jerry_value_t result = jerry_object_set_sz(object, name, value);
  int ok = !jerry_value_is_exception(result);
  jerry_value_free(result);
  jerry_value_free(value);
  return ok;
}

/* tinysense.memory(): engine heap and native memory, in bytes (-1: unknown). */
jerry_value_t tinysense_jerry_memory(const jerry_call_info_t *info, const jerry_value_t args[],
                                     const jerry_length_t argc) {
  jerry_heap_stats_t stats;
  jerry_value_t result;
  int have = jerry_heap_stats(&stats);
  int ok = 1;
  (void)info;
  (void)args;
  (void)argc;
  result = jerry_object();
  ok &= set_value(result, "jsHeapSize", jerry_number(have ? (double)stats.size : -1));
  ok &= set_value(result, "jsHeapUsed", jerry_number(have ? (double)stats.allocated_bytes : -1));
  ok &= set_value(result, "jsHeapPeak", jerry_number(have ? (double)stats.peak_allocated_bytes : -1));
  ok &= set_value(result, "nativeFree",
                  jerry_number(g_hal != NULL && g_hal->native_free != NULL ? g_hal->native_free(g_hal->ctx) : -1));
  ok &= set_value(result, "nativeLargest", jerry_number(g_hal != NULL && g_hal->native_largest != NULL
                                                             ? g_hal->native_largest(g_hal->ctx)
                                                             : -1));
  ok &= set_value(result, "nativeThreshold", jerry_number(g_hal != NULL ? (double)g_native_threshold : -1));
  if (!ok) {
    jerry_value_free(result);
    return throw2(JERRY_ERROR_COMMON, "tinysense.memory", "could not build the result");
  }
  return result;
}

/* ---- sensors: accelerometer over I2C -------------------------------------- */

enum { ACCEL_NONE = 0, ACCEL_LIS3DH = 1, ACCEL_MPU6050 = 2 };

static struct {
  int chip;
  uint8_t address;
  int32_t mg_per_digit; /* LIS3DH, high-resolution mode */
  int32_t lsb_per_g;    /* MPU6050 */
} g_accel;

static int i2c_write_reg(uint8_t address, uint8_t reg, uint8_t value) {
  uint8_t out[2];
  out[0] = reg;
  out[1] = value;
  return g_hal->i2c_write_read(g_hal->ctx, address, out, 2, NULL, 0) >= 0;
}

static int i2c_read_regs(uint8_t address, uint8_t reg, uint8_t *into, uint32_t count) {
  return g_hal->i2c_write_read(g_hal->ctx, address, &reg, 1, into, count) >= 0;
}

static int string_is(jerry_value_t v, const char *want) {
  char text[16];
  jerry_size_t size, i;
  if (!jerry_value_is_string(v)) return 0;
  size = jerry_string_size(v, JERRY_ENCODING_UTF8);
  if (size >= sizeof text) return 0;
  if (jerry_string_to_buffer(v, JERRY_ENCODING_UTF8, (jerry_char_t *)text, sizeof text - 1) != size) return 0;
  for (i = 0; i < size; i++) {
    if (want[i] == '\0' || want[i] != text[i]) return 0;
  }
  return want[size] == '\0';
}

static jerry_value_t accel_error(const char *what, uint8_t address, int64_t who) {
  char text[MSG_BYTES];
  ts_msg m;
  ts_msg_init(&m, text, sizeof text);
  ts_msg_str(&m, "tinysense.sensors.accel.open: ");
  ts_msg_str(&m, what);
  ts_msg_str(&m, " at I2C address ");
  ts_msg_int(&m, address);
  if (who >= 0) {
    ts_msg_str(&m, " (WHO_AM_I ");
    ts_msg_int(&m, who);
    ts_msg_str(&m, ")");
  }
  return throw_msg(JERRY_ERROR_COMMON, &m);
}

/* accel.open(chip, address, rangeG, rateHz) */
jerry_value_t tinysense_jerry_accel_open(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc) {
  static const char fn[] = "tinysense.sensors.accel.open";
  int64_t address, range, rate;
  int chip, fs;
  uint8_t who = 0;
  jerry_value_t error;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (g_hal->i2c_write_read == NULL) return throw2(JERRY_ERROR_COMMON, fn, "this board has no I2C");
  if (argc >= 1 && (string_is(args[0], "lis3dh") || string_is(args[0], "lis2dh12"))) {
    chip = ACCEL_LIS3DH;
  } else if (argc >= 1 && string_is(args[0], "mpu6050")) {
    chip = ACCEL_MPU6050;
  } else {
    return throw2(JERRY_ERROR_TYPE, fn, "chip must be \"lis3dh\", \"lis2dh12\" or \"mpu6050\"");
  }
  if (!int_arg(args, argc, 1, 0, 127, fn, "address", &address, &error)) return error;
  if (!int_arg(args, argc, 2, 2, 16, fn, "rangeG", &range, &error)) return error;
  if (range != 2 && range != 4 && range != 8 && range != 16) return throw2(JERRY_ERROR_RANGE, fn, "rangeG must be 2, 4, 8 or 16");
  if (!int_arg(args, argc, 3, 1, 1000, fn, "rateHz", &rate, &error)) return error;
  fs = range == 2 ? 0 : range == 4 ? 1 : range == 8 ? 2 : 3;
  g_accel.chip = ACCEL_NONE;

  if (chip == ACCEL_LIS3DH) {
    /* ODR codes 1..7 = 1, 10, 25, 50, 100, 200, 400 Hz: the first at or above rateHz. */
    static const int32_t odr_hz[7] = {1, 10, 25, 50, 100, 200, 400};
    static const int32_t mg[4] = {1, 2, 4, 12};
    int odr = 7, k;
    for (k = 6; k >= 0; k--) {
      if (odr_hz[k] >= rate) odr = k + 1;
    }
    if (!i2c_read_regs((uint8_t)address, 0x0f, &who, 1)) return accel_error("no answer", (uint8_t)address, -1);
    if (who != 0x33) return accel_error("not a LIS3DH/LIS2DH12", (uint8_t)address, who);
    /* CTRL_REG1: ODR, normal mode, X/Y/Z on. CTRL_REG4: block data update, full scale, high resolution. */
    if (!i2c_write_reg((uint8_t)address, 0x20, (uint8_t)((odr << 4) | 0x07)) ||
        !i2c_write_reg((uint8_t)address, 0x23, (uint8_t)(0x88 | (fs << 4)))) {
      return accel_error("configuration failed", (uint8_t)address, -1);
    }
    g_accel.mg_per_digit = mg[fs];
  } else {
    int64_t divider = 1000 / rate - 1;
    if (!i2c_read_regs((uint8_t)address, 0x75, &who, 1)) return accel_error("no answer", (uint8_t)address, -1);
    if (who != 0x68 && who != 0x70 && who != 0x71 && who != 0x73) {
      return accel_error("not an MPU-6050 family device", (uint8_t)address, who);
    }
    /* PWR_MGMT_1: wake, CONFIG: 44 Hz low-pass (1 kHz internal rate), SMPLRT_DIV, ACCEL_CONFIG: full scale. */
    if (!i2c_write_reg((uint8_t)address, 0x6b, 0x00) || !i2c_write_reg((uint8_t)address, 0x1a, 0x03) ||
        !i2c_write_reg((uint8_t)address, 0x19, (uint8_t)(divider > 255 ? 255 : divider)) ||
        !i2c_write_reg((uint8_t)address, 0x1c, (uint8_t)(fs << 3))) {
      return accel_error("configuration failed", (uint8_t)address, -1);
    }
    g_accel.lsb_per_g = 16384 >> fs;
  }
  g_accel.chip = chip;
  g_accel.address = (uint8_t)address;
  return jerry_undefined();
}

/* accel.read(into: Int16Array, index): x, y, z in milli-g at into[3*index ..]. */
jerry_value_t tinysense_jerry_accel_read(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc) {
  static const char fn[] = "tinysense.sensors.accel.read";
  view_bytes into;
  int64_t index;
  uint8_t raw[6];
  int16_t *out;
  int k;
  jerry_value_t error;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (g_accel.chip == ACCEL_NONE) return throw2(JERRY_ERROR_COMMON, fn, "call accel.open() first");
  if (!typed_arg(args, argc, 0, ACCEPT_INT16, fn, "into", &into, &error)) return error;
  if (!writable(&into, fn, "into", &error)) return error;
  if (into.bytes < 6) return throw2(JERRY_ERROR_RANGE, fn, "into must hold at least 3 values");
  if (!int_arg(args, argc, 1, 0, into.bytes / 6 - 1, fn, "index", &index, &error)) return error;
  if (((uintptr_t)into.data & 1u) != 0) return throw2(JERRY_ERROR_RANGE, fn, "into is not 2-byte aligned");
  out = (int16_t *)(void *)(into.data + 6 * index);
  if (g_accel.chip == ACCEL_LIS3DH) {
    /* OUT_X_L with the auto-increment bit: 6 bytes, little-endian, left-justified 12 bits. */
    if (!i2c_read_regs(g_accel.address, 0x28 | 0x80, raw, 6)) return throw2(JERRY_ERROR_COMMON, fn, "I2C read failed");
    for (k = 0; k < 3; k++) {
      int32_t v = (int16_t)(uint16_t)(raw[2 * k] | (raw[2 * k + 1] << 8));
      out[k] = (int16_t)((v / 16) * g_accel.mg_per_digit);
    }
  } else {
    /* ACCEL_XOUT_H: 6 bytes, big-endian. */
    if (!i2c_read_regs(g_accel.address, 0x3b, raw, 6)) return throw2(JERRY_ERROR_COMMON, fn, "I2C read failed");
    for (k = 0; k < 3; k++) {
      int32_t v = (int16_t)(uint16_t)((raw[2 * k] << 8) | raw[2 * k + 1]);
      out[k] = (int16_t)(v * 1000 / g_accel.lsb_per_g);
    }
  }
  return jerry_undefined();
}

/* ---- sensors: I2S microphone ----------------------------------------------- */

jerry_value_t tinysense_jerry_mic_start(const jerry_call_info_t *info, const jerry_value_t args[],
                                        const jerry_length_t argc) {
  static const char fn[] = "tinysense.sensors.mic.start";
  int64_t rate;
  jerry_value_t error;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (g_hal->mic_start == NULL) return throw2(JERRY_ERROR_COMMON, fn, "this board has no microphone");
  if (!int_arg(args, argc, 0, 8000, 48000, fn, "sampleRate", &rate, &error)) return error;
  if (g_hal->mic_start(g_hal->ctx, (uint32_t)rate) < 0) return throw2(JERRY_ERROR_COMMON, fn, "the microphone did not start");
  return jerry_undefined();
}

/* mic.read(into: Int16Array, timeoutMs) -> samples read (fewer on timeout). */
jerry_value_t tinysense_jerry_mic_read(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc) {
  static const char fn[] = "tinysense.sensors.mic.read";
  view_bytes into;
  int64_t timeout;
  int32_t got;
  jerry_value_t error;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (g_hal->mic_read == NULL) return throw2(JERRY_ERROR_COMMON, fn, "this board has no microphone");
  if (!typed_arg(args, argc, 0, ACCEPT_INT16, fn, "into", &into, &error)) return error;
  if (!writable(&into, fn, "into", &error)) return error;
  if (!int_arg(args, argc, 1, 0, 60000, fn, "timeoutMs", &timeout, &error)) return error;
  if (((uintptr_t)into.data & 1u) != 0) return throw2(JERRY_ERROR_RANGE, fn, "into is not 2-byte aligned");
  got = g_hal->mic_read(g_hal->ctx, (int16_t *)(void *)into.data, into.bytes / 2, (uint32_t)timeout);
  if (got < 0) return throw2(JERRY_ERROR_COMMON, fn, "the microphone read failed (not started?)");
  if ((uint32_t)got > into.bytes / 2) got = (int32_t)(into.bytes / 2);
  return jerry_number(got);
}

jerry_value_t tinysense_jerry_mic_stop(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc) {
  jerry_value_t error;
  (void)info;
  (void)args;
  (void)argc;
  if (!need_hal("tinysense.sensors.mic.stop", &error)) return error;
  if (g_hal->mic_stop != NULL) g_hal->mic_stop(g_hal->ctx);
  return jerry_undefined();
}

/* ---- sensors: camera ------------------------------------------------------ */

/* camera.capture(into: Uint8Array | Int8Array, width, height, timeoutMs).
 * Uint8Array: gray 0..255; Int8Array: gray - 128 (a model's int8 input). */
jerry_value_t tinysense_jerry_camera_capture(const jerry_call_info_t *info, const jerry_value_t args[],
                                             const jerry_length_t argc) {
  static const char fn[] = "tinysense.sensors.camera.capture";
  view_bytes into;
  int64_t width, height, timeout = 2000;
  uint32_t i;
  jerry_value_t error;
  (void)info;
  if (!need_hal(fn, &error)) return error;
  if (g_hal->camera_capture == NULL) return throw2(JERRY_ERROR_COMMON, fn, "this board has no camera");
  if (!typed_arg(args, argc, 0, ACCEPT_BYTES, fn, "into", &into, &error)) return error;
  if (!writable(&into, fn, "into", &error)) return error;
  if (!int_arg(args, argc, 1, 1, 4096, fn, "width", &width, &error)) return error;
  if (!int_arg(args, argc, 2, 1, 4096, fn, "height", &height, &error)) return error;
  if (argc > 3 && !int_arg(args, argc, 3, 0, 60000, fn, "timeoutMs", &timeout, &error)) return error;
  if ((uint64_t)width * (uint64_t)height != into.bytes) {
    return throw2(JERRY_ERROR_RANGE, fn, "into must hold exactly width x height bytes");
  }
  if (g_hal->camera_capture(g_hal->ctx, into.data, (uint32_t)width, (uint32_t)height, (uint32_t)timeout) < 0) {
    return throw2(JERRY_ERROR_COMMON, fn, "capture failed");
  }
  if (into.type == JERRY_TYPEDARRAY_INT8) {
    for (i = 0; i < into.bytes; i++) into.data[i] ^= 0x80; /* (int8)(gray - 128) */
  }
  return jerry_undefined();
}

/* ---- registration --------------------------------------------------------- */

static int set_function(jerry_value_t object, const char *name, jerry_external_handler_t handler) {
  return set_value(object, name, jerry_function_external(handler));
}

int32_t tinysense_jerry_init(const tinysense_jerry_config *config) {
  jerry_value_t realm, tinysense, sensors, group;
  int ok = 1;
  if (config == NULL || config->hal == NULL || config->hal->alloc == NULL || config->hal->free == NULL) return -1;
  g_hal = config->hal;
  g_native_threshold = config->native_threshold;
  g_flash_count = 0;
  g_accel.chip = ACCEL_NONE;
  jerry_arraybuffer_heap_allocation_limit(config->native_threshold);
  jerry_arraybuffer_allocator(tinysense_jerry_buffer_alloc, tinysense_jerry_buffer_free, NULL);

  tinysense = jerry_object();
  ok &= set_value(tinysense, "version", jerry_string_sz("tinysense-jerry 3"));
  ok &= set_function(tinysense, "invoke", tinysense_jerry_invoke);
  ok &= set_function(tinysense, "invokeOps", tinysense_jerry_invoke_ops);
  ok &= set_function(tinysense, "checksum", tinysense_jerry_checksum);
  ok &= set_function(tinysense, "preprocess", tinysense_jerry_preprocess);
  ok &= set_function(tinysense, "allocate", tinysense_jerry_allocate);
  ok &= set_function(tinysense, "aligned", tinysense_jerry_aligned);
  ok &= set_function(tinysense, "flash", tinysense_jerry_flash);
  ok &= set_function(tinysense, "memory", tinysense_jerry_memory);

  sensors = jerry_object();
  if (g_hal->i2c_write_read != NULL) {
    group = jerry_object();
    ok &= set_function(group, "open", tinysense_jerry_accel_open);
    ok &= set_function(group, "read", tinysense_jerry_accel_read);
    ok &= set_value(sensors, "accel", group);
  }
  if (g_hal->mic_start != NULL && g_hal->mic_read != NULL) {
    group = jerry_object();
    ok &= set_function(group, "start", tinysense_jerry_mic_start);
    ok &= set_function(group, "read", tinysense_jerry_mic_read);
    ok &= set_function(group, "stop", tinysense_jerry_mic_stop);
    ok &= set_value(sensors, "mic", group);
  }
  if (g_hal->camera_capture != NULL) {
    group = jerry_object();
    ok &= set_function(group, "capture", tinysense_jerry_camera_capture);
    ok &= set_value(sensors, "camera", group);
  }
  ok &= set_value(tinysense, "sensors", sensors);

  realm = jerry_current_realm();
  ok &= set_value(realm, "tinysense", tinysense);
  jerry_value_free(realm);
  return ok ? 0 : -1;
}
