/* CRC-32 (the patch format's, ISO-HDLC) and ThingsPanel's three CRC-16 variants, four bits at a
 * time from 16-entry tables in flash: 32 to 64 bytes of table each instead of 512 or 1,024. */
#include "updraft/hash.h"

static const uint32_t CRC32_NIBBLE[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};

uint32_t updraft_crc32(uint32_t previous, const uint8_t *data, size_t len) {
  uint32_t crc = ~previous;
  size_t i;
  for (i = 0; i < len; i++) {
    crc ^= data[i];
    crc = (crc >> 4) ^ CRC32_NIBBLE[crc & 15u];
    crc = (crc >> 4) ^ CRC32_NIBBLE[crc & 15u];
  }
  return ~crc;
}

/* Reflected tables: entry n is n run through 4 shifts of the reflected polynomial. */
static const uint16_t CRC16_IBM_NIBBLE[16] = {0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401,
                                              0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01, 0x8801, 0x4400};
static const uint16_t CRC16_CCITT_NIBBLE[16] = {0x0000, 0x1081, 0x2102, 0x3183, 0x4204, 0x5285, 0x6306, 0x7387,
                                                0x8408, 0x9489, 0xa50a, 0xb58b, 0xc60c, 0xd68d, 0xe70e, 0xf78f};
/* MSB-first table for poly 0x3D65: entry n is (n << 12) run through 4 shifts. */
static const uint16_t CRC16_MBUS_NIBBLE[16] = {0x0000, 0x3d65, 0x7aca, 0x47af, 0xf594, 0xc8f1, 0x8f5e, 0xb23b,
                                               0xd64d, 0xeb28, 0xac87, 0x91e2, 0x23d9, 0x1ebc, 0x5913, 0x6476};

uint16_t updraft_crc16_init(updraft_crc16_method_t method) { return method == UPDRAFT_CRC16_MBUS ? 0 : 0xffff; }

uint16_t updraft_crc16_update(updraft_crc16_method_t method, uint16_t state, const uint8_t *data, size_t len) {
  uint32_t crc = state;
  size_t i;
  if (method == UPDRAFT_CRC16_MBUS) {
    for (i = 0; i < len; i++) {
      crc = ((crc << 4) & 0xffffu) ^ CRC16_MBUS_NIBBLE[((crc >> 12) ^ (data[i] >> 4)) & 15u];
      crc = ((crc << 4) & 0xffffu) ^ CRC16_MBUS_NIBBLE[((crc >> 12) ^ data[i]) & 15u];
    }
  } else {
    const uint16_t *table = method == UPDRAFT_CRC16_CCITT ? CRC16_CCITT_NIBBLE : CRC16_IBM_NIBBLE;
    for (i = 0; i < len; i++) {
      crc ^= data[i];
      crc = (crc >> 4) ^ table[crc & 15u];
      crc = (crc >> 4) ^ table[crc & 15u];
    }
  }
  return (uint16_t)crc;
}

uint16_t updraft_crc16_final(updraft_crc16_method_t method, uint16_t state) {
  return method == UPDRAFT_CRC16_MBUS ? state : (uint16_t)~state;
}
