/*
 * jswrap_tinysense.c: tinysense's int8 kernels linked into an Espruino firmware, as the class
 * `tinysense` (Espruino's own binding style: the JSON comments below are read by Espruino's
 * scripts/build_jswrapper.py). For boards whose RAM cannot execute the Thumb-2 blob that stock
 * firmware runs through E.nativeCall (ESP32), or that want the kernels in flash.
 *
 * The device runtime (device/engines/espruino.ts) picks this class when it exists: invoke, invokeOps and
 * checksum take the same addresses as the blob's entries (E.getAddressOf results, so the module
 * needs a 32-bit address space: ESP32, nRF52, 32-bit Arm Linux), and preprocess takes typed
 * arrays (Espruino passes natives at most four arguments without JsVarArray) and checks their real lengths against the params before ts_preprocess checks the params.
 * Packs are validated by the runtime before the first invoke (device/validate.ts), as for the blob.
 *
 * Build: docs/espruino.md (add this file to WRAPPERSOURCES and the C files of kernels-c/src to SOURCES).
 */
#include "jswrap_tinysense.h"

#ifndef TINYSENSE_ESPRUINO_API_CHECK
#include "jsutils.h"
#endif

#include "tinysense_nn.h"

#if UINTPTR_MAX > 0xffffffffu
#error "jswrap_tinysense.c needs a 32-bit address space: Espruino's E.getAddressOf and JsVarInt are 32-bit"
#endif

/*JSON{
  "type" : "class",
  "class" : "tinysense"
}
tinysense's int8 kernels (TFLite Micro's reference kernels, bit-exact), linked into this firmware.
Used by tinysense apps through `tinysense/device` (tinysense docs/espruino.md).
*/

/*JSON{
  "type" : "staticmethod",
  "class" : "tinysense",
  "name" : "invoke",
  "generate" : "jswrap_tinysense_invoke",
  "params" : [
    ["record","int","Address of the op record (inside the pack)"],
    ["arena","int","Address of the arena"],
    ["pack","int","Address of the model pack"]
  ],
  "return" : ["int","0, or a negative ts_status"]
}
Runs one op record of a validated model pack (the blob's `ts_invoke` entry).
*/
JsVarInt jswrap_tinysense_invoke(JsVarInt record, JsVarInt arena, JsVarInt pack) {
  if (record == 0 || arena == 0 || pack == 0) {
    jsExceptionHere(JSET_TYPEERROR, "tinysense.invoke: an address is 0 (a buffer that is not flat?)");
    return TS_ERROR_ARGUMENT;
  }
  return ts_invoke((const int32_t *)(uintptr_t)(uint32_t)record, (uint8_t *)(uintptr_t)(uint32_t)arena,
                   (const uint8_t *)(uintptr_t)(uint32_t)pack);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "tinysense",
  "name" : "invokeOps",
  "generate" : "jswrap_tinysense_invoke_ops",
  "params" : [
    ["pack","int","Address of the model pack"],
    ["arena","int","Address of the arena"],
    ["first","int","Index of the first op to run"],
    ["count","int","How many ops to run"]
  ],
  "return" : ["int","0, or -(i * 256 + -status) for the first op i that failed"]
}
Runs ops `first` .. `first + count - 1` of a validated model pack in one call (the blob's
`ts_invoke_ops` entry).
*/
JsVarInt jswrap_tinysense_invoke_ops(JsVarInt pack, JsVarInt arena, JsVarInt first, JsVarInt count) {
  if (arena == 0 || pack == 0) {
    jsExceptionHere(JSET_TYPEERROR, "tinysense.invokeOps: an address is 0 (a buffer that is not flat?)");
    return TS_ERROR_ARGUMENT;
  }
  return ts_invoke_ops((const uint8_t *)(uintptr_t)(uint32_t)pack, (uint8_t *)(uintptr_t)(uint32_t)arena,
                       (int32_t)first, (int32_t)count);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "tinysense",
  "name" : "checksum",
  "generate" : "jswrap_tinysense_checksum",
  "params" : [
    ["address","int","Address of the first byte"],
    ["length","int","Bytes"]
  ],
  "return" : ["int","CRC-32 (as a signed 32-bit integer)"]
}
CRC-32 (IEEE, as E.CRC32) of `length` bytes at `address` (the blob's `ts_checksum` entry).
*/
JsVarInt jswrap_tinysense_checksum(JsVarInt address, JsVarInt length) {
  if (address == 0 || length < 0) {
    jsExceptionHere(JSET_TYPEERROR, "tinysense.checksum: address 0 or a negative length");
    return 0;
  }
  return ts_checksum((const uint8_t *)(uintptr_t)(uint32_t)address, length);
}

/* The bytes behind a typed array argument, or 0 with an exception thrown. */
static uint8_t *bytes_of(JsVar *v, const char *what, size_t *bytes) {
  char *data;
  if (!v || !jsvIsArrayBuffer(v)) {
    jsExceptionHere(JSET_TYPEERROR, "tinysense.preprocess: %s must be a typed array", what);
    return 0;
  }
  data = jsvGetDataPointer(v, bytes);
  if (!data) {
    jsExceptionHere(JSET_TYPEERROR, "tinysense.preprocess: %s is not in flat memory (E.defrag() or free memory)", what);
    return 0;
  }
  return (uint8_t *)data;
}

/*JSON{
  "type" : "staticmethod",
  "class" : "tinysense",
  "name" : "preprocess",
  "generate" : "jswrap_tinysense_preprocess",
  "params" : [
    ["params","JsVar","The ts_pre_* struct (device/preprocess.ts), a 4-aligned typed array"],
    ["src","JsVar","The sensor data (a typed array; a view starting at its first byte)"],
    ["dst","JsVar","The model input (a typed array)"],
    ["arg","int","The step's argument (a sample window's oldest frame; 0 for images)"]
  ],
  "return" : ["int","0, or a negative ts_status"]
}
Converts sensor data into a model input natively (tinysense_nn.h `ts_preprocess`). The byte counts
the params state must fit the arrays given; the params themselves are checked by the kernel.
*/
JsVarInt jswrap_tinysense_preprocess(JsVar *params, JsVar *src, JsVar *dst, JsVarInt arg) {
  size_t param_bytes = 0, src_bytes = 0, dst_bytes = 0;
  const uint8_t *p = bytes_of(params, "params", &param_bytes);
  const uint8_t *s = p ? bytes_of(src, "src", &src_bytes) : 0;
  uint8_t *d = s ? bytes_of(dst, "dst", &dst_bytes) : 0;
  const int32_t *header;
  if (!d) return TS_ERROR_ARGUMENT;
  if (((uintptr_t)p & 3u) != 0 || param_bytes < 16) {
    jsExceptionHere(JSET_ERROR, "tinysense.preprocess: params must be at least 16 bytes from a 4-byte aligned first byte");
    return TS_ERROR_ARGUMENT;
  }
  header = (const int32_t *)(const void *)p;
  if (header[1] < 16 || (size_t)header[1] > param_bytes || header[2] < 0 || (size_t)header[2] > src_bytes ||
      header[3] < 0 || (size_t)header[3] > dst_bytes) {
    jsExceptionHere(JSET_ERROR, "tinysense.preprocess: params, src or dst is shorter than the params state");
    return TS_ERROR_ARGUMENT;
  }
  return ts_preprocess(header, s, d, arg);
}
