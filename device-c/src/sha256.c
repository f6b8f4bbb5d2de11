/* SHA-256 (FIPS 180-4 §6.2), incremental, the round constants in flash and nothing else in RAM
 * beyond the 104-byte state. A platform with a hash engine (STM32 HASH, ESP32 SHA, the x86 SHA
 * extensions) can take over the block function: build with
 *   -DUPDRAFT_SHA256_BLOCKS=my_blocks
 * and provide void my_blocks(uint32_t state[8], const uint8_t *data, size_t blocks), which runs
 * the compression function over `blocks` 64-byte blocks (state words in host order). */
#include <string.h>

#include "md-block.h"
#include "updraft/hash.h"

/* The round constants (FIPS 180-4 §4.2.2); exported for a block function plugged in by a platform. */
const uint32_t updraft_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
#define K updraft_sha256_k

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

#define S0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define G0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define G1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
/* One round with the eight working variables renamed instead of moved (FIPS 180-4 §6.2.2 step 3):
 * round i + k, with message word wk. */
#define ROUND(a, b, c, d, e, f, g, h, k, wk)                         \
  do {                                                               \
    uint32_t t1 = h + S1(e) + CH(e, f, g) + K[i + (k)] + (wk);       \
    d += t1;                                                         \
    h = t1 + S0(a) + MAJ(a, b, c);                                   \
  } while (0)
/* Eight rounds; W(k) gives the message word of round i + k. */
#define EIGHT(W, k)                                 \
  ROUND(a, b, c, d, e, f, g, h, (k), W(k));         \
  ROUND(h, a, b, c, d, e, f, g, (k) + 1, W((k) + 1)); \
  ROUND(g, h, a, b, c, d, e, f, (k) + 2, W((k) + 2)); \
  ROUND(f, g, h, a, b, c, d, e, (k) + 3, W((k) + 3)); \
  ROUND(e, f, g, h, a, b, c, d, (k) + 4, W((k) + 4)); \
  ROUND(d, e, f, g, h, a, b, c, (k) + 5, W((k) + 5)); \
  ROUND(c, d, e, f, g, h, a, b, (k) + 6, W((k) + 6)); \
  ROUND(b, c, d, e, f, g, h, a, (k) + 7, W((k) + 7))
/* The 16-word message schedule as a ring: word k of a block of 16 rounds from the 16 before it. */
#define LOADED(k) w[(k) & 15]
#define SCHEDULED(k) \
  (w[(k) & 15] += G1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + G0(w[((k) + 1) & 15]))

#ifndef UPDRAFT_SHA256_BLOCKS
static void compress(uint32_t *state, const uint8_t *block) {
  uint32_t w[16], a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5],
                  g = state[6], h = state[7];
  unsigned i;
  for (i = 0; i < 16; i++)
    w[i] = ((uint32_t)block[4 * i] << 24) | ((uint32_t)block[4 * i + 1] << 16) | ((uint32_t)block[4 * i + 2] << 8) |
           block[4 * i + 3];
#ifdef __OPTIMIZE_SIZE__
  /* -Os (a microcontroller build): eight rounds in a loop, the ring indexed at run time. */
#define RING(k) w[(i + (k)) & 15]
  for (i = 0; i < 64; i += 8) {
    if (i >= 16) {
      unsigned j;
      for (j = i; j < i + 8; j++) w[j & 15] += G1(w[(j - 2) & 15]) + w[(j - 7) & 15] + G0(w[(j - 15) & 15]);
    }
    EIGHT(RING, 0);
  }
#else
  /* Sixteen rounds at a time, so that every index into the ring is a constant. */
  i = 0;
  EIGHT(LOADED, 0);
  EIGHT(LOADED, 8);
  for (i = 16; i < 64; i += 16) {
    EIGHT(SCHEDULED, 0);
    EIGHT(SCHEDULED, 8);
  }
#endif
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}
#endif

#ifdef UPDRAFT_SHA256_BLOCKS
void UPDRAFT_SHA256_BLOCKS(uint32_t state[8], const uint8_t *data, size_t blocks);
static void compress_block(uint32_t *state, const uint8_t *block) { UPDRAFT_SHA256_BLOCKS(state, block, 1); }
#else
#define compress_block compress
#endif

void updraft_sha256_init(updraft_sha256_t *s) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, iv, sizeof iv);
  s->len_lo = s->len_hi = 0;
}

void updraft_sha256_update(updraft_sha256_t *s, const uint8_t *data, size_t len) {
  updraft_md_update(s->h, &s->len_lo, &s->len_hi, s->block, data, len, compress_block);
}

void updraft_sha256_final(updraft_sha256_t *s, uint8_t out[32]) {
  unsigned i;
  updraft_md_pad(s->h, s->len_lo, s->len_hi, s->block, 1, compress_block);
  for (i = 0; i < 32; i++) out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}
