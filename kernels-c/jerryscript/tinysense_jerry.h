/*
 * tinysense_jerry.h: tinysense's native functions for JerryScript v3 firmware.
 *
 * tinysense_jerry_init() installs an ArrayBuffer allocator and defines ONE
 * global object, `tinysense`, whose functions device/engines/jerryscript.ts
 * wraps into the device runtime's Kernels interface:
 *
 *   tinysense.version                          -> "tinysense-jerry 3"
 *   tinysense.invoke(pack, recordOffset, arena) -> 0 or a negative ts_status
 *   tinysense.invokeOps(pack, arena, first, count) -> ts_invoke_ops' result: ops first .. first+count-1
 *                                                 of the op table, each record checked before it runs
 *                                                 (RangeError naming it); 0, or -(i * 256 + -status)
 *                                                 for the first op i whose kernel failed
 *   tinysense.checksum(data, offset, length)   -> CRC-32 (0 .. 2^32-1)
 *   tinysense.preprocess(params, src, srcOffset, dst, arg) -> ts_preprocess's status (0 or negative);
 *                                                 params: a ts_pre_* struct (4-aligned bytes), src: bytes,
 *                                                 Int16Array or Float32Array, dst: bytes (writable); the
 *                                                 header's src/dst byte counts must fit them (RangeError)
 *   tinysense.allocate(bytes)                  -> zeroed Uint8Array in native memory (8-aligned)
 *   tinysense.aligned(data)                    -> true when data's first byte is 4-aligned
 *   tinysense.flash(name)                      -> Uint8Array over memory-mapped flash (no copy), or undefined;
 *                                                 the natives that write (invoke's arena, the sensors'
 *                                                 `into`) throw a TypeError for a view of it
 *   tinysense.memory()                         -> { jsHeapSize, jsHeapUsed, jsHeapPeak, nativeFree,
 *                                                   nativeLargest, nativeThreshold }
 *                                                 (nativeThreshold: the config's native_threshold)
 *   tinysense.sensors.accel.open(chip, address, rangeG, rateHz)   chip: "lis3dh" | "mpu6050"
 *   tinysense.sensors.accel.read(into, index)  -> writes x, y, z in milli-g at into[3*index..]
 *   tinysense.sensors.mic.start(sampleRate) / .read(into, timeoutMs) -> samples read / .stop()
 *   tinysense.sensors.camera.capture(into, width, height, timeoutMs)
 *
 * pack, arena and data are Uint8Array or Int8Array. Every argument is checked
 * in C, and every op record again before ts_invoke runs it (see
 * tinysense_record_check.h); a bad argument throws a TypeError or RangeError
 * and no kernel runs. docs/jerryscript.md has the details.
 *
 * The firmware supplies the board through tinysense_hal: memory for large
 * ArrayBuffers, optional memory-mapped flash, optional sensors. A sensor whose
 * HAL functions are NULL is absent from tinysense.sensors. setTimeout and
 * setInterval, which JerryScript lacks, are in tinysense_timers.h.
 */
#ifndef TINYSENSE_JERRY_H
#define TINYSENSE_JERRY_H

#include <stdint.h>

#include "tinysense_jerry_api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tinysense_hal {
  /* Passed back to every function. */
  void *ctx;

  /* Required. Native memory for ArrayBuffers larger than the threshold and
   * for tinysense.allocate(): at least 8-byte aligned (the arena holds uint64
   * operands), NULL when exhausted
   * (JavaScript then gets a RangeError). ESP32: heap_caps_aligned_alloc
   * (PSRAM first if configured); Zephyr: k_heap_aligned_alloc. */
  void *(*alloc)(void *ctx, uint32_t bytes);
  void (*free)(void *ctx, void *ptr, uint32_t bytes);

  /* Optional (NULL: reported as -1). */
  int32_t (*native_free)(void *ctx);
  int32_t (*native_largest)(void *ctx);

  /* Optional. Maps a read-only region (a flash partition holding a model
   * pack) into the address space: 0 with *data and *bytes set, or negative
   * when there is no such region. The mapping must stay valid until
   * jerry_cleanup(). *data must be 4-aligned. */
  int32_t (*flash_map)(void *ctx, const char *name, const uint8_t **data, uint32_t *bytes);

  /* Optional sensors. Each returns 0 (or a count) on success, negative on failure. */
  int32_t (*i2c_write_read)(void *ctx, uint8_t address, const uint8_t *write, uint32_t write_bytes, uint8_t *read,
                            uint32_t read_bytes);
  int32_t (*mic_start)(void *ctx, uint32_t sample_rate);
  /* Reads up to count 16-bit PCM samples; returns how many, or negative. */
  int32_t (*mic_read)(void *ctx, int16_t *samples, uint32_t count, uint32_t timeout_ms);
  int32_t (*mic_stop)(void *ctx);
  /* One width x height 8-bit grayscale frame into gray (width * height bytes). */
  int32_t (*camera_capture)(void *ctx, uint8_t *gray, uint32_t width, uint32_t height, uint32_t timeout_ms);
} tinysense_hal;

typedef struct {
  /* Required; must outlive the engine. */
  const tinysense_hal *hal;
  /* ArrayBuffers above this many bytes get their memory from hal->alloc
   * rather than the JerryScript heap (jerry_arraybuffer_heap_allocation_limit;
   * JerryScript's own default is 256). */
  uint32_t native_threshold;
} tinysense_jerry_config;

/* Call after jerry_init() and before any script runs. Installs the
 * ArrayBuffer allocator (replacing any other: the glue's free callback must
 * see every external buffer, see docs/jerryscript.md) and defines the global
 * `tinysense`. Returns 0, or -1 when config or config->hal->alloc/free is
 * missing or the global cannot be set. */
int32_t tinysense_jerry_init(const tinysense_jerry_config *config);

/* The handlers behind the natives, exported for tests and for firmwares that
 * want to register them under other names. */
jerry_value_t tinysense_jerry_invoke(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc);
jerry_value_t tinysense_jerry_invoke_ops(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc);
jerry_value_t tinysense_jerry_checksum(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc);
jerry_value_t tinysense_jerry_preprocess(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc);
jerry_value_t tinysense_jerry_allocate(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc);
jerry_value_t tinysense_jerry_aligned(const jerry_call_info_t *info, const jerry_value_t args[],
                                      const jerry_length_t argc);
jerry_value_t tinysense_jerry_flash(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc);
jerry_value_t tinysense_jerry_memory(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc);
jerry_value_t tinysense_jerry_accel_open(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc);
jerry_value_t tinysense_jerry_accel_read(const jerry_call_info_t *info, const jerry_value_t args[],
                                         const jerry_length_t argc);
jerry_value_t tinysense_jerry_mic_start(const jerry_call_info_t *info, const jerry_value_t args[],
                                        const jerry_length_t argc);
jerry_value_t tinysense_jerry_mic_read(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc);
jerry_value_t tinysense_jerry_mic_stop(const jerry_call_info_t *info, const jerry_value_t args[],
                                       const jerry_length_t argc);
jerry_value_t tinysense_jerry_camera_capture(const jerry_call_info_t *info, const jerry_value_t args[],
                                             const jerry_length_t argc);

/* The allocator callbacks tinysense_jerry_init installs (exported for tests). */
uint8_t *tinysense_jerry_buffer_alloc(jerry_arraybuffer_type_t type, uint32_t bytes, void **buffer_user, void *user);
void tinysense_jerry_buffer_free(jerry_arraybuffer_type_t type, uint8_t *data, uint32_t bytes, void *buffer_user,
                                 void *user);

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_JERRY_H */
