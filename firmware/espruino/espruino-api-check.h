/*
 * espruino-api-check.h: the few declarations of Espruino's C API (RELEASE_2V29) that
 * jswrap_tinysense.c uses, written for tinysense from the documented signatures, so CI can
 * compile the module with -Wall -Werror without Espruino's sources (which are never committed
 * here). A real firmware build compiles the module against Espruino's own headers instead; if a
 * declaration here ever disagrees with them, that build fails, not this check.
 */
#ifndef TINYSENSE_ESPRUINO_API_CHECK_H
#define TINYSENSE_ESPRUINO_API_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* src/jstypes.h */
typedef struct JsVarStruct JsVar; /* opaque here: the module only passes it to API functions */
typedef int32_t JsVarInt;
typedef enum {
  JSET_STRING,
  JSET_ERROR,
  JSET_SYNTAXERROR,
  JSET_TYPEERROR,
  JSET_INTERNALERROR,
  JSET_REFERENCEERROR
} JsExceptionType;

/* src/jsvar.h: a raw pointer to the data of a flat string or an ArrayBuffer/typed array backed by
 * one (byteOffset applied), with its byte length in *len; 0 when the data is not in one piece. */
char *jsvGetDataPointer(JsVar *v, size_t *len);
bool jsvIsArrayBuffer(const JsVar *v);

/* src/jsutils.h: throws a JavaScript exception (printf-style: %s, %d) when the native returns. */
void jsExceptionHere(JsExceptionType type, const char *fmt, ...);

#endif /* TINYSENSE_ESPRUINO_API_CHECK_H */
