/*
 * core.h: the part of the ARM test harnesses shared by the Linux user-mode
 * build (linux.c, run with qemu-arm) and the bare-metal Cortex-M4 build
 * (m4.c, run with qemu-system-arm -M mps2-an386).
 *
 * The harness loads the kernel blob as raw bytes at an address other than its
 * link address (0), loads a model pack (docs/model-pack.md), allocates the
 * arena, and for every input runs each op record through ts_invoke, called
 * through a function pointer with the thumb bit set, exactly as Espruino's
 * E.nativeCall does. Usage (both builds):
 *
 *   harness [-e INVOKE:CHECKSUM] [-v] BLOB PACK OUT INPUT...
 *
 *   -e   entry offsets from the blob's .json, thumb bit clear (default 0:4)
 *   -v   one line per op of the first invoke
 *   OUT  receives, for every invoke in order, each output tensor's bytes
 *   INPUT files each hold one or more invokes' worth of input bytes (all the
 *        model's inputs concatenated in input order, then the next invoke's)
 *
 * Checks on the way: ts_checksum of the pack equals the CRC in its header;
 * every ts_invoke returns 0; guard bytes around the arena stay intact; the
 * pack and the blob are read-only where the platform can enforce it.
 * Exit status 0 when everything passed.
 */
#ifndef TS_HARNESS_CORE_H
#define TS_HARNESS_CORE_H

#include <stdint.h>

typedef int32_t (*ts_entry3)(int32_t, int32_t, int32_t);
typedef int32_t (*ts_entry2)(int32_t, int32_t);

enum h_kind { H_BLOB, H_PACK, H_ARENA, H_IO };

/* Provided by the platform. */
void *h_alloc(uint32_t bytes, enum h_kind kind); /* 8-aligned; blob: see h_place_blob */
uint8_t *h_place_blob(const char *path, uint32_t *bytes); /* loads the blob, executable, at an address that is 4 mod 8 */
int32_t h_file_size(const char *path);               /* -1 if it cannot be read */
int h_read(const char *path, uint8_t *dst, uint32_t bytes);
int h_write(const char *path, const uint8_t *src, uint32_t bytes);
void h_protect(enum h_kind kind, void *p, uint32_t bytes); /* make read-only if possible */
void h_puts(const char *s);
/* Calls fn(a, b, c) and returns its result; may measure the stack the call used. */
int32_t h_call3(ts_entry3 fn, int32_t a, int32_t b, int32_t c, uint32_t *stack_used);
int32_t h_call2(ts_entry2 fn, int32_t a, int32_t b, uint32_t *stack_used);

/* Shared. */
int h_main(int argc, char **argv);
void h_print(const char *a, ...); /* strings only, NULL-terminated list */
const char *h_dec(int64_t v);
const char *h_hex(uint32_t v);

#endif
