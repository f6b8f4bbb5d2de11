/* OneNET's Authorization token, byte for byte as createOneNetToken() in
 * packages/protocol/src/onenet/auth-token.ts writes it. */
#include <string.h>

#include "updraft/onenet.h"

#define VERSION "2018-10-31"

static size_t put(char *out, size_t at, const char *text, size_t len) {
  memcpy(out + at, text, len);
  return at + len;
}

static size_t put_decimal(char *out, size_t at, uint32_t value) {
  char digits[10];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out[at++] = digits[--n];
  return at;
}

int updraft_onenet_token(char *out, size_t cap, const char *res, uint32_t et, updraft_hmac_alg_t method,
                         const char *access_key) {
  static const char *const names[3] = {"md5", "sha1", "sha256"};
  uint8_t key[128], mac[32];
  char sign[45];
  size_t res_len, at = 0;
  const char *name;
  int key_len, mac_len, n;
  if (out == NULL || res == NULL || access_key == NULL || (unsigned)method > 2) return UPDRAFT_E_INVALID_ARGUMENT;
  name = names[method];
  res_len = strlen(res);
  key_len = updraft_base64_decode(access_key, strlen(access_key), key, sizeof key);
  if (key_len < 0) return key_len == UPDRAFT_E_NO_SPACE ? UPDRAFT_E_MALFORMED : key_len;
  /* The string to sign is built in `out` first; the token replaces it. */
  if (cap < res_len + 40) return UPDRAFT_E_NO_SPACE;
  at = put_decimal(out, at, et);
  out[at++] = '\n';
  at = put(out, at, name, strlen(name));
  out[at++] = '\n';
  at = put(out, at, res, res_len);
  out[at++] = '\n';
  at = put(out, at, VERSION, sizeof VERSION - 1);
  mac_len = updraft_hmac(method, key, (size_t)key_len, (const uint8_t *)out, at, mac);
  if (mac_len < 0) return mac_len;
  n = updraft_base64_encode(mac, (size_t)mac_len, sign, sizeof sign);
  if (n < 0) return n;
  at = put(out, 0, "version=" VERSION "&res=", sizeof "version=" VERSION "&res=" - 1);
  n = updraft_url_encode(res, res_len, out + at, cap - at);
  if (n < 0) return n;
  at += (size_t)n;
  if (cap - at < 4 + 10 + 8 + 6 + 6) return UPDRAFT_E_NO_SPACE;
  at = put(out, at, "&et=", 4);
  at = put_decimal(out, at, et);
  at = put(out, at, "&method=", 8);
  at = put(out, at, name, strlen(name));
  at = put(out, at, "&sign=", 6);
  n = updraft_url_encode(sign, strlen(sign), out + at, cap - at);
  if (n < 0) return n;
  return (int)(at + (size_t)n);
}
