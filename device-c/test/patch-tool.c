/* Test harness only: the host patcher tool the Node tests and the bench drive.
 *   patch-tool apply OLD PATCH OUT [chunk] [work_bytes] [cancel_after]
 *                                                  prints OK or the error name; the progress
 *                                                  callback cancels after cancel_after buffers
 *   patch-tool batch LIST          each line "OLD PATCH": one error name per line (mutation runs)
 *   patch-tool bench OLD PATCH REPEAT                     prints MB/s of new image per second
 *   patch-tool powercut OLD PATCH NEW CUTS SEED INTERVAL  see power-cut.c */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host-io.h"

int power_cut_main(const blob_t *old, const blob_t *patch, const blob_t *expected, unsigned cuts, uint32_t seed,
                   uint32_t interval);

/* Enough for any header (lc, dc 8 and 1 MiB buffers) unless the caller caps it. */
#define LARGE_WORK (UPDRAFT_PATCH_WORK_SIZE(8, 8, 20))

static uint32_t *work_memory(void) {
  static uint32_t *work;
  if (work == NULL) work = (uint32_t *)malloc(LARGE_WORK);
  return work;
}

static uint32_t cancel_after;

static int cancel_progress(void *ctx, uint32_t written, uint32_t total) {
  static uint32_t calls;
  (void)ctx;
  (void)written;
  (void)total;
  return cancel_after != 0 && ++calls >= cancel_after;
}

static int apply_in_memory(const blob_t *old, const blob_t *patch, uint8_t **out, size_t *out_len, uint32_t chunk,
                           uint32_t work_bytes) {
  memory_io_t m;
  updraft_patch_io_t io;
  updraft_patch_t p;
  int rc;
  memset(&m, 0, sizeof m);
  m.patch = *patch;
  m.old = *old;
  m.chunk = chunk;
  m.out_cap = 1 << 16;
  m.out = (uint8_t *)malloc(m.out_cap);
  memory_io_callbacks(&m, &io);
  io.progress = cancel_progress;
  rc = updraft_patch_init(&p, &io, work_memory(), work_bytes ? work_bytes : LARGE_WORK);
  if (rc == UPDRAFT_OK) rc = updraft_patch_apply(&p);
  *out = m.out;
  *out_len = m.out_len;
  return rc;
}

static int cmd_apply(int argc, char **argv) {
  blob_t old, patch;
  uint8_t *out;
  size_t out_len;
  int rc;
  if (argc < 5 || read_file(argv[2], &old) || read_file(argv[3], &patch)) return 2;
  cancel_after = argc > 7 ? (uint32_t)strtoul(argv[7], NULL, 10) : 0;
  rc = apply_in_memory(&old, &patch, &out, &out_len, argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 0,
                       argc > 6 ? (uint32_t)strtoul(argv[6], NULL, 10) : 0);
  if (write_file(argv[4], out, out_len)) return 2; /* what was written, also when it failed */
  printf("%s\n", updraft_error_name(rc));
  free(out);
  return 0;
}

static int cmd_batch(int argc, char **argv) {
  FILE *list;
  char old_path[1024], patch_path[1024];
  if (argc < 3 || (list = fopen(argv[2], "r")) == NULL) return 2;
  while (fscanf(list, "%1023s %1023s", old_path, patch_path) == 2) {
    blob_t old, patch;
    uint8_t *out;
    size_t out_len;
    int rc;
    if (read_file(old_path, &old) || read_file(patch_path, &patch)) return 2;
    rc = apply_in_memory(&old, &patch, &out, &out_len, 0, 0);
    printf("%s\n", updraft_error_name(rc));
    free(out);
    free(old.data);
    free(patch.data);
  }
  fclose(list);
  return 0;
}

static int cmd_bench(int argc, char **argv) {
  blob_t old, patch;
  struct timespec t0, t1;
  double seconds;
  memory_io_t m;
  updraft_patch_io_t io;
  size_t total = 0;
  int i, repeat;
  if (argc < 5 || read_file(argv[2], &old) || read_file(argv[3], &patch)) return 2;
  repeat = atoi(argv[4]);
  memset(&m, 0, sizeof m);
  m.patch = patch;
  m.old = old;
  m.discard = 1; /* pages land in one scratch buffer: the cost of a flash write, not of a file */
  m.out_cap = 1u << 16;
  m.out = (uint8_t *)malloc(m.out_cap);
  memory_io_callbacks(&m, &io);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < repeat; i++) {
    updraft_patch_t p;
    int rc = updraft_patch_init(&p, &io, work_memory(), UPDRAFT_PATCH_MCU_WORK_SIZE);
    m.out_len = 0;
    if (rc == UPDRAFT_OK) rc = updraft_patch_apply(&p);
    if (rc != UPDRAFT_OK) {
      printf("%s\n", updraft_error_name(rc));
      return 1;
    }
    total += p.new_size;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.3f %.6f %lu\n", (double)total / seconds / 1e6, seconds / repeat, (unsigned long)total / repeat);
  return 0;
}

static int cmd_powercut(int argc, char **argv) {
  blob_t old, patch, expected;
  if (argc < 8 || read_file(argv[2], &old) || read_file(argv[3], &patch) || read_file(argv[4], &expected)) return 2;
  return power_cut_main(&old, &patch, &expected, (unsigned)atoi(argv[5]), (uint32_t)strtoul(argv[6], NULL, 10),
                        (uint32_t)strtoul(argv[7], NULL, 10));
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "apply") == 0) return cmd_apply(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "batch") == 0) return cmd_batch(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "bench") == 0) return cmd_bench(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "powercut") == 0) return cmd_powercut(argc, argv);
  fprintf(stderr, "usage: patch-tool apply|batch|bench|powercut ...\n");
  return 2;
}
