/*
 * jswrap_tinysense.h: the natives of the `tinysense` class (jswrap_tinysense.c). Espruino's
 * generated gen/jswrapper.c includes this header for every file in WRAPPERSOURCES.
 */
#ifndef JSWRAP_TINYSENSE_H
#define JSWRAP_TINYSENSE_H

#ifdef TINYSENSE_ESPRUINO_API_CHECK
#include "espruino-api-check.h"
#else
#include "jsvar.h"
#endif

JsVarInt jswrap_tinysense_invoke(JsVarInt record, JsVarInt arena, JsVarInt pack);
JsVarInt jswrap_tinysense_invoke_ops(JsVarInt pack, JsVarInt arena, JsVarInt first, JsVarInt count);
JsVarInt jswrap_tinysense_checksum(JsVarInt address, JsVarInt length);
JsVarInt jswrap_tinysense_preprocess(JsVar *params, JsVar *src, JsVar *dst, JsVarInt arg);

#endif /* JSWRAP_TINYSENSE_H */
