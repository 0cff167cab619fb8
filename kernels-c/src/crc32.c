/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib's crc32() and
 * Espruino's E.CRC32: ts_crc32(0, data, n) is the CRC of n bytes, and
 * ts_crc32(ts_crc32(0, a, n), b, m) continues it. A 16-entry table, one
 * nibble at a time: 64 bytes of table instead of 1 KiB.
 */
#include "tinysense_nn.h"

static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
    0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};

uint32_t ts_crc32(uint32_t crc, const uint8_t *data, int32_t length) {
  int32_t i;
  crc = ~crc;
  for (i = 0; i < length; ++i) {
    crc ^= data[i];
    crc = (crc >> 4) ^ crc_nibble[crc & 15u];
    crc = (crc >> 4) ^ crc_nibble[crc & 15u];
  }
  return ~crc;
}

int32_t ts_checksum(const uint8_t *data, int32_t length) {
  return (int32_t)ts_crc32(0u, data, length);
}
