/* Test harness only: protocol-tool's Quectel frame and TTLV commands, and the image and Ed25519
 * verification commands (OpenSSL's Ed25519 behind the library's hook, as an integrator would plug in
 * the crypto of their platform). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol-tool.h"

static void ttlv_dump(const uint8_t *data, size_t len) {
  updraft_ttlv_reader_t r;
  updraft_ttlv_node_t node;
  int rc;
  updraft_ttlv_reader_init(&r, data, len);
  while ((rc = updraft_ttlv_next(&r, &node)) == 1) {
    printf("%u/%u/%u", node.depth, node.id, node.type);
    if (node.type == UPDRAFT_TTLV_NUMBER)
      printf("/%s%llu/%u", node.negative ? "-" : "", (unsigned long long)node.magnitude, node.exponent);
    if (node.type == UPDRAFT_TTLV_BYTES) printf("/"), print_hex(node.data, node.len);
    if (node.type == UPDRAFT_TTLV_STRUCT) printf("/%u", node.len);
    printf(";");
  }
  if (rc < 0) printf("%s", updraft_error_name(rc));
}

static void ttlv_build(char *spec, uint8_t *out, uint8_t *scratch) {
  updraft_ttlv_writer_t w;
  char *item = strtok(spec, ",");
  int32_t n;
  updraft_ttlv_writer_init(&w, out, 1 << 16);
  for (; item != NULL; item = strtok(NULL, ",")) {
    char kind = item[0];
    uint16_t id = (uint16_t)strtoul(item + 2, NULL, 10);
    if (kind == 'T' || kind == 'F') updraft_ttlv_bool(&w, id, kind == 'T');
    else if (kind == '{') updraft_ttlv_begin(&w, id);
    else if (kind == '}') updraft_ttlv_end(&w);
    else if (kind == 'N') {
      char *p = strchr(item + 2, ':') + 1;
      int negative = atoi(p);
      unsigned long long magnitude;
      p = strchr(p, ':') + 1;
      magnitude = strtoull(p, &p, 10);
      updraft_ttlv_number(&w, id, magnitude, negative, (unsigned)atoi(p + 1));
    } else if (kind == 'S') {
      updraft_ttlv_bytes(&w, id, scratch, unhex_arg(strchr(item + 2, ':') + 1, scratch));
    }
  }
  n = updraft_ttlv_finish(&w);
  if (n < 0) printf("%s", updraft_error_name(n));
  else print_hex(out, (size_t)n);
}

int quectel_command(const char *cmd, char *rest, uint8_t *a, uint8_t *b) {
  if (strcmp(cmd, "frame-encode") == 0) {
    uint16_t id = (uint16_t)strtoul(next_arg(&rest), NULL, 10), command = (uint16_t)strtoul(next_arg(&rest), NULL, 10);
    size_t n = unhex_arg(next_arg(&rest), a);
    int32_t len = updraft_qframe_encode(b, 1 << 18, id, command, a, n);
    if (len < 0) printf("%s", updraft_error_name(len));
    else print_hex(b, (size_t)len);
  } else if (strcmp(cmd, "frame-decode") == 0) {
    updraft_qframe_t frame;
    size_t n = unhex_arg(next_arg(&rest), a);
    int rc = updraft_qframe_decode(a, n, &frame);
    if (rc) printf("%s", updraft_error_name(rc));
    else printf("OK\t%u\t%u\t", frame.packet_id, frame.cmd), print_hex(frame.payload, frame.payload_len);
  } else if (strcmp(cmd, "ttlv-dump") == 0) {
    ttlv_dump(a, unhex_arg(next_arg(&rest), a));
  } else if (strcmp(cmd, "ttlv-build") == 0) {
    ttlv_build(next_arg(&rest), a, b);
  } else {
    return 0;
  }
  return 1;
}

int openssl_ed25519(void *ctx, const uint8_t public_key[32], const uint8_t *msg, size_t msg_len,
                    const uint8_t signature[64]) {
  EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key, 32);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int ok = key != NULL && md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
           EVP_DigestVerify(md, signature, 64, msg, msg_len) == 1;
  (void)ctx;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  return ok ? 0 : 1;
}

typedef struct {
  const uint8_t *data;
  size_t len;
} image_t;

static int read_image(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  const image_t *image = (const image_t *)ctx;
  if ((size_t)offset + len > image->len) return UPDRAFT_E_IO;
  memcpy(buf, image->data + offset, len);
  return 0;
}

int verify_command(const char *cmd, char *rest, uint8_t *a, uint8_t *b) {
  if (strcmp(cmd, "ed25519") == 0) {
    uint8_t key[32], signature[64];
    const char *key_hex = next_arg(&rest);
    updraft_signature_hook_t hook = {openssl_ed25519, NULL, key};
    size_t msg_len = unhex_arg(next_arg(&rest), a);
    int rc;
    if (strcmp(key_hex, "-") == 0) hook.verify = NULL;
    else unhex_arg(key_hex, key);
    if (unhex_arg(next_arg(&rest), signature) != 64) memset(signature, 0, sizeof signature);
    rc = updraft_verify_signature(&hook, a, msg_len, signature);
    printf("%s", updraft_error_name(rc));
  } else if (strcmp(cmd, "image") == 0) {
    int kind = updraft_digest_from_name(next_arg(&rest));
    const char *expected = next_arg(&rest);
    image_t image;
    uint8_t page[61]; /* an odd page size, so that the digests cross pages */
    int rc;
    image.data = b;
    image.len = unhex_arg(next_arg(&rest), b);
    (void)a;
    rc = updraft_image_check(read_image, &image, (uint32_t)image.len, page, sizeof page, (updraft_digest_t)kind,
                             expected, strlen(expected));
    printf("%s", updraft_error_name(rc));
  } else {
    return 0;
  }
  return 1;
}
