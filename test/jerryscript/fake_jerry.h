/*
 * fake_jerry.h: TEST DOUBLE. A tiny fake of the JerryScript v3 API functions
 * that kernels-c/jerryscript/tinysense_jerry.c calls, so its handlers can be
 * run in a C test harness without a JavaScript engine. It is NOT JerryScript:
 * it models only what the glue relies on (values with reference counts,
 * typed arrays over ArrayBuffers, external buffers and the allocator
 * callbacks, exceptions, plain objects holding properties).
 *
 * Every value has a reference count; jerry_value_free() on a released value
 * aborts (use after free), and fake_live_values() lets the harness check that
 * the glue released everything it was handed.
 */
#ifndef FAKE_JERRY_H
#define FAKE_JERRY_H

#include "jerryscript-v3-api.h"

/* Values the harness makes (each returned with one reference). */
jerry_value_t fake_string(const char *s);
jerry_value_t fake_arraybuffer(uint32_t bytes);                     /* zeroed, 16-aligned */
jerry_value_t fake_typedarray(jerry_typedarray_type_t type, jerry_value_t buffer, uint32_t byte_offset,
                              uint32_t byte_length); /* no range check: lets tests make corrupt views */
void fake_detach(jerry_value_t arraybuffer);

/* Inspection. */
int fake_is_undefined(jerry_value_t v);
int fake_is_boolean(jerry_value_t v, int *value);
int fake_is_object(jerry_value_t v);
jerry_error_t fake_exception_type(jerry_value_t v); /* JERRY_ERROR_NONE: not an exception */
const char *fake_exception_message(jerry_value_t v);
uint8_t *fake_typedarray_data(jerry_value_t v, uint32_t *bytes, jerry_typedarray_type_t *type);
/* A property's value, or 0 when absent (no new reference). */
jerry_value_t fake_property(jerry_value_t object, const char *name);
jerry_external_handler_t fake_handler(jerry_value_t function);
jerry_value_t fake_global(void); /* no new reference */

/* Bookkeeping. */
int fake_live_values(void);
int fake_heap_blocks(void); /* live jerry_heap_alloc blocks */
void fake_reset_allocator(void);
/* Forgets every value (frees the fake's own memory, not external buffers): a fuzz target's fresh start. */
void fake_reset_all(void);

#endif /* FAKE_JERRY_H */
