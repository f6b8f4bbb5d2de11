/* Merkle-Damgard block buffering shared by SHA-1 and MD5 (64-byte blocks, 64-bit bit length). */
#ifndef UPDRAFT_MD_BLOCK_H
#define UPDRAFT_MD_BLOCK_H

#include <stddef.h>
#include <stdint.h>

typedef void (*updraft_md_compress_fn)(uint32_t *h, const uint8_t *block);

void updraft_md_update(uint32_t *h, uint32_t *len_lo, uint32_t *len_hi, uint8_t *block, const uint8_t *data,
                       size_t len, updraft_md_compress_fn compress);
/* Pads and compresses the last block(s); the length is big-endian when big_endian is 1. */
void updraft_md_pad(uint32_t *h, uint32_t len_lo, uint32_t len_hi, uint8_t *block, int big_endian,
                    updraft_md_compress_fn compress);

#endif
