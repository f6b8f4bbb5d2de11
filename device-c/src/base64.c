/* Base64 (RFC 4648 §4) and encodeURIComponent-style percent-encoding, for OneNET's token. */
#include "updraft/onenet.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int updraft_base64_encode(const uint8_t *data, size_t len, char *out, size_t cap) {
  size_t i, n = 0;
  if (cap < (len + 2) / 3 * 4 + 1) return UPDRAFT_E_NO_SPACE;
  for (i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16;
    if (i + 1 < len) v |= (uint32_t)data[i + 1] << 8;
    if (i + 2 < len) v |= data[i + 2];
    out[n++] = ALPHABET[v >> 18];
    out[n++] = ALPHABET[(v >> 12) & 63];
    out[n++] = i + 1 < len ? ALPHABET[(v >> 6) & 63] : '=';
    out[n++] = i + 2 < len ? ALPHABET[v & 63] : '=';
  }
  out[n] = '\0';
  return (int)n;
}

static int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int updraft_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap) {
  size_t i, n = 0;
  if (len % 4 != 0) return UPDRAFT_E_MALFORMED;
  for (i = 0; i < len; i += 4) {
    int last = i + 4 == len;
    int pad = last && text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0;
    int a = sextet(text[i]), b = sextet(text[i + 1]);
    int c = pad == 2 ? 0 : sextet(text[i + 2]), d = pad >= 1 ? 0 : sextet(text[i + 3]);
    uint32_t v;
    if (a < 0 || b < 0 || c < 0 || d < 0) return UPDRAFT_E_MALFORMED;
    v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    if (n + 3 - (size_t)pad > cap) return UPDRAFT_E_NO_SPACE;
    out[n++] = (uint8_t)(v >> 16);
    if (pad < 2) out[n++] = (uint8_t)(v >> 8);
    if (pad < 1) out[n++] = (uint8_t)v;
  }
  return (int)n;
}

static int unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
}

int updraft_url_encode(const char *text, size_t len, char *out, size_t cap) {
  static const char HEX[] = "0123456789ABCDEF";
  size_t i, n = 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (unreserved(c)) {
      if (n + 2 > cap) return UPDRAFT_E_NO_SPACE;
      out[n++] = (char)c;
    } else {
      if (n + 4 > cap) return UPDRAFT_E_NO_SPACE;
      out[n++] = '%';
      out[n++] = HEX[c >> 4];
      out[n++] = HEX[c & 15];
    }
  }
  if (n + 1 > cap) return UPDRAFT_E_NO_SPACE;
  out[n] = '\0';
  return (int)n;
}
