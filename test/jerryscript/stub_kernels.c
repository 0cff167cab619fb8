/*
 * stub_kernels.c: TEST DOUBLE of the two kernel entry points, for testing the
 * JerryScript glue's argument checks when kernels-c/src is not there (or in
 * addition to the real kernels). ts_invoke only returns stub_status; the
 * harness counts calls through the linker's --wrap=ts_invoke. ts_checksum is
 * a plain bitwise CRC-32 (IEEE), the function the real one must equal.
 */
#include <stdint.h>

#include "tinysense_nn.h"

int32_t stub_status = 0;

int32_t ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  (void)record;
  (void)arena;
  (void)pack;
  return stub_status;
}

int32_t ts_checksum(const uint8_t *data, int32_t length) {
  uint32_t crc = 0xffffffffu;
  int32_t i;
  int k;
  for (i = 0; i < length; i++) {
    crc ^= data[i];
    for (k = 0; k < 8; k++) crc = (crc & 1u) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
  }
  return (int32_t)~crc;
}

int32_t ts_preprocess(const int32_t *params, const uint8_t *src, uint8_t *dst, int32_t arg) {
  (void)params;
  (void)src;
  (void)dst;
  (void)arg;
  return stub_status;
}
