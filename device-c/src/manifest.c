/* The signed manifest's parser (docs/signing.md "The manifest"). It takes exactly the bytes that
 * encodeManifest() in packages/protocol/src/signing/manifest.ts writes and nothing else, as that
 * file's parseManifest() does: a manifest that would not encode back to the same bytes is refused,
 * so a device never acts on a reading that differs from the server's or the SDK's. */
#include "updraft/manifest.h"

#define MAX_TOKEN 100     /* product, module, version: [A-Za-z0-9._~-]{1,100} */
#define MAX_NAME_CHARS 765 /* a file name, percent-encoded */
#define MAX_NAME_UNITS 255 /* ... and decoded, in UTF-16 code units (JavaScript's length) */
#define MAX_SAFE_INTEGER 9007199254740991u

static const char MAGIC[] = "updraft-manifest 1";
static const char *const KEYS[] = {"product",       "module",           "version",         "type",
                                   "source-version", "source-sha256",    "target-sha256",   "security-version",
                                   "allow-downgrade", "signed-at",       "key-id"};
#define KEY_COUNT (sizeof KEYS / sizeof KEYS[0])

typedef struct {
  const char *at;
  size_t len;
} span_t;

/* The next LF-terminated line from *at (before end), without its LF; 0 when no LF is left. */
static int next_line(const char **at, const char *end, span_t *line) {
  const char *p;
  for (p = *at; p < end; p++) {
    if (*p == '\n') {
      line->at = *at;
      line->len = (size_t)(p - *at);
      *at = p + 1;
      return 1;
    }
  }
  return 0;
}

static int is_literal(span_t s, const char *literal) {
  size_t i;
  for (i = 0; i < s.len; i++)
    if (literal[i] == '\0' || literal[i] != s.at[i]) return 0;
  return literal[i] == '\0';
}

/* "key value": the value's span, or 0 when the line is another key's. */
static int value_of(span_t line, const char *key, span_t *value) {
  size_t i;
  for (i = 0; key[i] != '\0'; i++)
    if (i >= line.len || line.at[i] != key[i]) return 0;
  if (i >= line.len || line.at[i] != ' ') return 0;
  value->at = line.at + i + 1;
  value->len = line.len - i - 1;
  return 1;
}

static int is_token(span_t s) {
  size_t i;
  if (s.len < 1 || s.len > MAX_TOKEN) return 0;
  for (i = 0; i < s.len; i++) {
    char c = s.at[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '~' || c == '-'))
      return 0;
  }
  return 1;
}

static int is_hex(span_t s, size_t digits) {
  size_t i;
  if (s.len != digits) return 0;
  for (i = 0; i < s.len; i++)
    if (!((s.at[i] >= '0' && s.at[i] <= '9') || (s.at[i] >= 'a' && s.at[i] <= 'f'))) return 0;
  return 1;
}

/* 1 to max_digits decimal digits without a leading zero (the way JavaScript prints a number). */
static int read_decimal(span_t s, size_t max_digits, uint64_t *out) {
  uint64_t v = 0;
  size_t i;
  if (s.len < 1 || s.len > max_digits || (s.len > 1 && s.at[0] == '0')) return 0;
  for (i = 0; i < s.len; i++) {
    if (s.at[i] < '0' || s.at[i] > '9') return 0;
    v = v * 10u + (uint64_t)(s.at[i] - '0');
  }
  *out = v;
  return 1;
}

/* The characters encodeURIComponent leaves as they are. */
static int unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
}

static int upper_hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The byte of "%XX" (upper-case hex, as encodeURIComponent writes it) at s.at[i], or -1. */
static int escaped_byte(span_t s, size_t i) {
  int hi, lo;
  if (s.len < 3 || i > s.len - 3 || s.at[i] != '%') return -1;
  hi = upper_hex_digit(s.at[i + 1]);
  lo = upper_hex_digit(s.at[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/* A name is encodeURIComponent's output for a string of 1 to 255 UTF-16 units: unreserved
 * characters as they are, every other byte of its UTF-8 as %XX, and the UTF-8 well-formed
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), as decodeURIComponent
 * requires. */
static int is_encoded_name(span_t s) {
  size_t i = 0, units = 0;
  if (s.len < 1 || s.len > MAX_NAME_CHARS) return 0;
  while (i < s.len) {
    int b = s.at[i] == '%' ? escaped_byte(s, i) : -1, more = 0, lo = 0x80, hi = 0xbf, k;
    if (b < 0) {
      if (!unreserved(s.at[i])) return 0;
      i++, units++;
      continue;
    }
    i += 3;
    if (b < 0x80) {
      if (unreserved((char)b)) return 0; /* encodeURIComponent would have left it as it is */
      units++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) more = 1;
    else if (b >= 0xe0 && b <= 0xef) more = 2, lo = b == 0xe0 ? 0xa0 : 0x80, hi = b == 0xed ? 0x9f : 0xbf;
    else if (b >= 0xf0 && b <= 0xf4) more = 3, lo = b == 0xf0 ? 0x90 : 0x80, hi = b == 0xf4 ? 0x8f : 0xbf;
    else return 0;
    for (k = 0; k < more; k++, i += 3) {
      int c = escaped_byte(s, i);
      if (c < (k == 0 ? lo : 0x80) || c > (k == 0 ? hi : 0xbf)) return 0;
    }
    units += more == 3 ? 2u : 1u; /* a code point above U+FFFF is a surrogate pair */
  }
  return units <= MAX_NAME_UNITS;
}

static updraft_manifest_text_t text_of(span_t s) {
  updraft_manifest_text_t t;
  t.text = s.at;
  t.len = (uint16_t)s.len;
  return t;
}

/* "<index> <size> <sha256> <name>": splits at single spaces (none of the fields holds one). */
static int parse_file_line(span_t line, uint64_t index, updraft_manifest_file_t *file) {
  span_t f[4];
  size_t i, field = 0;
  uint64_t n;
  f[0].at = line.at;
  for (i = 0; i < line.len && field < 3; i++) {
    if (line.at[i] == ' ') {
      f[field].len = (size_t)(line.at + i - f[field].at);
      f[++field].at = line.at + i + 1;
    }
  }
  if (field != 3) return 0;
  f[3].len = (size_t)(line.at + line.len - f[3].at);
  if (!read_decimal(f[0], 2, &n) || n != index) return 0;
  if (!read_decimal(f[1], 16, &n) || n == 0 || n > MAX_SAFE_INTEGER) return 0;
  if (!is_hex(f[2], 64) || !is_encoded_name(f[3])) return 0;
  if (file != NULL) {
    file->size = n;
    file->sha256 = f[2].at;
    file->name = text_of(f[3]);
  }
  return 1;
}

int updraft_manifest_parse(const uint8_t *text, size_t len, updraft_manifest_t *m) {
  const char *at = (const char *)text, *end;
  span_t line, v[KEY_COUNT];
  uint64_t n;
  size_t i, files = 0;
  if (text == NULL || m == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  if (len > UPDRAFT_MANIFEST_MAX_BYTES) return UPDRAFT_E_MALFORMED;
  end = at + len;
  if (!next_line(&at, end, &line) || !is_literal(line, MAGIC)) return UPDRAFT_E_MALFORMED;
  for (i = 0; i < KEY_COUNT; i++)
    if (!next_line(&at, end, &line) || !value_of(line, KEYS[i], &v[i])) return UPDRAFT_E_MALFORMED;

  if (!is_token(v[0]) || !is_token(v[1]) || !is_token(v[2])) return UPDRAFT_E_MALFORMED;
  m->product = text_of(v[0]);
  m->module = text_of(v[1]);
  m->version = text_of(v[2]);
  if (is_literal(v[3], "full")) m->is_delta = 0;
  else if (is_literal(v[3], "delta")) m->is_delta = 1;
  else return UPDRAFT_E_MALFORMED;
  /* "-" is a full package's source version; a delta names a real one ("-" reads back as none). */
  if (m->is_delta ? !is_token(v[4]) || is_literal(v[4], "-") : !is_literal(v[4], "-")) return UPDRAFT_E_MALFORMED;
  m->source_version = text_of(v[4]);
  if (!m->is_delta) m->source_version.len = 0;
  if (is_literal(v[5], "-")) m->source_sha256 = NULL;
  else if (is_hex(v[5], 64)) m->source_sha256 = v[5].at;
  else return UPDRAFT_E_MALFORMED;
  if (!is_hex(v[6], 64)) return UPDRAFT_E_MALFORMED;
  m->target_sha256 = v[6].at;
  if (!read_decimal(v[7], 10, &n) || n > 0xffffffffu) return UPDRAFT_E_MALFORMED;
  m->security_version = (uint32_t)n;
  if (is_literal(v[8], "0") || is_literal(v[8], "1")) m->allow_downgrade = v[8].at[0] == '1';
  else return UPDRAFT_E_MALFORMED;
  if (!read_decimal(v[9], 12, &m->signed_at)) return UPDRAFT_E_MALFORMED;
  if (!is_hex(v[10], 16)) return UPDRAFT_E_MALFORMED;
  m->key_id = v[10].at;

  /* File lines to the end; past the table's room they are still read, so that a damaged manifest
   * is MALFORMED whatever its length and only a well-formed long one is NO_SPACE. */
  while (next_line(&at, end, &line)) {
    span_t body;
    if (!value_of(line, "file", &body)) return UPDRAFT_E_MALFORMED;
    files++;
    if (!parse_file_line(body, files, files <= UPDRAFT_MANIFEST_MAX_FILES ? &m->files[files - 1] : NULL))
      return UPDRAFT_E_MALFORMED;
  }
  if (at != end || files == 0) return UPDRAFT_E_MALFORMED; /* bytes after the last LF, or no file */
  if (files > UPDRAFT_MANIFEST_MAX_FILES) return UPDRAFT_E_NO_SPACE;
  m->file_count = files;
  return UPDRAFT_OK;
}

int updraft_manifest_file_name(const updraft_manifest_file_t *file, char *out, size_t cap) {
  size_t i, n = 0;
  span_t s;
  if (file == NULL || out == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  s.at = file->name.text;
  s.len = file->name.len;
  for (i = 0; i < s.len; n++) {
    int b = escaped_byte(s, i);
    if (n + 1 >= cap) return UPDRAFT_E_NO_SPACE;
    out[n] = b < 0 ? s.at[i] : (char)b;
    i += b < 0 ? 1 : 3;
  }
  if (n >= cap) return UPDRAFT_E_NO_SPACE;
  out[n] = '\0';
  return (int)n;
}
