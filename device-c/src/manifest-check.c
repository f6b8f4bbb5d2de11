/* A signed manifest checked on the device (docs/signing.md "On the device"), as the SDK's
 * signature-check.ts does: the key its key id names among the device's trusted keys, the Ed25519
 * signature over the exact bytes through the integrator's hook, the product and module, the
 * security version, and each downloaded file's size and sha256 computed from the bytes read back. */
#include <string.h>

#include "updraft/manifest.h"
#include "updraft/onenet.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int updraft_manifest_signature(const char *base64, size_t len, uint8_t signature[64]) {
  if (base64 == NULL || signature == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  while (len > 0 && is_space(base64[0])) base64++, len--;
  while (len > 0 && is_space(base64[len - 1])) len--;
  if (len != UPDRAFT_SIGNATURE_BASE64_LEN) return UPDRAFT_E_MALFORMED;
  return updraft_base64_decode(base64, len, signature, 64) == 64 ? UPDRAFT_OK : UPDRAFT_E_MALFORMED;
}

/* The key id of a raw public key: the first 8 bytes of its sha256. */
static int has_key_id(const uint8_t public_key[32], const char *key_id) {
  updraft_sha256_t s;
  uint8_t digest[32], id[8];
  updraft_sha256_init(&s);
  updraft_sha256_update(&s, public_key, 32);
  updraft_sha256_final(&s, digest);
  return updraft_unhex(key_id, 16, id, 8) == UPDRAFT_OK && memcmp(digest, id, 8) == 0;
}

static int is_text(updraft_manifest_text_t t, const char *expected) {
  size_t n = strlen(expected);
  return n == t.len && memcmp(t.text, expected, n) == 0;
}

int updraft_manifest_check(const updraft_signature_hook_t *keys, size_t key_count, const uint8_t *manifest,
                           size_t len, const uint8_t signature[64], const updraft_manifest_expect_t *expect,
                           updraft_manifest_t *m) {
  size_t i;
  int rc;
  if (signature == NULL || expect == NULL || expect->product == NULL || expect->module == NULL)
    return UPDRAFT_E_INVALID_ARGUMENT;
  rc = updraft_manifest_parse(manifest, len, m);
  if (rc) return rc;
  if (keys == NULL || key_count == 0) return UPDRAFT_E_NO_VERIFIER;
  for (i = 0; i < key_count; i++)
    if (keys[i].public_key != NULL && has_key_id(keys[i].public_key, m->key_id)) break;
  if (i == key_count) return UPDRAFT_E_UNKNOWN_KEY;
  rc = updraft_verify_signature(&keys[i], manifest, len, signature);
  if (rc) return rc;
  if (!is_text(m->product, expect->product) || !is_text(m->module, expect->module) ||
      (expect->version != NULL && !is_text(m->version, expect->version)))
    return UPDRAFT_E_WRONG_PRODUCT;
  if (m->security_version < expect->installed_security_version && !m->allow_downgrade) return UPDRAFT_E_DOWNGRADE;
  return UPDRAFT_OK;
}

/* size bytes read back hash to sha256_hex (64 lower-case hex digits, checked by the parser). */
static int check_sha256(const char *sha256_hex, updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf,
                        uint32_t buf_len) {
  uint8_t expected[32], actual[32];
  int rc = updraft_unhex(sha256_hex, 64, expected, 32);
  if (rc) return rc;
  rc = updraft_image_sha256(read, ctx, size, buf, buf_len, actual);
  if (rc) return rc;
  return memcmp(expected, actual, 32) == 0 ? UPDRAFT_OK : UPDRAFT_E_FILE_MISMATCH;
}

int updraft_manifest_check_file(const updraft_manifest_t *m, size_t index, updraft_read_fn read, void *ctx,
                                uint32_t size, uint8_t *buf, uint32_t buf_len) {
  if (m == NULL || index >= m->file_count) return UPDRAFT_E_INVALID_ARGUMENT;
  if (m->files[index].size != size) return UPDRAFT_E_FILE_MISMATCH;
  return check_sha256(m->files[index].sha256, read, ctx, size, buf, buf_len);
}

int updraft_manifest_check_target(const updraft_manifest_t *m, updraft_read_fn read, void *ctx, uint32_t size,
                                  uint8_t *buf, uint32_t buf_len) {
  if (m == NULL || m->target_sha256 == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  return check_sha256(m->target_sha256, read, ctx, size, buf, buf_len);
}
