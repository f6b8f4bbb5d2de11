/* Merkle-Damgard block buffering shared by SHA-1 and MD5. */
#include <string.h>

#include "md-block.h"

void updraft_md_update(uint32_t *h, uint32_t *len_lo, uint32_t *len_hi, uint8_t *block, const uint8_t *data,
                       size_t len, updraft_md_compress_fn compress) {
  size_t used = *len_lo & 63u;
  uint32_t before = *len_lo;
  *len_lo += (uint32_t)len;
  if (*len_lo < before) (*len_hi)++;
  if (used > 0) {
    size_t take = 64 - used < len ? 64 - used : len;
    memcpy(block + used, data, take);
    data += take;
    len -= take;
    if (used + take < 64) return;
    compress(h, block);
  }
  for (; len >= 64; data += 64, len -= 64) compress(h, data);
  if (len > 0) memcpy(block, data, len);
}

void updraft_md_pad(uint32_t *h, uint32_t len_lo, uint32_t len_hi, uint8_t *block, int big_endian,
                    updraft_md_compress_fn compress) {
  size_t used = len_lo & 63u;
  uint32_t hi = (len_hi << 3) | (len_lo >> 29), lo = len_lo << 3;
  unsigned i;
  block[used++] = 0x80;
  if (used > 56) {
    memset(block + used, 0, 64 - used);
    compress(h, block);
    used = 0;
  }
  memset(block + used, 0, 56 - used);
  for (i = 0; i < 8; i++) {
    uint32_t word = i < 4 ? (big_endian ? hi : lo) : (big_endian ? lo : hi);
    unsigned shift = big_endian ? 24 - 8 * (i & 3) : 8 * (i & 3);
    block[56 + i] = (uint8_t)(word >> shift);
  }
  compress(h, block);
}
