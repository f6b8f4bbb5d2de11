/* TTLV, the Quectel payload (protocols.md §3.2, ql_iotTtlv.c): a writer that fills in struct child
 * counts and a flat reader that walks nested structs with a fixed stack of counts. */
#include <string.h>

#include "updraft/quectel.h"

void updraft_ttlv_writer_init(updraft_ttlv_writer_t *w, uint8_t *buf, size_t cap) {
  memset(w, 0, sizeof *w);
  w->buf = buf;
  w->cap = cap;
}

static void header(updraft_ttlv_writer_t *w, uint16_t id, unsigned type, size_t extra) {
  if (w->err) return;
  if (id > 0x1fff) {
    w->err = UPDRAFT_E_INVALID_ARGUMENT;
    return;
  }
  if (w->cap - w->len < 2 + extra || w->len > w->cap) {
    w->err = UPDRAFT_E_NO_SPACE;
    return;
  }
  if (w->count[w->depth] == 0xffff) {
    w->err = UPDRAFT_E_INVALID_ARGUMENT;
    return;
  }
  w->count[w->depth]++;
  w->buf[w->len++] = (uint8_t)((unsigned)id >> 5);
  w->buf[w->len++] = (uint8_t)((unsigned)id << 3 | type);
}

void updraft_ttlv_bool(updraft_ttlv_writer_t *w, uint16_t id, int value) {
  header(w, id, value ? UPDRAFT_TTLV_TRUE : UPDRAFT_TTLV_FALSE, 0);
}

void updraft_ttlv_number(updraft_ttlv_writer_t *w, uint16_t id, uint64_t magnitude, int negative, unsigned exponent) {
  unsigned bytes = 1, i;
  while (bytes < 8 && (magnitude >> (8 * bytes)) != 0) bytes++;
  if (exponent > 15) {
    if (!w->err) w->err = UPDRAFT_E_INVALID_ARGUMENT;
    return;
  }
  header(w, id, UPDRAFT_TTLV_NUMBER, 1 + bytes);
  if (w->err) return;
  w->buf[w->len++] = (uint8_t)((negative ? 0x80u : 0u) | exponent << 3 | (bytes - 1));
  for (i = bytes; i > 0; i--) w->buf[w->len++] = (uint8_t)(magnitude >> (8 * (i - 1)));
}

void updraft_ttlv_int(updraft_ttlv_writer_t *w, uint16_t id, int32_t value) {
  uint64_t magnitude = value < 0 ? (uint64_t)(-(int64_t)value) : (uint64_t)value;
  updraft_ttlv_number(w, id, magnitude, value < 0, 0);
}

void updraft_ttlv_bytes(updraft_ttlv_writer_t *w, uint16_t id, const void *data, size_t len) {
  if (len > 0xffff) {
    if (!w->err) w->err = UPDRAFT_E_INVALID_ARGUMENT;
    return;
  }
  header(w, id, UPDRAFT_TTLV_BYTES, 2 + len);
  if (w->err) return;
  w->buf[w->len++] = (uint8_t)(len >> 8);
  w->buf[w->len++] = (uint8_t)len;
  if (len > 0) memcpy(w->buf + w->len, data, len);
  w->len += len;
}

void updraft_ttlv_string(updraft_ttlv_writer_t *w, uint16_t id, const char *text) {
  updraft_ttlv_bytes(w, id, text, strlen(text));
}

void updraft_ttlv_begin(updraft_ttlv_writer_t *w, uint16_t id) {
  header(w, id, UPDRAFT_TTLV_STRUCT, 2);
  if (w->err) return;
  if (w->depth == UPDRAFT_TTLV_MAX_DEPTH) {
    w->err = UPDRAFT_E_INVALID_ARGUMENT;
    return;
  }
  w->depth++;
  w->count_at[w->depth] = w->len;
  w->count[w->depth] = 0;
  w->len += 2;
}

void updraft_ttlv_end(updraft_ttlv_writer_t *w) {
  if (w->err) return;
  if (w->depth == 0) {
    w->err = UPDRAFT_E_INVALID_ARGUMENT;
    return;
  }
  w->buf[w->count_at[w->depth]] = (uint8_t)(w->count[w->depth] >> 8);
  w->buf[w->count_at[w->depth] + 1] = (uint8_t)w->count[w->depth];
  w->depth--;
}

int32_t updraft_ttlv_finish(updraft_ttlv_writer_t *w) {
  if (w->err) return w->err;
  if (w->depth != 0) return UPDRAFT_E_INVALID_ARGUMENT;
  return (int32_t)w->len;
}

void updraft_ttlv_reader_init(updraft_ttlv_reader_t *r, const uint8_t *data, size_t len) {
  memset(r, 0, sizeof *r);
  r->p = data;
  r->end = data + len;
}

int updraft_ttlv_next(updraft_ttlv_reader_t *r, updraft_ttlv_node_t *node) {
  size_t avail = (size_t)(r->end - r->p);
  unsigned i;
  if (r->depth == 0 && avail == 0) return 0;
  if (avail < 2) return UPDRAFT_E_MALFORMED;
  memset(node, 0, sizeof *node);
  node->id = (uint16_t)((r->p[0] << 5) | (r->p[1] >> 3));
  node->type = r->p[1] & 7u;
  node->depth = (uint8_t)r->depth;
  r->p += 2;
  avail -= 2;
  switch (node->type) {
    case UPDRAFT_TTLV_FALSE:
    case UPDRAFT_TTLV_TRUE: break;
    case UPDRAFT_TTLV_NUMBER: {
      unsigned bytes;
      if (avail < 1) return UPDRAFT_E_MALFORMED;
      node->negative = (uint8_t)(r->p[0] >> 7);
      node->exponent = (uint8_t)((r->p[0] >> 3) & 15u);
      bytes = (r->p[0] & 7u) + 1u;
      if (avail < 1 + bytes) return UPDRAFT_E_MALFORMED;
      for (i = 0; i < bytes; i++) node->magnitude = node->magnitude << 8 | r->p[1 + i];
      r->p += 1 + bytes;
      break;
    }
    case UPDRAFT_TTLV_BYTES:
      if (avail < 2) return UPDRAFT_E_MALFORMED;
      node->len = (uint16_t)(r->p[0] << 8 | r->p[1]);
      if (avail - 2 < node->len) return UPDRAFT_E_MALFORMED;
      node->data = r->p + 2;
      r->p += 2 + node->len;
      break;
    case UPDRAFT_TTLV_STRUCT:
      if (avail < 2) return UPDRAFT_E_MALFORMED;
      node->len = (uint16_t)(r->p[0] << 8 | r->p[1]);
      r->p += 2;
      break;
    default: return UPDRAFT_E_MALFORMED;
  }
  if (r->depth > 0) r->left[r->depth]--;
  if (node->type == UPDRAFT_TTLV_STRUCT && node->len > 0) {
    if (r->depth == UPDRAFT_TTLV_MAX_DEPTH) return UPDRAFT_E_MALFORMED;
    r->left[++r->depth] = node->len;
  }
  while (r->depth > 0 && r->left[r->depth] == 0) r->depth--;
  return 1;
}

int updraft_ttlv_node_int(const updraft_ttlv_node_t *node, int32_t *value) {
  if (node->type != UPDRAFT_TTLV_NUMBER || node->exponent != 0) return UPDRAFT_E_MALFORMED;
  if (node->magnitude > (node->negative ? 0x80000000u : 0x7fffffffu)) return UPDRAFT_E_MALFORMED;
  *value = node->negative ? (int32_t)(0u - (uint32_t)node->magnitude) : (int32_t)node->magnitude;
  return UPDRAFT_OK;
}
