/*
 * fake_jerry.c: TEST DOUBLE of the JerryScript v3 API subset the tinysense
 * glue calls (see fake_jerry.h). Hosted C99 (malloc, printf): it runs only in
 * the test harness, never on a board.
 */
#include "fake_jerry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { V_NONE, V_UNDEFINED, V_BOOLEAN, V_NUMBER, V_STRING, V_OBJECT, V_FUNCTION, V_ARRAYBUFFER, V_TYPEDARRAY, V_EXCEPTION } kind_t;

#define MAX_VALUES 65536
#define MAX_PROPS 12

typedef struct {
  char name[32];
  jerry_value_t value;
} prop_t;

typedef struct {
  kind_t kind;
  int refs;
  double number;
  char text[256]; /* string contents or exception message */
  prop_t props[MAX_PROPS];
  int nprops;
  jerry_external_handler_t handler;
  /* ArrayBuffer */
  uint8_t *data;
  uint32_t size;
  void *user;
  int external; /* backing store from jerry_arraybuffer_external or the allocator */
  int owned;    /* backing store malloc'ed by the fake itself */
  int detached;
  /* TypedArray */
  jerry_typedarray_type_t type;
  jerry_value_t buffer;
  uint32_t offset, length;
  /* exception */
  jerry_error_t error;
} value_t;

static value_t *values[MAX_VALUES];
static jerry_value_t next_id = 1;
static int live;
static int heap_blocks;
static jerry_value_t global_object;

static jerry_arraybuffer_allocate_cb_t alloc_cb;
static jerry_arraybuffer_free_cb_t free_cb;
static void *alloc_user;
static uint32_t compact_limit = 256;

static void die(const char *what, jerry_value_t v) {
  fprintf(stderr, "fake_jerry: %s (value %u)\n", what, (unsigned)v);
  abort();
}

static value_t *get(jerry_value_t v) {
  if (v == 0 || v >= next_id || values[v] == NULL) die("use of an unknown value", v);
  if (values[v]->refs <= 0) die("use of a released value", v);
  return values[v];
}

static jerry_value_t make(kind_t kind) {
  value_t *p;
  if (next_id >= MAX_VALUES) die("out of fake values", next_id);
  p = (value_t *)calloc(1, sizeof *p);
  if (p == NULL) die("out of memory", 0);
  p->kind = kind;
  p->refs = 1;
  values[next_id] = p;
  live++;
  return next_id++;
}

static jerry_value_t copy(jerry_value_t v) {
  get(v)->refs++;
  return v;
}

void jerry_value_free(jerry_value_t v) {
  value_t *p = get(v);
  int i;
  if (--p->refs > 0) return;
  live--;
  for (i = 0; i < p->nprops; i++) jerry_value_free(p->props[i].value);
  if (p->kind == V_TYPEDARRAY) jerry_value_free(p->buffer);
  if (p->kind == V_ARRAYBUFFER) {
    if (p->external && p->data != NULL) {
      /* What JerryScript does in ecma_arraybuffer_release_buffer. */
      if (free_cb != NULL) {
        free_cb(JERRY_ARRAYBUFFER_TYPE_ARRAYBUFFER, p->data, p->size, p->user, alloc_user);
      } else {
        jerry_heap_free(p->data, p->size);
      }
    } else if (p->owned) {
      free(p->data);
    }
  }
  /* The slot stays (refs 0) so that later use is reported, not reused. */
}

jerry_value_t jerry_current_realm(void) {
  if (global_object == 0) global_object = make(V_OBJECT);
  return copy(global_object);
}

jerry_value_t fake_global(void) {
  if (global_object == 0) global_object = make(V_OBJECT);
  return global_object;
}

void *jerry_heap_alloc(jerry_size_t size) {
  void *p = malloc(size ? size : 1);
  if (p != NULL) heap_blocks++;
  return p;
}

void jerry_heap_free(void *mem_p, jerry_size_t size) {
  (void)size;
  if (mem_p == NULL) die("jerry_heap_free(NULL)", 0);
  heap_blocks--;
  free(mem_p);
}

bool jerry_heap_stats(jerry_heap_stats_t *out) {
  memset(out, 0, sizeof *out);
  out->version = 1;
  out->size = 20 * 1024;
  out->allocated_bytes = 4096;
  out->peak_allocated_bytes = 8192;
  return true;
}

bool jerry_value_is_exception(const jerry_value_t v) { return get(v)->kind == V_EXCEPTION; }
bool jerry_value_is_number(const jerry_value_t v) { return get(v)->kind == V_NUMBER; }
bool jerry_value_is_string(const jerry_value_t v) { return get(v)->kind == V_STRING; }
bool jerry_value_is_typedarray(const jerry_value_t v) { return get(v)->kind == V_TYPEDARRAY; }
bool jerry_value_is_function(const jerry_value_t v) { return get(v)->kind == V_FUNCTION; }
jerry_value_t jerry_value_copy(const jerry_value_t v) { return copy(v); }

jerry_value_t jerry_call(const jerry_value_t function, const jerry_value_t this_value, const jerry_value_t *args,
                         jerry_size_t argc) {
  value_t *p = get(function);
  jerry_call_info_t info;
  get(this_value);
  if (p->kind != V_FUNCTION) return jerry_throw_sz(JERRY_ERROR_TYPE, "not a function");
  info.function = function;
  info.this_value = this_value;
  info.new_target = 0;
  return p->handler(&info, args, argc);
}

double jerry_value_as_number(const jerry_value_t v) {
  value_t *p = get(v);
  return p->kind == V_NUMBER ? p->number : 0.0;
}

jerry_value_t jerry_throw_sz(jerry_error_t type, const char *message) {
  jerry_value_t v = make(V_EXCEPTION);
  values[v]->error = type;
  strncpy(values[v]->text, message, sizeof values[v]->text - 1);
  return v;
}

jerry_value_t jerry_undefined(void) { return make(V_UNDEFINED); }

jerry_value_t jerry_boolean(bool value) {
  jerry_value_t v = make(V_BOOLEAN);
  values[v]->number = value ? 1 : 0;
  return v;
}

jerry_value_t jerry_number(double value) {
  jerry_value_t v = make(V_NUMBER);
  values[v]->number = value;
  return v;
}

jerry_value_t jerry_string_sz(const char *s) { return fake_string(s); }

jerry_value_t fake_string(const char *s) {
  jerry_value_t v = make(V_STRING);
  strncpy(values[v]->text, s, sizeof values[v]->text - 1);
  return v;
}

jerry_size_t jerry_string_size(const jerry_value_t v, jerry_encoding_t encoding) {
  value_t *p = get(v);
  (void)encoding;
  return p->kind == V_STRING ? (jerry_size_t)strlen(p->text) : 0;
}

jerry_size_t jerry_string_to_buffer(const jerry_value_t v, jerry_encoding_t encoding, jerry_char_t *buffer,
                                    jerry_size_t buffer_size) {
  value_t *p = get(v);
  jerry_size_t n;
  (void)encoding;
  if (p->kind != V_STRING || buffer == NULL) return 0;
  n = (jerry_size_t)strlen(p->text);
  if (n > buffer_size) n = buffer_size;
  memcpy(buffer, p->text, n);
  return n;
}

jerry_value_t jerry_object(void) { return make(V_OBJECT); }

jerry_value_t jerry_object_set_sz(jerry_value_t object, const char *key, const jerry_value_t value) {
  value_t *p = get(object);
  int i;
  get(value);
  if (p->kind != V_OBJECT && p->kind != V_FUNCTION) return jerry_throw_sz(JERRY_ERROR_TYPE, "not an object");
  for (i = 0; i < p->nprops; i++) {
    if (strcmp(p->props[i].name, key) == 0) {
      jerry_value_free(p->props[i].value);
      p->props[i].value = copy(value);
      return jerry_boolean(true);
    }
  }
  if (p->nprops == MAX_PROPS) return jerry_throw_sz(JERRY_ERROR_RANGE, "fake: too many properties");
  strncpy(p->props[p->nprops].name, key, sizeof p->props[0].name - 1);
  p->props[p->nprops].value = copy(value);
  p->nprops++;
  return jerry_boolean(true);
}

jerry_value_t jerry_function_external(jerry_external_handler_t handler) {
  jerry_value_t v = make(V_FUNCTION);
  values[v]->handler = handler;
  return v;
}

/* ---- ArrayBuffer / TypedArray -------------------------------------------- */

jerry_value_t fake_arraybuffer(uint32_t bytes) {
  jerry_value_t v = make(V_ARRAYBUFFER);
  value_t *p = values[v];
  p->size = bytes;
  if (bytes > compact_limit && alloc_cb != NULL) {
    /* JerryScript asks the allocator for every buffer above the compact limit. */
    p->data = alloc_cb(JERRY_ARRAYBUFFER_TYPE_ARRAYBUFFER, bytes, &p->user, alloc_user);
    if (p->data == NULL) {
      jerry_value_free(v);
      return jerry_throw_sz(JERRY_ERROR_RANGE, "Cannot allocate memory for ArrayBuffer");
    }
    memset(p->data, 0, bytes);
    p->external = 1;
  } else {
    /* 16-aligned, like a malloc block. */
    p->data = (uint8_t *)calloc(1, bytes + 16);
    p->owned = 1;
  }
  return v;
}

jerry_value_t jerry_arraybuffer_external(uint8_t *buffer, jerry_length_t size, void *user) {
  jerry_value_t v = make(V_ARRAYBUFFER);
  value_t *p = values[v];
  static uint8_t empty[4];
  if (size == 0 || buffer == NULL) {
    /* An empty ArrayBuffer: JerryScript still gives it a data pointer. */
    p->data = empty;
    return v;
  }
  p->data = buffer;
  p->size = size;
  p->user = user;
  p->external = 1;
  return v;
}

void fake_detach(jerry_value_t v) {
  value_t *p = get(v);
  /* JerryScript releases the backing store on detach (ecma_arraybuffer_detach). */
  if (p->external && p->data != NULL) {
    if (free_cb != NULL) {
      free_cb(JERRY_ARRAYBUFFER_TYPE_ARRAYBUFFER, p->data, p->size, p->user, alloc_user);
    } else {
      jerry_heap_free(p->data, p->size);
    }
  }
  p->external = 0;
  if (p->owned) free(p->data);
  p->owned = 0;
  p->data = NULL;
  p->detached = 1;
  p->size = 0;
}

jerry_size_t jerry_arraybuffer_size(const jerry_value_t v) {
  value_t *p = get(v);
  return p->kind == V_ARRAYBUFFER ? p->size : 0;
}

uint8_t *jerry_arraybuffer_data(const jerry_value_t v) {
  value_t *p = get(v);
  if (p->kind != V_ARRAYBUFFER || p->detached) return NULL;
  return p->data;
}

void jerry_arraybuffer_heap_allocation_limit(jerry_size_t limit) { compact_limit = limit; }

void jerry_arraybuffer_allocator(jerry_arraybuffer_allocate_cb_t a, jerry_arraybuffer_free_cb_t f, void *user) {
  alloc_cb = a;
  free_cb = f;
  alloc_user = user;
}

void fake_reset_allocator(void) {
  alloc_cb = NULL;
  free_cb = NULL;
  alloc_user = NULL;
  compact_limit = 256;
}

static uint32_t element_bytes(jerry_typedarray_type_t t) {
  switch (t) {
    case JERRY_TYPEDARRAY_UINT16:
    case JERRY_TYPEDARRAY_INT16: return 2;
    case JERRY_TYPEDARRAY_UINT32:
    case JERRY_TYPEDARRAY_INT32:
    case JERRY_TYPEDARRAY_FLOAT32: return 4;
    case JERRY_TYPEDARRAY_FLOAT64:
    case JERRY_TYPEDARRAY_BIGINT64:
    case JERRY_TYPEDARRAY_BIGUINT64: return 8;
    default: return 1;
  }
}

jerry_value_t fake_typedarray(jerry_typedarray_type_t type, jerry_value_t buffer, uint32_t byte_offset,
                              uint32_t byte_length) {
  jerry_value_t v;
  if (get(buffer)->kind != V_ARRAYBUFFER) die("fake_typedarray over a non-ArrayBuffer", buffer);
  v = make(V_TYPEDARRAY);
  values[v]->type = type;
  values[v]->buffer = copy(buffer);
  values[v]->offset = byte_offset;
  values[v]->length = byte_length;
  return v;
}

jerry_value_t jerry_typedarray_with_buffer(jerry_typedarray_type_t type, const jerry_value_t arraybuffer) {
  value_t *b = get(arraybuffer);
  if (b->kind != V_ARRAYBUFFER) return jerry_throw_sz(JERRY_ERROR_TYPE, "Argument is not an ArrayBuffer");
  return fake_typedarray(type, arraybuffer, 0, b->size - b->size % element_bytes(type));
}

jerry_typedarray_type_t jerry_typedarray_type(const jerry_value_t v) {
  value_t *p = get(v);
  return p->kind == V_TYPEDARRAY ? p->type : JERRY_TYPEDARRAY_INVALID;
}

jerry_value_t jerry_typedarray_buffer(const jerry_value_t v, jerry_size_t *byte_offset, jerry_size_t *byte_length) {
  value_t *p = get(v);
  if (p->kind != V_TYPEDARRAY) return jerry_throw_sz(JERRY_ERROR_TYPE, "Object is not a TypedArray");
  /* A detached buffer's views report length 0, as in JerryScript. */
  if (byte_length != NULL) *byte_length = get(p->buffer)->detached ? 0 : p->length;
  if (byte_offset != NULL) *byte_offset = p->offset;
  return copy(p->buffer);
}

/* ---- inspection ----------------------------------------------------------- */

int fake_is_undefined(jerry_value_t v) { return get(v)->kind == V_UNDEFINED; }

int fake_is_boolean(jerry_value_t v, int *value) {
  value_t *p = get(v);
  if (p->kind != V_BOOLEAN) return 0;
  *value = p->number != 0;
  return 1;
}

int fake_is_object(jerry_value_t v) { return get(v)->kind == V_OBJECT; }

jerry_error_t fake_exception_type(jerry_value_t v) {
  value_t *p = get(v);
  return p->kind == V_EXCEPTION ? p->error : JERRY_ERROR_NONE;
}

const char *fake_exception_message(jerry_value_t v) { return get(v)->text; }

uint8_t *fake_typedarray_data(jerry_value_t v, uint32_t *bytes, jerry_typedarray_type_t *type) {
  value_t *p = get(v);
  value_t *b;
  if (p->kind != V_TYPEDARRAY) return NULL;
  b = get(p->buffer);
  if (bytes) *bytes = p->length;
  if (type) *type = p->type;
  return b->data == NULL ? NULL : b->data + p->offset;
}

jerry_value_t fake_property(jerry_value_t object, const char *name) {
  value_t *p = get(object);
  int i;
  for (i = 0; i < p->nprops; i++) {
    if (strcmp(p->props[i].name, name) == 0) return p->props[i].value;
  }
  return 0;
}

jerry_external_handler_t fake_handler(jerry_value_t function) {
  value_t *p = get(function);
  return p->kind == V_FUNCTION ? p->handler : NULL;
}

int fake_live_values(void) { return live; }

void fake_reset_all(void) {
  jerry_value_t v;
  for (v = 1; v < next_id; v++) {
    if (values[v] == NULL) continue;
    if (values[v]->refs > 0 && values[v]->owned) free(values[v]->data);
    free(values[v]);
    values[v] = NULL;
  }
  next_id = 1;
  live = 0;
  global_object = 0;
}
int fake_heap_blocks(void) { return heap_blocks; }
