/* Test harness only: the protocol helpers driven line by line from the Node tests. Each input line
 * is a command and tab-separated arguments (binary as hex); each output line is the result.
 *   token RES ET md5|sha1|sha256 KEY_BASE64        -> the OneNET token
 *   hmac md5|sha1|sha256 KEY_HEX MSG_HEX           -> hex
 *   digest md5|sha1|sha256 DATA_HEX                -> hex (fed in uneven pieces)
 *   crc16 ibm|ccitt|mbus DATA_HEX                  -> 4 hex digits
 *   push JSON_HEX                                  -> OK and the fields (last: manifest hex, signature), or the error name
 *   progress STEP DESC_HEX MODULE|- DEVICE|-       -> JSON as hex, or the error name
 *   inform ID VERSION MODULE|- DEVICE|-            -> JSON as hex
 *   frame-encode PACKET_ID CMD PAYLOAD_HEX         -> hex, or the error name
 *   frame-decode FRAME_HEX                         -> OK PACKET_ID CMD PAYLOAD_HEX, or the error name
 *   ttlv-dump PAYLOAD_HEX                          -> depth/id/type/value;... or the error name
 *   ttlv-build SPEC                                -> hex (SPEC: T:id F:id N:id:neg:mag:exp S:id:hex {:id } joined by ,)
 *   ed25519 PUBLIC_HEX MSG_HEX SIGNATURE_HEX       -> OK, BAD_SIGNATURE (OpenSSL behind the hook), NO_VERIFIER with -
 *   image md5|sha256 EXPECTED_HEX DATA_HEX         -> OK or BAD_SIGNATURE or MALFORMED
 *   manifest-parse, manifest-check, manifest-target   signed manifests (protocol-tool-manifest.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol-tool.h"

size_t unhex_arg(const char *hex, uint8_t *out) {
  size_t n = strlen(hex) / 2;
  if (updraft_unhex(hex, 2 * n, out, n) != 0) return 0;
  return n;
}

void print_hex(const uint8_t *data, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) printf("%02x", data[i]);
}

char *next_arg(char **line) {
  char *start = *line, *tab;
  if (start == NULL) return (char *)(uintptr_t) "";
  tab = strchr(start, '\t');
  if (tab != NULL) {
    *tab = '\0';
    *line = tab + 1;
  } else {
    *line = NULL;
  }
  return start;
}

static updraft_hmac_alg_t alg_named(const char *name) {
  return strcmp(name, "md5") == 0 ? UPDRAFT_HMAC_MD5 : strcmp(name, "sha1") == 0 ? UPDRAFT_HMAC_SHA1 : UPDRAFT_HMAC_SHA256;
}

static void cmd_digest(char *rest, uint8_t *a) {
  const char *alg = next_arg(&rest);
  size_t n = unhex_arg(next_arg(&rest), a), at, step = 1;
  uint8_t out[32];
  updraft_md5_t m;
  updraft_sha1_t s1;
  updraft_sha256_t s2;
  updraft_md5_init(&m);
  updraft_sha1_init(&s1);
  updraft_sha256_init(&s2);
  for (at = 0; at < n; at += step, step = step * 3 % 97 + 1) {
    size_t take = n - at < step ? n - at : step;
    updraft_md5_update(&m, a + at, take);
    updraft_sha1_update(&s1, a + at, take);
    updraft_sha256_update(&s2, a + at, take);
  }
  if (strcmp(alg, "md5") == 0) updraft_md5_final(&m, out), print_hex(out, 16);
  else if (strcmp(alg, "sha1") == 0) updraft_sha1_final(&s1, out), print_hex(out, 20);
  else updraft_sha256_final(&s2, out), print_hex(out, 32);
}

static void cmd_crc16(char *rest, uint8_t *a) {
  const char *name = next_arg(&rest);
  updraft_crc16_method_t m = strcmp(name, "ccitt") == 0 ? UPDRAFT_CRC16_CCITT
                             : strcmp(name, "mbus") == 0 ? UPDRAFT_CRC16_MBUS
                                                         : UPDRAFT_CRC16_IBM;
  size_t n = unhex_arg(next_arg(&rest), a), half = n / 2;
  uint16_t state = updraft_crc16_init(m);
  state = updraft_crc16_update(m, state, a, half);
  state = updraft_crc16_update(m, state, a + half, n - half);
  printf("%04x", updraft_crc16_final(m, state));
}

static void cmd_push(char *rest, uint8_t *a) {
  size_t n = unhex_arg(next_arg(&rest), a);
  updraft_tp_push_t push;
  int rc = updraft_tp_parse_push((char *)a, n, &push);
  if (rc) {
    printf("%s", updraft_error_name(rc));
    return;
  }
  printf("OK\t%s\t%u\t%s\t%u\t%s\t%s\t%s\t%s\t%s\t", push.id, push.code, push.version, push.size, push.url,
         push.sign_method == UPDRAFT_DIGEST_MD5 ? "md5" : "sha256", push.sign, push.module,
         push.device != NULL ? push.device : "-");
  if (push.ext_data != NULL) print_hex((const uint8_t *)push.ext_data, push.ext_data_len);
  else printf("-");
  printf("\t%s\t%s\t%ld\t%ld\t%ld\t%ld\t%lld", push.is_delta ? "delta" : "full", push.sha256 != NULL ? push.sha256 : "-",
         (long)push.min_signal, (long)push.min_battery, (long)push.retry, (long)push.interval, (long long)push.expires);
  printf("\t");
  if (push.files != NULL) print_hex((const uint8_t *)push.files, push.files_len);
  else printf("-");
  printf("\t");
  if (push.manifest != NULL) print_hex((const uint8_t *)push.manifest, push.manifest_len), printf("\t%s", push.signature);
  else printf("-\t-");
}

static const char *optional(const char *text) { return strcmp(text, "-") == 0 ? NULL : text; }

static void cmd_progress(char *rest, uint8_t *a) {
  int step = atoi(next_arg(&rest));
  size_t n = unhex_arg(next_arg(&rest), a);
  const char *module = optional(next_arg(&rest)), *device = optional(next_arg(&rest));
  char out[1024];
  int rc;
  a[n] = '\0';
  rc = updraft_tp_progress(out, sizeof out, step, (const char *)a, module, device);
  if (rc < 0) printf("%s", updraft_error_name(rc));
  else print_hex((const uint8_t *)out, (size_t)rc);
}

static void cmd_inform(char *rest) {
  const char *id = next_arg(&rest), *version = next_arg(&rest), *module = optional(next_arg(&rest)), *device = optional(next_arg(&rest));
  char out[1024];
  int rc = updraft_tp_version_inform(out, sizeof out, id, version, module, device);
  if (rc < 0) printf("%s", updraft_error_name(rc));
  else print_hex((const uint8_t *)out, (size_t)rc);
}

int main(void) {
  static char line[1 << 20];
  static uint8_t a[1 << 19], b[1 << 19];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char *rest = line, *cmd;
    line[strcspn(line, "\n")] = '\0';
    cmd = next_arg(&rest);
    if (strcmp(cmd, "token") == 0) {
      const char *res = next_arg(&rest);
      uint32_t et = (uint32_t)strtoul(next_arg(&rest), NULL, 10);
      updraft_hmac_alg_t alg = alg_named(next_arg(&rest));
      char out[1024];
      int rc = updraft_onenet_token(out, sizeof out, res, et, alg, next_arg(&rest));
      printf("%s", rc < 0 ? updraft_error_name(rc) : out);
    } else if (strcmp(cmd, "hmac") == 0) {
      updraft_hmac_alg_t alg = alg_named(next_arg(&rest));
      size_t key_len = unhex_arg(next_arg(&rest), a), msg_len = unhex_arg(next_arg(&rest), b);
      uint8_t mac[32];
      int n = updraft_hmac(alg, a, key_len, b, msg_len, mac);
      print_hex(mac, (size_t)n);
    } else if (strcmp(cmd, "digest") == 0) {
      cmd_digest(rest, a);
    } else if (strcmp(cmd, "crc16") == 0) {
      cmd_crc16(rest, a);
    } else if (strcmp(cmd, "push") == 0) {
      cmd_push(rest, a);
    } else if (strcmp(cmd, "progress") == 0) {
      cmd_progress(rest, a);
    } else if (strcmp(cmd, "inform") == 0) {
      cmd_inform(rest);
    } else if (quectel_command(cmd, rest, a, b) || verify_command(cmd, rest, a, b) ||
               manifest_command(cmd, rest, a, b)) {
      /* handled */
    } else {
      printf("UNKNOWN_COMMAND");
    }
    printf("\n");
    fflush(stdout);
  }
  return 0;
}
