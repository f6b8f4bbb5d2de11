/* Test harness only (not the library): files in memory and the patcher's callbacks over them. */
#ifndef UPDRAFT_HOST_IO_H
#define UPDRAFT_HOST_IO_H

#include <stddef.h>
#include <stdint.h>

#include "updraft/patch.h"

typedef struct {
  uint8_t *data;
  size_t len;
} blob_t;

int read_file(const char *path, blob_t *out);
int write_file(const char *path, const uint8_t *data, size_t len);

/* An in-memory patch source, old image and output, with an optional cap on bytes per read. */
typedef struct {
  blob_t patch, old;
  uint8_t *out;
  size_t out_cap, out_len;
  uint32_t chunk; /* most bytes one read_patch call returns; 0 = all asked for */
  int discard;    /* write every page to the start of out (benchmarks) */
} memory_io_t;

void memory_io_callbacks(memory_io_t *m, updraft_patch_io_t *io);

/* xorshift32 */
uint32_t next_random(uint32_t *state);

#endif
