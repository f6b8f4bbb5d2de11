/* Test harness only: protocol-tool's signed-manifest commands (OpenSSL's Ed25519 behind the hook).
 *   manifest-parse MANIFEST_HEX
 *     -> OK product module version full|delta source-version|- source-sha256|- target-sha256
 *        security-version allow-downgrade signed-at key-id files (size:sha256:decoded name hex,...)
 *        or the error name
 *   manifest-check KEYS MANIFEST_HEX SIGNATURE PRODUCT MODULE VERSION|- INSTALLED FILES
 *     KEYS: public keys as hex joined by "," (- for none); SIGNATURE: base64 as sent; FILES: each
 *     downloaded file as hex joined by "," (- for none), checked as file 0, 1, ... in that order
 *     -> the check's error name, then after OK a tab and each file's result joined by ","
 *   manifest-target MANIFEST_HEX IMAGE_HEX  -> the parse's error name, or the target check's */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol-tool.h"

#define MAX_KEYS 4

typedef struct {
  const uint8_t *data;
  size_t len;
} bytes_t;

static int read_bytes(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  const bytes_t *image = (const bytes_t *)ctx;
  if ((size_t)offset + len > image->len) return UPDRAFT_E_IO;
  memcpy(buf, image->data + offset, len);
  return 0;
}

static void print_text(updraft_manifest_text_t t) {
  if (t.len == 0) printf("-");
  else fwrite(t.text, 1, t.len, stdout);
}

static void print_manifest(const updraft_manifest_t *m) {
  size_t i;
  char name[1024];
  printf("OK\t");
  print_text(m->product), printf("\t"), print_text(m->module), printf("\t"), print_text(m->version);
  printf("\t%s\t", m->is_delta ? "delta" : "full");
  print_text(m->source_version);
  printf("\t%.*s\t%.64s", m->source_sha256 != NULL ? 64 : 1, m->source_sha256 != NULL ? m->source_sha256 : "-",
         m->target_sha256);
  printf("\t%lu\t%d\t%llu\t%.16s\t", (unsigned long)m->security_version, m->allow_downgrade,
         (unsigned long long)m->signed_at, m->key_id);
  for (i = 0; i < m->file_count; i++) {
    int n = updraft_manifest_file_name(&m->files[i], name, sizeof name);
    printf("%s%llu:%.64s:", i ? "," : "", (unsigned long long)m->files[i].size, m->files[i].sha256);
    if (n < 0) printf("%s", updraft_error_name(n));
    else print_hex((const uint8_t *)name, (size_t)n);
  }
}

/* Splits a ","-joined list in place; "-" is the empty list. */
static size_t split_list(char *list, char **items, size_t max) {
  size_t n = 0;
  if (strcmp(list, "-") == 0) return 0;
  while (n < max) {
    char *comma = strchr(list, ',');
    items[n++] = list;
    if (comma == NULL) break;
    *comma = '\0';
    list = comma + 1;
  }
  return n;
}

static void cmd_check(char *rest, uint8_t *a, uint8_t *b) {
  static uint8_t keys[MAX_KEYS][32];
  updraft_signature_hook_t hooks[MAX_KEYS];
  updraft_manifest_expect_t expect;
  updraft_manifest_t m;
  uint8_t signature[64], page[61]; /* an odd page size, so that the digests cross pages */
  char *items[8];
  size_t i, key_count = split_list(next_arg(&rest), items, MAX_KEYS), len, file_count, at = 0;
  const char *sig_text;
  int rc;
  for (i = 0; i < key_count; i++) {
    hooks[i].verify = openssl_ed25519;
    hooks[i].ctx = NULL;
    hooks[i].public_key = keys[i];
    if (unhex_arg(items[i], keys[i]) != 32) memset(keys[i], 0, 32);
  }
  len = unhex_arg(next_arg(&rest), a);
  sig_text = next_arg(&rest);
  expect.product = next_arg(&rest);
  expect.module = next_arg(&rest);
  expect.version = next_arg(&rest);
  if (strcmp(expect.version, "-") == 0) expect.version = NULL;
  expect.installed_security_version = (uint32_t)strtoul(next_arg(&rest), NULL, 10);
  rc = updraft_manifest_signature(sig_text, strlen(sig_text), signature);
  if (rc == UPDRAFT_OK) rc = updraft_manifest_check(hooks, key_count, a, len, signature, &expect, &m);
  printf("%s", updraft_error_name(rc));
  if (rc != UPDRAFT_OK) return;
  printf("\t");
  file_count = split_list(next_arg(&rest), items, 8);
  for (i = 0; i < file_count; i++) {
    bytes_t file;
    file.data = b + at;
    file.len = unhex_arg(items[i], b + at);
    at += file.len;
    rc = updraft_manifest_check_file(&m, i, read_bytes, &file, (uint32_t)file.len, page, sizeof page);
    printf("%s%s", i ? "," : "", updraft_error_name(rc));
  }
}

int manifest_command(const char *cmd, char *rest, uint8_t *a, uint8_t *b) {
  updraft_manifest_t m;
  if (strcmp(cmd, "manifest-parse") == 0) {
    int rc = updraft_manifest_parse(a, unhex_arg(next_arg(&rest), a), &m);
    if (rc) printf("%s", updraft_error_name(rc));
    else print_manifest(&m);
  } else if (strcmp(cmd, "manifest-check") == 0) {
    cmd_check(rest, a, b);
  } else if (strcmp(cmd, "manifest-target") == 0) {
    uint8_t page[61];
    bytes_t image;
    int rc = updraft_manifest_parse(a, unhex_arg(next_arg(&rest), a), &m);
    image.data = b;
    image.len = unhex_arg(next_arg(&rest), b);
    if (rc == UPDRAFT_OK)
      rc = updraft_manifest_check_target(&m, read_bytes, &image, (uint32_t)image.len, page, sizeof page);
    printf("%s", updraft_error_name(rc));
  } else {
    return 0;
  }
  return 1;
}
