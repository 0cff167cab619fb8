/*
 * jerryscript-v3-api.h: declarations of EXACTLY the JerryScript v3.0.0 API
 * that tinysense's JerryScript glue (tinysense_jerry.c) uses, and nothing
 * else. It lets the glue compile, and its test double link, on a host with
 * no JerryScript installed.
 *
 * This is NOT JerryScript and not a replacement for its headers: a firmware
 * build compiles the glue against the real `jerryscript.h` of its JerryScript
 * port (tinysense_jerry_api.h picks it unless TINYSENSE_JERRY_V3_DECLS is
 * defined). Every name, type and signature below was checked against the
 * v3.0.0 release (tag v3.0.0, commit 50200152f) of jerry-core/include/
 * jerryscript-core.h and jerryscript-types.h; enum members keep v3.0.0's
 * order, so their values are the same. v2.4 used other names
 * (jerry_create_external_function, jerry_release_value, jerry_create_error,
 * jerry_get_typedarray_buffer, jerry_get_arraybuffer_pointer, ...): none of
 * them appear here or in the glue.
 */
#ifndef TINYSENSE_JERRYSCRIPT_V3_API_H
#define TINYSENSE_JERRYSCRIPT_V3_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* jerryscript.h */
#define JERRY_API_MAJOR_VERSION 3
#define JERRY_API_MINOR_VERSION 0
#define JERRY_API_PATCH_VERSION 0

/* jerryscript-types.h */
typedef uint8_t jerry_char_t;
typedef uint32_t jerry_size_t;
typedef uint32_t jerry_length_t;
typedef uint32_t jerry_value_t;

typedef enum {
  JERRY_ERROR_NONE = 0,
  JERRY_ERROR_COMMON,
  JERRY_ERROR_EVAL,
  JERRY_ERROR_RANGE,
  JERRY_ERROR_REFERENCE,
  JERRY_ERROR_SYNTAX,
  JERRY_ERROR_TYPE,
  JERRY_ERROR_URI,
  JERRY_ERROR_AGGREGATE
} jerry_error_t;

typedef enum {
  JERRY_ENCODING_CESU8,
  JERRY_ENCODING_UTF8
} jerry_encoding_t;

typedef struct {
  size_t version;
  size_t size;
  size_t allocated_bytes;
  size_t peak_allocated_bytes;
  size_t reserved[4];
} jerry_heap_stats_t;

typedef struct jerry_call_info_t {
  jerry_value_t function;
  jerry_value_t this_value;
  jerry_value_t new_target;
} jerry_call_info_t;

typedef jerry_value_t (*jerry_external_handler_t)(const jerry_call_info_t *call_info_p,
                                                  const jerry_value_t args_p[],
                                                  const jerry_length_t args_count);

typedef enum {
  JERRY_TYPEDARRAY_INVALID = 0,
  JERRY_TYPEDARRAY_UINT8,
  JERRY_TYPEDARRAY_UINT8CLAMPED,
  JERRY_TYPEDARRAY_INT8,
  JERRY_TYPEDARRAY_UINT16,
  JERRY_TYPEDARRAY_INT16,
  JERRY_TYPEDARRAY_UINT32,
  JERRY_TYPEDARRAY_INT32,
  JERRY_TYPEDARRAY_FLOAT32,
  JERRY_TYPEDARRAY_FLOAT64,
  JERRY_TYPEDARRAY_BIGINT64,
  JERRY_TYPEDARRAY_BIGUINT64
} jerry_typedarray_type_t;

typedef enum {
  JERRY_ARRAYBUFFER_TYPE_ARRAYBUFFER,
  JERRY_ARRAYBUFFER_TYPE_SHARED_ARRAYBUFFER
} jerry_arraybuffer_type_t;

typedef uint8_t *(*jerry_arraybuffer_allocate_cb_t)(jerry_arraybuffer_type_t buffer_type,
                                                    uint32_t buffer_size,
                                                    void **arraybuffer_user_p,
                                                    void *user_p);

typedef void (*jerry_arraybuffer_free_cb_t)(jerry_arraybuffer_type_t buffer_type,
                                            uint8_t *buffer_p,
                                            uint32_t buffer_size,
                                            void *arraybuffer_user_p,
                                            void *user_p);

/* jerryscript-core.h: context and heap */
jerry_value_t jerry_current_realm(void);
void *jerry_heap_alloc(jerry_size_t size);
void jerry_heap_free(void *mem_p, jerry_size_t size);
bool jerry_heap_stats(jerry_heap_stats_t *out_stats_p);

/* values */
void jerry_value_free(jerry_value_t value);
bool jerry_value_is_exception(const jerry_value_t value);
bool jerry_value_is_number(const jerry_value_t value);
bool jerry_value_is_string(const jerry_value_t value);
bool jerry_value_is_typedarray(const jerry_value_t value);
bool jerry_value_is_function(const jerry_value_t value);
jerry_value_t jerry_value_copy(const jerry_value_t value);
double jerry_value_as_number(const jerry_value_t value);

/* exceptions */
jerry_value_t jerry_throw_sz(jerry_error_t type, const char *message_p);

/* constructors of primitive values */
jerry_value_t jerry_undefined(void);
jerry_value_t jerry_boolean(bool value);
jerry_value_t jerry_number(double value);

/* strings */
jerry_value_t jerry_string_sz(const char *str_p);
jerry_size_t jerry_string_size(const jerry_value_t value, jerry_encoding_t encoding);
jerry_size_t jerry_string_to_buffer(const jerry_value_t value, jerry_encoding_t encoding,
                                    jerry_char_t *buffer_p, jerry_size_t buffer_size);

/* objects and functions */
jerry_value_t jerry_object(void);
jerry_value_t jerry_object_set_sz(jerry_value_t object, const char *key_p, const jerry_value_t value);
jerry_value_t jerry_function_external(jerry_external_handler_t handler);
jerry_value_t jerry_call(const jerry_value_t function, const jerry_value_t this_value, const jerry_value_t *args_p,
                         jerry_size_t args_count);

/* ArrayBuffer */
jerry_value_t jerry_arraybuffer_external(uint8_t *buffer_p, jerry_length_t size, void *user_p);
jerry_size_t jerry_arraybuffer_size(const jerry_value_t value);
uint8_t *jerry_arraybuffer_data(const jerry_value_t value);
void jerry_arraybuffer_heap_allocation_limit(jerry_size_t limit);
void jerry_arraybuffer_allocator(jerry_arraybuffer_allocate_cb_t allocate_callback,
                                 jerry_arraybuffer_free_cb_t free_callback, void *user_p);

/* TypedArray */
jerry_value_t jerry_typedarray_with_buffer(jerry_typedarray_type_t type, const jerry_value_t arraybuffer);
jerry_typedarray_type_t jerry_typedarray_type(const jerry_value_t value);
jerry_value_t jerry_typedarray_buffer(const jerry_value_t value, jerry_size_t *byte_offset,
                                      jerry_size_t *byte_length);

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_JERRYSCRIPT_V3_API_H */
