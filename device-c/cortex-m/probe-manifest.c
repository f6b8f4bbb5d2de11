/* Size probe: the signed manifest (parse, signature, key id, product and downgrade checks, each file
 * read back and hashed). SHA-256 is shared with the patcher; the Ed25519 verify is the integrator's. */
#include "updraft/manifest.h"

int probe_entry(const updraft_signature_hook_t *keys, const uint8_t *text, size_t len, updraft_read_fn read,
                uint8_t *page);
int probe_entry(const updraft_signature_hook_t *keys, const uint8_t *text, size_t len, updraft_read_fn read,
                uint8_t *page) {
  updraft_manifest_expect_t expect = {"pk_meter", "default", 0, 7};
  updraft_manifest_t m;
  uint8_t signature[64];
  char name[256];
  int rc = updraft_manifest_signature((const char *)page, 88, signature);
  rc |= updraft_manifest_check(keys, 2, text, len, signature, &expect, &m);
  rc |= updraft_manifest_check_file(&m, 0, read, 0, 1000, page, 256);
  rc |= updraft_manifest_check_target(&m, read, 0, 1000, page, 256);
  return rc | updraft_manifest_file_name(&m.files[0], name, sizeof name);
}
