/* Image digests read back through a callback, digest comparison and the Ed25519 hook. */
#include <string.h>

#include "updraft/verify.h"

int updraft_image_digests(updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf, uint32_t buf_len,
                          uint8_t sha256[32], uint8_t md5[16]) {
  updraft_sha256_t s;
  updraft_md5_t m;
  uint32_t offset;
  if (read == NULL || buf == NULL || buf_len == 0) return UPDRAFT_E_INVALID_ARGUMENT;
  updraft_sha256_init(&s);
  updraft_md5_init(&m);
  for (offset = 0; offset < size;) {
    uint32_t n = size - offset < buf_len ? size - offset : buf_len;
    int rc = read(ctx, offset, buf, n);
    if (rc) return rc < 0 ? rc : UPDRAFT_E_IO;
    if (sha256 != NULL) updraft_sha256_update(&s, buf, n);
    if (md5 != NULL) updraft_md5_update(&m, buf, n);
    offset += n;
  }
  if (sha256 != NULL) updraft_sha256_final(&s, sha256);
  if (md5 != NULL) updraft_md5_final(&m, md5);
  return UPDRAFT_OK;
}

int updraft_image_sha256(updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf, uint32_t buf_len,
                         uint8_t sha256[32]) {
  updraft_sha256_t s;
  uint32_t offset;
  if (read == NULL || buf == NULL || buf_len == 0 || sha256 == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  updraft_sha256_init(&s);
  for (offset = 0; offset < size;) {
    uint32_t n = size - offset < buf_len ? size - offset : buf_len;
    int rc = read(ctx, offset, buf, n);
    if (rc) return rc < 0 ? rc : UPDRAFT_E_IO;
    updraft_sha256_update(&s, buf, n);
    offset += n;
  }
  updraft_sha256_final(&s, sha256);
  return UPDRAFT_OK;
}

int updraft_image_check(updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf, uint32_t buf_len,
                        updraft_digest_t kind, const char *expected_hex, size_t hex_len) {
  uint8_t expected[32], actual[32];
  size_t n = kind == UPDRAFT_DIGEST_MD5 ? 16 : 32;
  int rc = updraft_unhex(expected_hex, hex_len, expected, n);
  if (rc) return rc;
  rc = kind == UPDRAFT_DIGEST_MD5 ? updraft_image_digests(read, ctx, size, buf, buf_len, NULL, actual)
                                  : updraft_image_digests(read, ctx, size, buf, buf_len, actual, NULL);
  if (rc) return rc;
  return memcmp(expected, actual, n) == 0 ? UPDRAFT_OK : UPDRAFT_E_BAD_SIGNATURE;
}

static int same_name(const char *a, const char *lower) {
  for (; *lower != '\0'; a++, lower++) {
    char c = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
    if (c != *lower) return 0;
  }
  return *a == '\0';
}

int updraft_digest_from_name(const char *name) {
  if (name == NULL) return -1;
  if (same_name(name, "md5")) return UPDRAFT_DIGEST_MD5;
  if (same_name(name, "sha256")) return UPDRAFT_DIGEST_SHA256;
  return -1;
}

int updraft_verify_signature(const updraft_signature_hook_t *hook, const uint8_t *msg, size_t msg_len,
                             const uint8_t signature[64]) {
  if (hook == NULL || hook->verify == NULL || hook->public_key == NULL) return UPDRAFT_E_NO_VERIFIER;
  return hook->verify(hook->ctx, hook->public_key, msg, msg_len, signature) == 0 ? UPDRAFT_OK
                                                                                 : UPDRAFT_E_BAD_SIGNATURE;
}
