/*
 * tinysense_jerry_api.h: where the glue gets the JerryScript API from.
 *
 * Firmware builds use the real headers of their JerryScript v3 port
 * (`jerryscript.h`). Host builds without JerryScript define
 * TINYSENSE_JERRY_V3_DECLS and get jerryscript-v3-api.h, the declarations of
 * exactly the v3.0.0 functions the glue calls.
 */
#ifndef TINYSENSE_JERRY_API_H
#define TINYSENSE_JERRY_API_H

#ifdef TINYSENSE_JERRY_V3_DECLS
#include "jerryscript-v3-api.h"
#else
#include "jerryscript.h"
#endif

#if !defined(JERRY_API_MAJOR_VERSION) || JERRY_API_MAJOR_VERSION != 3
#error "tinysense's JerryScript glue needs the JerryScript v3 API (jerry_value_free, jerry_function_external, ...)"
#endif

#endif /* TINYSENSE_JERRY_API_H */
