/* HMAC (RFC 2104) over MD5, SHA-1 and SHA-256, and hex helpers. A key longer than the 64-byte
 * block is hashed first, as the RFC says. */
#include <string.h>

#include "updraft/hash.h"

typedef union {
  updraft_md5_t md5;
  updraft_sha1_t sha1;
  updraft_sha256_t sha256;
} any_hash_t;

static void hash_init(updraft_hmac_alg_t alg, any_hash_t *h) {
  if (alg == UPDRAFT_HMAC_MD5) updraft_md5_init(&h->md5);
  else if (alg == UPDRAFT_HMAC_SHA1) updraft_sha1_init(&h->sha1);
  else updraft_sha256_init(&h->sha256);
}

static void hash_update(updraft_hmac_alg_t alg, any_hash_t *h, const uint8_t *data, size_t len) {
  if (alg == UPDRAFT_HMAC_MD5) updraft_md5_update(&h->md5, data, len);
  else if (alg == UPDRAFT_HMAC_SHA1) updraft_sha1_update(&h->sha1, data, len);
  else updraft_sha256_update(&h->sha256, data, len);
}

static void hash_final(updraft_hmac_alg_t alg, any_hash_t *h, uint8_t *out) {
  if (alg == UPDRAFT_HMAC_MD5) updraft_md5_final(&h->md5, out);
  else if (alg == UPDRAFT_HMAC_SHA1) updraft_sha1_final(&h->sha1, out);
  else updraft_sha256_final(&h->sha256, out);
}

int updraft_hmac(updraft_hmac_alg_t alg, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                 uint8_t *out) {
  int size = alg == UPDRAFT_HMAC_MD5 ? 16 : alg == UPDRAFT_HMAC_SHA1 ? 20 : alg == UPDRAFT_HMAC_SHA256 ? 32 : 0;
  uint8_t pad[64], inner[32];
  any_hash_t h;
  unsigned i;
  if (size == 0) return UPDRAFT_E_INVALID_ARGUMENT;
  memset(pad, 0, sizeof pad);
  if (key_len > 64) {
    hash_init(alg, &h);
    hash_update(alg, &h, key, key_len);
    hash_final(alg, &h, pad);
  } else if (key_len > 0) {
    memcpy(pad, key, key_len);
  }
  for (i = 0; i < 64; i++) pad[i] ^= 0x36;
  hash_init(alg, &h);
  hash_update(alg, &h, pad, 64);
  hash_update(alg, &h, msg, msg_len);
  hash_final(alg, &h, inner);
  for (i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5c;
  hash_init(alg, &h);
  hash_update(alg, &h, pad, 64);
  hash_update(alg, &h, inner, (size_t)size);
  hash_final(alg, &h, out);
  return size;
}

void updraft_hex(const uint8_t *bytes, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  out[2 * n] = '\0';
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int updraft_unhex(const char *hex, size_t hex_len, uint8_t *out, size_t n) {
  size_t i;
  if (hex_len != 2 * n) return UPDRAFT_E_MALFORMED;
  for (i = 0; i < n; i++) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return UPDRAFT_E_MALFORMED;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return UPDRAFT_OK;
}
