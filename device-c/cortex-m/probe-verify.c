/* Size probe: image verification (SHA-256 and MD5 read back, the CRC-16s, the Ed25519 hook). */
#include "updraft/verify.h"

int probe_entry(updraft_read_fn read, const updraft_signature_hook_t *hook, const uint8_t *sig, uint8_t *page);
int probe_entry(updraft_read_fn read, const updraft_signature_hook_t *hook, const uint8_t *sig, uint8_t *page) {
  uint8_t sha[32];
  int rc = updraft_image_check(read, 0, 1000, page, 256, UPDRAFT_DIGEST_MD5, (const char *)sig, 32);
  rc |= updraft_image_digests(read, 0, 1000, page, 256, sha, 0);
  rc |= updraft_crc16_update(UPDRAFT_CRC16_MBUS, 0, page, 8) + updraft_crc16_update(UPDRAFT_CRC16_IBM, 0, page, 8);
  return rc | updraft_verify_signature(hook, sha, 32, sig);
}
