/* libFuzzer target: the protocol helpers on mutated input. The first byte chooses the helper:
 *   0  Quectel frame decode, then every TTLV node of its payload
 *   1  TTLV nodes of the input, re-encoded through the writer and read again
 *   2  ThingsPanel push parse
 *   3  frame encode of the input as payload, decode, and the same payload back (must hold)
 *   4  OneNET token and ThingsPanel progress with input text as resource, key and description
 *   5  signed manifest parse (every field inside the input, every name decodable), then the full
 *      check with a hook that accepts any signature under the all-zero key (key id 66687aadf862bd77)
 *      and each listed file against a made-up download
 * Any result is fine except a crash, an out-of-bounds access, undefined behaviour, or a round trip
 * that does not give back what went in. */
#include <stdint.h>
#include <string.h>

#include "updraft/updraft.h"

static void walk_ttlv(const uint8_t *data, size_t len) {
  updraft_ttlv_reader_t r;
  updraft_ttlv_node_t node;
  int32_t value;
  updraft_ttlv_reader_init(&r, data, len);
  while (updraft_ttlv_next(&r, &node) == 1) (void)updraft_ttlv_node_int(&node, &value);
}

/* Copies every well-formed top-level scalar node into a writer and checks the reader sees them. */
static void reencode_ttlv(const uint8_t *data, size_t len) {
  static uint8_t out[1u << 17];
  updraft_ttlv_reader_t r;
  updraft_ttlv_writer_t w;
  updraft_ttlv_node_t node, again;
  unsigned written = 0, read = 0;
  int32_t n;
  updraft_ttlv_reader_init(&r, data, len);
  updraft_ttlv_writer_init(&w, out, sizeof out);
  while (updraft_ttlv_next(&r, &node) == 1) {
    if (node.depth != 0 || node.type == UPDRAFT_TTLV_STRUCT) continue;
    if (node.type == UPDRAFT_TTLV_NUMBER) updraft_ttlv_number(&w, node.id, node.magnitude, node.negative, node.exponent);
    else if (node.type == UPDRAFT_TTLV_BYTES) updraft_ttlv_bytes(&w, node.id, node.data, node.len);
    else updraft_ttlv_bool(&w, node.id, node.type == UPDRAFT_TTLV_TRUE);
    written++;
  }
  n = updraft_ttlv_finish(&w);
  if (n < 0) __builtin_trap();
  updraft_ttlv_reader_init(&r, out, (size_t)n);
  while (updraft_ttlv_next(&r, &again) == 1) read++;
  if (read != written) __builtin_trap();
}

static int accept_any(void *ctx, const uint8_t public_key[32], const uint8_t *msg, size_t msg_len,
                      const uint8_t signature[64]) {
  (void)ctx, (void)public_key, (void)msg, (void)msg_len, (void)signature;
  return 0;
}

/* A downloaded file that is offset's low byte throughout. */
static int read_pattern(void *ctx, uint32_t offset, uint8_t *out, uint32_t len) {
  (void)ctx;
  memset(out, (int)(offset & 0xff), len);
  return 0;
}

static int inside(const char *p, size_t n, const uint8_t *buf, size_t len) {
  return p != NULL && (const uint8_t *)p >= buf && (const uint8_t *)p + n <= buf + len;
}

static void check_manifest(const uint8_t *buf, size_t len) {
  static const uint8_t zero_key[32];
  static const uint8_t signature[64];
  static uint8_t page[64];
  static char name[1024];
  updraft_signature_hook_t hook = {accept_any, NULL, zero_key};
  updraft_manifest_expect_t expect = {"pk_meter", "default", NULL, 7};
  updraft_manifest_t m;
  size_t i;
  if (updraft_manifest_parse(buf, len, &m) == UPDRAFT_OK) {
    if (m.file_count < 1 || m.file_count > UPDRAFT_MANIFEST_MAX_FILES) __builtin_trap();
    if (!inside(m.product.text, m.product.len, buf, len) || !inside(m.module.text, m.module.len, buf, len) ||
        !inside(m.version.text, m.version.len, buf, len) || !inside(m.target_sha256, 64, buf, len) ||
        !inside(m.key_id, 16, buf, len) || (m.source_sha256 != NULL && !inside(m.source_sha256, 64, buf, len)))
      __builtin_trap();
    for (i = 0; i < m.file_count; i++) {
      if (!inside(m.files[i].name.text, m.files[i].name.len, buf, len) || !inside(m.files[i].sha256, 64, buf, len) ||
          updraft_manifest_file_name(&m.files[i], name, sizeof name) < 1)
        __builtin_trap();
    }
  }
  if (updraft_manifest_check(&hook, 1, buf, len, signature, &expect, &m) == UPDRAFT_OK)
    for (i = 0; i < m.file_count; i++)
      (void)updraft_manifest_check_file(&m, i, read_pattern, NULL, (uint32_t)(m.files[i].size % 200), page, sizeof page);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t buf[1u << 17], frame[2u << 17];
  static char text[4096], out[8192];
  const uint8_t *in = data + 1;
  size_t len = size - 1;
  if (size < 1 || len > sizeof buf) return 0;
  memcpy(buf, in, len);
  switch (data[0] % 6) {
    case 0: {
      updraft_qframe_t f;
      if (updraft_qframe_decode(buf, len, &f) == UPDRAFT_OK) walk_ttlv(f.payload, f.payload_len);
      break;
    }
    case 1:
      walk_ttlv(in, len);
      reencode_ttlv(in, len);
      break;
    case 2: {
      updraft_tp_push_t push;
      if (updraft_tp_parse_push((char *)buf, len, &push) == UPDRAFT_OK &&
          (push.version == NULL || push.url == NULL || push.sign == NULL || push.module == NULL ||
           (push.manifest != NULL && (push.signature == NULL || push.manifest + push.manifest_len > (char *)buf + len))))
        __builtin_trap();
      break;
    }
    case 3: {
      updraft_qframe_t f;
      int32_t n = updraft_qframe_encode(frame, sizeof frame, 0x1234, 0x0114, in, len);
      if (len <= 0xffff - 5) {
        if (n < 0 || updraft_qframe_decode(frame, (size_t)n, &f) != UPDRAFT_OK) __builtin_trap();
        if (f.payload_len != len || memcmp(f.payload, in, len) != 0 || f.packet_id != 0x1234) __builtin_trap();
      }
      break;
    }
    case 5:
      check_manifest(in, len); /* not the copy: ASan then catches a read past the input */
      break;
    default: {
      size_t cut = len / 2 < sizeof text - 1 ? len / 2 : sizeof text - 1;
      memcpy(text, in, cut);
      text[cut] = '\0';
      (void)updraft_onenet_token(out, sizeof out, text, 1700000000u, (updraft_hmac_alg_t)(len % 3),
                                 (const char *)text + cut / 2);
      (void)updraft_tp_progress(out, sizeof out, (int)(len % 105) - 4, text, text, len % 2 ? text : NULL);
      break;
    }
  }
  return 0;
}
