/* A small JSON scanner (RFC 8259) for device messages: skipping values with a depth counter, object
 * members, in-place string decoding. */
#include "json-scan.h"

#include <string.h>

#define MAX_DEPTH 32

static const char *skip_space(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static const char *skip_string(const char *p, const char *end) {
  for (p++; p < end; p++) {
    if (*p == '"') return p + 1;
    if (*p == '\\') p++;
    else if ((unsigned char)*p < 0x20) return NULL;
  }
  return NULL;
}

static int is_scalar_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
}

const char *json_skip_value(const char *p, const char *end) {
  int depth = 0;
  p = skip_space(p, end);
  do {
    if (p >= end) return NULL;
    if (*p == '"') {
      p = skip_string(p, end);
      if (p == NULL) return NULL;
    } else if (*p == '{' || *p == '[') {
      if (++depth > MAX_DEPTH) return NULL;
      p++;
    } else if (*p == '}' || *p == ']') {
      if (--depth < 0) return NULL;
      p++;
    } else if (depth > 0 && (*p == ',' || *p == ':' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
      p++;
    } else if (is_scalar_char(*p)) {
      while (p < end && is_scalar_char(*p)) p++;
    } else {
      return NULL;
    }
  } while (depth > 0);
  return p;
}

int json_object_members(char *text, size_t len, const char *const *keys, json_span_t *spans, size_t count) {
  const char *p = skip_space(text, text + len), *end = text + len;
  size_t i;
  for (i = 0; i < count; i++) spans[i].at = NULL, spans[i].len = 0;
  if (p >= end || *p != '{') return -1;
  p = skip_space(p + 1, end);
  if (p < end && *p == '}') return skip_space(p + 1, end) == end ? 0 : -1;
  for (;;) {
    const char *key, *key_end, *value;
    if (p >= end || *p != '"') return -1;
    key = p + 1;
    key_end = skip_string(p, end);
    if (key_end == NULL) return -1;
    p = skip_space(key_end, end);
    if (p >= end || *p != ':') return -1;
    value = skip_space(p + 1, end);
    p = json_skip_value(value, end);
    if (p == NULL) return -1;
    for (i = 0; i < count; i++) {
      size_t n = strlen(keys[i]);
      if ((size_t)(key_end - 1 - key) == n && memcmp(key, keys[i], n) == 0) {
        spans[i].at = text + (value - text);
        spans[i].len = (size_t)(p - value);
      }
    }
    p = skip_space(p, end);
    if (p < end && *p == ',') {
      p = skip_space(p + 1, end);
      continue;
    }
    if (p < end && *p == '}') return skip_space(p + 1, end) == end ? 0 : -1;
    return -1;
  }
}

int json_is_string(json_span_t s) { return s.at != NULL && s.len >= 2 && s.at[0] == '"'; }
int json_is_null(json_span_t s) { return s.at != NULL && s.len == 4 && memcmp(s.at, "null", 4) == 0; }

static int hex4(const char *p, uint32_t *v) {
  int i;
  *v = 0;
  for (i = 0; i < 4; i++) {
    char c = p[i];
    uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0')
                 : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
                                        : 16u;
    if (d > 15) return -1;
    *v = *v << 4 | d;
  }
  return 0;
}

/* UTF-8 of a code point; a \uXXXX escape is 6 bytes, and its UTF-8 at most 3 (4 for a pair of 12). */
static char *put_utf8(char *w, uint32_t cp) {
  if (cp < 0x80) {
    *w++ = (char)cp;
  } else if (cp < 0x800) {
    *w++ = (char)(0xc0 | cp >> 6);
    *w++ = (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *w++ = (char)(0xe0 | cp >> 12);
    *w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *w++ = (char)(0x80 | (cp & 0x3f));
  } else {
    *w++ = (char)(0xf0 | cp >> 18);
    *w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
    *w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *w++ = (char)(0x80 | (cp & 0x3f));
  }
  return w;
}

char *json_decode_string(json_span_t s) {
  char *start, *w;
  const char *r, *end;
  if (!json_is_string(s) || s.at[s.len - 1] != '"') return NULL;
  start = w = s.at + 1;
  end = s.at + s.len - 1;
  for (r = start; r < end;) {
    char c = *r++;
    if (c != '\\') {
      *w++ = c;
      continue;
    }
    if (r >= end) return NULL;
    c = *r++;
    switch (c) {
      case '"': case '\\': case '/': *w++ = c; break;
      case 'b': *w++ = '\b'; break;
      case 'f': *w++ = '\f'; break;
      case 'n': *w++ = '\n'; break;
      case 'r': *w++ = '\r'; break;
      case 't': *w++ = '\t'; break;
      case 'u': {
        uint32_t cp, low;
        if (end - r < 4 || hex4(r, &cp)) return NULL;
        r += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && end - r >= 6 && r[0] == '\\' && r[1] == 'u' && hex4(r + 2, &low) == 0 &&
            low >= 0xdc00 && low < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          r += 6;
        }
        w = put_utf8(w, cp);
        break;
      }
      default: return NULL;
    }
  }
  *w = '\0';
  return start;
}

int json_read_uint(json_span_t s, uint32_t *value) {
  const char *p = s.at, *end;
  uint32_t v = 0;
  if (p == NULL) return -1;
  end = p + s.len;
  if (json_is_string(s)) {
    p++;
    end--;
  }
  if (p >= end || *p < '0' || *p > '9') return -1;
  for (; p < end && *p >= '0' && *p <= '9'; p++) {
    if (v > (0xffffffffu - (uint32_t)(*p - '0')) / 10u) return -1;
    v = v * 10u + (uint32_t)(*p - '0');
  }
  if (p < end && *p == '.') /* a fraction is cut off, as ThingsPanel's Go code truncates */
    for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
    }
  if (p != end) return -1;
  *value = v;
  return 0;
}

int json_read_int(json_span_t s, int32_t *value) {
  uint32_t magnitude;
  int negative = s.at != NULL && s.len > 1 && s.at[0] == '-';
  if (negative) {
    s.at++;
    s.len--;
  }
  if (json_is_string(s) || json_read_uint(s, &magnitude) != 0) return -1;
  if (magnitude > (negative ? 0x80000000u : 0x7fffffffu)) return -1;
  *value = negative ? (int32_t)(0u - magnitude) : (int32_t)magnitude;
  return 0;
}
