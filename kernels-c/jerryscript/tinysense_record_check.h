/*
 * tinysense_record_check.h: the C twin of device/validate.ts's per-record
 * check, run by the JerryScript glue before EVERY ts_invoke.
 *
 * ts_invoke trusts its record: an offset or a dimension that is wrong makes a
 * kernel read or write outside the pack or the arena. On Espruino the
 * TypeScript validator (device/validate.ts) is the only guard, which is
 * enough because nothing but the runtime can reach the kernels. On JerryScript
 * the natives are plain global functions any script can call with any bytes,
 * so the glue re-checks the one record it is about to run, here, in C: every
 * operand the record names, with the byte count its dimensions imply, must
 * lie inside the pack's constants or inside the arena (output operands inside
 * the arena only), and every structural relation a kernel relies on (depths,
 * groups, views, padding, filter-bank channel tables, the state region) must
 * hold. The rules are validate.ts's checkRecord() rule for rule (the same rule
 * programs, generated from kernels-c/spec/ops.json into tinysense_record_rules.h,
 * with the same messages), for every op code: the network ops (1-19) and the audio front end (20-30: the TFLM signal
 * ops, CAST, int32 element-wise); test/jerryscript/ runs both on the same
 * records.
 *
 * Cost: O(record words), plus O(channels) for the per-channel shift range of
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED and for the channel tables of
 * SIGNAL_FILTER_BANK. Freestanding C99, no libc.
 */
#ifndef TINYSENSE_RECORD_CHECK_H
#define TINYSENSE_RECORD_CHECK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated message into out (out_size bytes). */
typedef struct {
  char *out;
  uint32_t size;
  uint32_t used;
} ts_msg;

void ts_msg_init(ts_msg *m, char *out, uint32_t size);
void ts_msg_str(ts_msg *m, const char *s);
void ts_msg_int(ts_msg *m, int64_t v);

/*
 * Checks the pack header (magic, header size, pack size, constants region,
 * flags, and the state region's tensor-table entry when flags bit 0 says there
 * is one) and the op record at byte offset `record` of `pack`, against an arena of
 * `arena_bytes` bytes. `pack` must be 4-byte aligned (the glue checks that
 * first). Returns 0 when the record is safe to run; otherwise -1 with the
 * reason in `why` (prefixed "op record at <offset>: ").
 */
int32_t ts_check_record(const uint8_t *pack, uint32_t pack_bytes, uint32_t record,
                        uint32_t arena_bytes, ts_msg *why);

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_RECORD_CHECK_H */
