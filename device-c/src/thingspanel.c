/* ThingsPanel OTA messages, device side: the push parsed, the progress report and the version
 * inform built as parseProgressReport() and parseVersionInform() read them. */
#include <string.h>

#include "json-scan.h"
#include "updraft/thingspanel.h"
#include "updraft/verify.h"

enum { K_ID, K_CODE, K_PARAMS, K_DEVICE, TOP_KEYS };
enum {
  P_VERSION,
  P_SIZE,
  P_URL,
  P_SIGN_METHOD,
  P_SIGN,
  P_MODULE,
  P_EXT_DATA,
  P_TYPE,
  P_SHA256,
  P_MIN_SIGNAL,
  P_MIN_BATTERY,
  P_RETRY,
  P_INTERVAL,
  P_EXPIRES,
  P_FILES,
  P_SIGNATURE,
  PARAM_KEYS
};
enum { S_MANIFEST, S_VALUE, SIGNATURE_KEYS };

/* An optional integer member: absent or null leaves `unset`; anything but an integer is malformed. */
static int optional_int(json_span_t s, int32_t *value) {
  *value = UPDRAFT_TP_UNSET;
  if (s.at == NULL || json_is_null(s)) return 0;
  return json_read_int(s, value);
}

/* A string value, or a number written as text (an id may be either); NULL when neither. */
static char *string_or_number(json_span_t s) {
  if (json_is_string(s)) return json_decode_string(s);
  if (s.at == NULL || s.len == 0 || ((s.at[0] < '0' || s.at[0] > '9') && s.at[0] != '-')) return NULL;
  s.at[s.len] = '\0'; /* the byte after a number is a delimiter the scan is done with */
  return s.at;
}

int updraft_tp_parse_push(char *json, size_t len, updraft_tp_push_t *out) {
  static const char *const top_keys[TOP_KEYS] = {"id", "code", "params", "device"};
  static const char *const param_keys[PARAM_KEYS] = {"version",    "size",       "url",   "signMethod", "sign",
                                                     "module",     "extData",    "type",  "sha256",     "minSignal",
                                                     "minBattery", "retry",      "interval", "expires",    "files",
                                                     "signature"};
  static const char *const signature_keys[SIGNATURE_KEYS] = {"manifest", "value"};
  uint32_t expires;
  json_span_t top[TOP_KEYS], params[PARAM_KEYS], signature[SIGNATURE_KEYS];
  char *method;
  if (json == NULL || out == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  /* Every span is found before anything is decoded: decoding writes into the text. */
  if (json_object_members(json, len, top_keys, top, TOP_KEYS) != 0) return UPDRAFT_E_MALFORMED;
  if (top[K_PARAMS].at == NULL || top[K_PARAMS].at[0] != '{') return UPDRAFT_E_MALFORMED;
  if (json_object_members(top[K_PARAMS].at, top[K_PARAMS].len, param_keys, params, PARAM_KEYS) != 0)
    return UPDRAFT_E_MALFORMED;
  signature[S_MANIFEST].at = NULL;
  if (params[P_SIGNATURE].at != NULL && !json_is_null(params[P_SIGNATURE]) &&
      (params[P_SIGNATURE].at[0] != '{' ||
       json_object_members(params[P_SIGNATURE].at, params[P_SIGNATURE].len, signature_keys, signature,
                           SIGNATURE_KEYS) != 0 ||
       signature[S_MANIFEST].at == NULL))
    return UPDRAFT_E_MALFORMED;
  if (top[K_CODE].at != NULL && json_read_uint(top[K_CODE], &out->code) != 0) return UPDRAFT_E_MALFORMED;
  if (json_read_uint(params[P_SIZE], &out->size) != 0) return UPDRAFT_E_MALFORMED;
  if (optional_int(params[P_MIN_SIGNAL], &out->min_signal) || optional_int(params[P_MIN_BATTERY], &out->min_battery) ||
      optional_int(params[P_RETRY], &out->retry) || optional_int(params[P_INTERVAL], &out->interval))
    return UPDRAFT_E_MALFORMED;
  out->expires = -1;
  if (params[P_EXPIRES].at != NULL && !json_is_null(params[P_EXPIRES])) {
    if (json_read_uint(params[P_EXPIRES], &expires) != 0 || json_is_string(params[P_EXPIRES])) return UPDRAFT_E_MALFORMED;
    out->expires = expires;
  }
  if (params[P_FILES].at != NULL && params[P_FILES].at[0] == '[') {
    out->files = params[P_FILES].at;
    out->files_len = params[P_FILES].len;
  }
  if (params[P_EXT_DATA].at != NULL && params[P_EXT_DATA].at[0] == '{') {
    out->ext_data = params[P_EXT_DATA].at;
    out->ext_data_len = params[P_EXT_DATA].len;
  }
  out->id = top[K_ID].at != NULL ? string_or_number(top[K_ID]) : NULL;
  out->version = json_decode_string(params[P_VERSION]);
  out->url = json_decode_string(params[P_URL]);
  method = json_decode_string(params[P_SIGN_METHOD]);
  out->sign = json_decode_string(params[P_SIGN]);
  out->module = params[P_MODULE].at == NULL || json_is_null(params[P_MODULE]) ? NULL : json_decode_string(params[P_MODULE]);
  if (top[K_DEVICE].at != NULL) out->device = json_decode_string(top[K_DEVICE]);
  if (params[P_SHA256].at != NULL) {
    out->sha256 = json_decode_string(params[P_SHA256]);
    if (out->sha256 == NULL) return UPDRAFT_E_MALFORMED;
  }
  if (params[P_TYPE].at != NULL) {
    const char *type = json_decode_string(params[P_TYPE]);
    if (type == NULL) return UPDRAFT_E_MALFORMED;
    out->is_delta = strcmp(type, "delta") == 0;
  }
  if (signature[S_MANIFEST].at != NULL) {
    out->manifest = json_decode_string(signature[S_MANIFEST]);
    out->signature = json_decode_string(signature[S_VALUE]);
    if (out->manifest == NULL || out->signature == NULL) return UPDRAFT_E_MALFORMED;
    out->manifest_len = strlen(out->manifest); /* a \u0000 in it only shortens it: the check refuses it */
  }
  if (top[K_ID].at != NULL && out->id == NULL) return UPDRAFT_E_MALFORMED;
  if (out->version == NULL || out->url == NULL || method == NULL || out->sign == NULL) return UPDRAFT_E_MALFORMED;
  if (params[P_MODULE].at != NULL && !json_is_null(params[P_MODULE]) && out->module == NULL) return UPDRAFT_E_MALFORMED;
  if (top[K_DEVICE].at != NULL && out->device == NULL) return UPDRAFT_E_MALFORMED;
  out->sign_method = updraft_digest_from_name(method);
  if (out->sign_method < 0) return UPDRAFT_E_MALFORMED;
  if (out->id == NULL) out->id = "";
  if (out->module == NULL) out->module = "default";
  return UPDRAFT_OK;
}

typedef struct {
  char *out;
  size_t cap, len;
  int full;
} writer_t;

static void put(writer_t *w, const char *text, size_t n) {
  if (w->full || w->len + n + 1 > w->cap) {
    w->full = 1;
    return;
  }
  memcpy(w->out + w->len, text, n);
  w->len += n;
}

static void put_text(writer_t *w, const char *text) { put(w, text, strlen(text)); }

/* A JSON string: quotes, backslashes and control characters escaped; at most `limit` bytes of text,
 * cut at a UTF-8 boundary. */
static void put_string(writer_t *w, const char *text, size_t limit) {
  static const char HEX[] = "0123456789abcdef";
  size_t n = strlen(text), i;
  if (n > limit) {
    n = limit;
    while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80) n--;
  }
  put(w, "\"", 1);
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      put(w, esc, 2);
    } else if (c < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15]};
      put(w, esc, 6);
    } else {
      put(w, (const char *)&text[i], 1);
    }
  }
  put(w, "\"", 1);
}

static int finish(writer_t *w) {
  if (w->full) return UPDRAFT_E_NO_SPACE;
  w->out[w->len] = '\0';
  return (int)w->len;
}

int updraft_tp_progress(char *out, size_t cap, int step, const char *desc, const char *module, const char *device) {
  writer_t w = {NULL, 0, 0, 0};
  char number[5];
  size_t n = 0;
  unsigned magnitude;
  if (out == NULL || step == 0 || step > 100 || step < -4) return UPDRAFT_E_INVALID_ARGUMENT;
  w.out = out;
  w.cap = cap;
  magnitude = (unsigned)(step < 0 ? -step : step);
  if (step < 0) number[n++] = '-';
  if (magnitude >= 100) number[n++] = '1';
  if (magnitude >= 10) number[n++] = (char)('0' + magnitude / 10 % 10);
  number[n++] = (char)('0' + magnitude % 10);
  put_text(&w, "{\"step\":\"");
  put(&w, number, n);
  put_text(&w, "\",\"desc\":");
  put_string(&w, desc != NULL ? desc : "", 128);
  put_text(&w, ",\"module\":");
  put_string(&w, module != NULL ? module : "default", 32);
  if (device != NULL) {
    put_text(&w, ",\"device\":");
    put_string(&w, device, 128);
  }
  put_text(&w, "}");
  return finish(&w);
}

int updraft_tp_version_inform(char *out, size_t cap, const char *id, const char *version, const char *module,
                              const char *device) {
  writer_t w = {NULL, 0, 0, 0};
  if (out == NULL || id == NULL || version == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  w.out = out;
  w.cap = cap;
  put_text(&w, "{\"id\":");
  put_string(&w, id, 64);
  put_text(&w, ",\"params\":{\"version\":");
  put_string(&w, version, 64);
  put_text(&w, ",\"module\":");
  put_string(&w, module != NULL ? module : "default", 32);
  put_text(&w, "}");
  if (device != NULL) {
    put_text(&w, ",\"device\":");
    put_string(&w, device, 128);
  }
  put_text(&w, "}");
  return finish(&w);
}
