/*
 * ts_invoke_ops: runs op records first .. first + count - 1 of a pack, in op table order, in one
 * native call. On Espruino each E.nativeCall costs the interpreter about 240 K instructions of
 * JavaScript around it (address look-ups, the call, the status test): for person_detect's 30 ops
 * that was 7 M instructions per frame, half the kernels' own 16 M. One call per invoke (or per
 * invokeAsync slice) removes it.
 *
 * The records were validated by the runtime when the pack was loaded (device/validate.ts; on
 * JerryScript the glue checks each record again before this runs it), so the loop only walks them:
 * it reads the op table's offset and count from the pack header, checks that the range lies inside
 * the table, and stops at the first record whose kernel fails, reporting which one and its status.
 */
#include "tinysense_nn.h"

/* Pack header fields (docs/model-pack.md; device/pack.ts H): op count at byte 24, op table at 28. */
#define TS_HEADER_OP_COUNT 6
#define TS_HEADER_OP_TABLE 7

int32_t ts_invoke_ops(const uint8_t *pack, uint8_t *arena, int32_t first, int32_t count) {
  const int32_t *header = (const int32_t *)(const void *)pack;
  const uint32_t ops = (uint32_t)header[TS_HEADER_OP_COUNT];
  const uint32_t *table = (const uint32_t *)(const void *)(pack + (uint32_t)header[TS_HEADER_OP_TABLE]);
  int32_t i;
  if (first < 0 || count < 0 || (uint32_t)first > ops || (uint32_t)count > ops - (uint32_t)first) {
    return TS_INVOKE_OPS_FAILED(first < 0 ? 0 : first, TS_ERROR_ARGUMENT);
  }
  for (i = first; i < first + count; ++i) {
    const int32_t status = ts_invoke((const int32_t *)(const void *)(pack + table[i]), arena, pack);
    if (status != TS_OK) return TS_INVOKE_OPS_FAILED(i, status);
  }
  return TS_OK;
}
