/* Test harness only: file loading and in-memory callbacks for the host tools. */
#include "host-io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int read_file(const char *path, blob_t *out) {
  FILE *f = fopen(path, "rb");
  long size;
  if (f == NULL) return -1;
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return -1;
  }
  out->len = (size_t)size;
  out->data = (uint8_t *)malloc(out->len + 1);
  if (out->data == NULL || fread(out->data, 1, out->len, f) != out->len) {
    fclose(f);
    return -1;
  }
  fclose(f);
  return 0;
}

int write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  if (len > 0 && fwrite(data, 1, len, f) != len) {
    fclose(f);
    return -1;
  }
  return fclose(f);
}

static int32_t mem_read_patch(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  memory_io_t *m = (memory_io_t *)ctx;
  uint32_t n;
  if (offset >= m->patch.len) return 0;
  n = (uint32_t)(m->patch.len - offset) < len ? (uint32_t)(m->patch.len - offset) : len;
  if (m->chunk != 0 && n > m->chunk) n = m->chunk;
  memcpy(buf, m->patch.data + offset, n);
  return (int32_t)n;
}

static int mem_read_old(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  memory_io_t *m = (memory_io_t *)ctx;
  if ((size_t)offset + len > m->old.len) return UPDRAFT_E_BASE_MISMATCH;
  memcpy(buf, m->old.data + offset, len);
  return 0;
}

static int mem_write_new(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
  memory_io_t *m = (memory_io_t *)ctx;
  if (m->discard) {
    memcpy(m->out, data, len);
    return 0;
  }
  if (offset != m->out_len) return UPDRAFT_E_IO;
  if ((size_t)offset + len > m->out_cap) {
    size_t cap = m->out_cap * 2 + len;
    uint8_t *grown = (uint8_t *)realloc(m->out, cap);
    if (grown == NULL) return UPDRAFT_E_IO;
    m->out = grown;
    m->out_cap = cap;
  }
  memcpy(m->out + offset, data, len);
  m->out_len = (size_t)offset + len;
  return 0;
}

void memory_io_callbacks(memory_io_t *m, updraft_patch_io_t *io) {
  memset(io, 0, sizeof *io);
  io->ctx = m;
  io->read_patch = mem_read_patch;
  io->read_old = mem_read_old;
  io->write_new = mem_write_new;
}

uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}
