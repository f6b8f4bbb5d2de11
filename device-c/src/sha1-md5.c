/* SHA-1 (FIPS 180-4 §6.1) and MD5 (RFC 1321): the digests OneNET's token may be signed with and
 * the md5 that download offers carry. Both share the 64-byte block buffering of md-block.h. */
#include <string.h>

#include "md-block.h"
#include "updraft/hash.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sha1_compress(uint32_t *h, const uint8_t *block) {
  uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  unsigned i;
  for (i = 0; i < 80; i++) {
    uint32_t f, k, t;
    if (i < 16) {
      w[i] = ((uint32_t)block[4 * i] << 24) | ((uint32_t)block[4 * i + 1] << 16) |
             ((uint32_t)block[4 * i + 2] << 8) | block[4 * i + 3];
    } else {
      t = w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15];
      w[i & 15] = ROL(t, 1);
    }
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    t = ROL(a, 5) + f + e + k + w[i & 15];
    e = d;
    d = c;
    c = ROL(b, 30);
    b = a;
    a = t;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

void updraft_sha1_init(updraft_sha1_t *s) {
  s->h[0] = 0x67452301;
  s->h[1] = 0xefcdab89;
  s->h[2] = 0x98badcfe;
  s->h[3] = 0x10325476;
  s->h[4] = 0xc3d2e1f0;
  s->len_lo = s->len_hi = 0;
}

void updraft_sha1_update(updraft_sha1_t *s, const uint8_t *data, size_t len) {
  updraft_md_update(s->h, &s->len_lo, &s->len_hi, s->block, data, len, sha1_compress);
}

void updraft_sha1_final(updraft_sha1_t *s, uint8_t out[20]) {
  unsigned i;
  updraft_md_pad(s->h, s->len_lo, s->len_hi, s->block, 1, sha1_compress);
  for (i = 0; i < 20; i++) out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

static const uint32_t MD5_K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
static const uint8_t MD5_R[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static void md5_compress(uint32_t *h, const uint8_t *block) {
  uint32_t m[16], a = h[0], b = h[1], c = h[2], d = h[3];
  unsigned i;
  for (i = 0; i < 16; i++)
    m[i] = (uint32_t)block[4 * i] | ((uint32_t)block[4 * i + 1] << 8) | ((uint32_t)block[4 * i + 2] << 16) |
           ((uint32_t)block[4 * i + 3] << 24);
  for (i = 0; i < 64; i++) {
    uint32_t f, g, t;
    unsigned r = MD5_R[(i / 16) * 4 + (i & 3)];
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    t = d;
    d = c;
    c = b;
    f += a + MD5_K[i] + m[g];
    b += ROL(f, r);
    a = t;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
}

void updraft_md5_init(updraft_md5_t *s) {
  s->h[0] = 0x67452301;
  s->h[1] = 0xefcdab89;
  s->h[2] = 0x98badcfe;
  s->h[3] = 0x10325476;
  s->len_lo = s->len_hi = 0;
}

void updraft_md5_update(updraft_md5_t *s, const uint8_t *data, size_t len) {
  updraft_md_update(s->h, &s->len_lo, &s->len_hi, s->block, data, len, md5_compress);
}

void updraft_md5_final(updraft_md5_t *s, uint8_t out[16]) {
  unsigned i;
  updraft_md_pad(s->h, s->len_lo, s->len_hi, s->block, 0, md5_compress);
  for (i = 0; i < 16; i++) out[i] = (uint8_t)(s->h[i / 4] >> (8 * (i % 4)));
}
