/* The qemu test image: patches a real firmware pair on an emulated Cortex-M3, cutting the power
 * halfway (the patcher's callbacks fail from one write on) and resuming from the checkpoint, then
 * prints the SHA-256 of the bytes written, the patcher's result and its peak stack (the stack is
 * painted before the first call and scanned after the last). */
#include <stdint.h>
#include <string.h>

#include "updraft/patch.h"

void semihost_write(const char *text);
extern const uint8_t old_image[], old_image_end[], patch_data[], patch_data_end[];
extern uint32_t _stack_limit;

#define PAINT 0xdeadbeefu

static uint32_t work[UPDRAFT_PATCH_MCU_WORK_SIZE / 4];
static updraft_patch_t p; /* in .bss, not on the stack: the RAM total counts it apart */
static uint8_t slots[2][UPDRAFT_PATCH_CHECKPOINT_SIZE(3, 2)];
static updraft_sha256_t written_hash;
static uint32_t writes, cut_after, expected_offset;

static int32_t read_patch(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  uint32_t size = (uint32_t)(patch_data_end - patch_data), n;
  (void)ctx;
  if (offset >= size) return 0;
  n = size - offset < len ? size - offset : len;
  memcpy(buf, patch_data + offset, n);
  return (int32_t)n;
}

static int read_old(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  (void)ctx;
  if (offset + len > (uint32_t)(old_image_end - old_image)) return UPDRAFT_E_BASE_MISMATCH;
  memcpy(buf, old_image + offset, len);
  return 0;
}

static int write_new(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
  (void)ctx;
  if (cut_after != 0 && ++writes > cut_after) return UPDRAFT_E_USER; /* the power is gone */
  /* After the resume the writes start again at the checkpoint: hash only bytes not yet hashed. */
  if (offset + len > expected_offset) {
    uint32_t skip = expected_offset > offset ? expected_offset - offset : 0;
    if (offset > expected_offset) return UPDRAFT_E_IO;
    updraft_sha256_update(&written_hash, data + skip, len - skip);
    expected_offset = offset + len;
  }
  return 0;
}

static int save_state(void *ctx, unsigned slot, const void *state, uint32_t len) {
  (void)ctx;
  if (slot > 1 || len > sizeof slots[0]) return UPDRAFT_E_IO;
  memcpy(slots[slot], state, len);
  return 0;
}

static int load_state(void *ctx, unsigned slot, void *state, uint32_t len) {
  (void)ctx;
  if (slot > 1 || len > sizeof slots[0]) return 1;
  memcpy(state, slots[slot], len);
  return 0;
}

static void write_number(const char *label, uint32_t value) {
  char text[16];
  int n = 0, i;
  semihost_write(label);
  do {
    text[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (i = 0; i < n / 2; i++) {
    char t = text[i];
    text[i] = text[n - 1 - i];
    text[n - 1 - i] = t;
  }
  text[n] = '\0';
  semihost_write(text);
}

static __attribute__((noinline)) int run(uint32_t cut, uint8_t *resumed) {
  updraft_patch_io_t io = {0, read_patch, read_old, write_new, save_state, load_state, 0};
  int rc = updraft_patch_init(&p, &io, work, sizeof work);
  writes = 0;
  cut_after = cut;
  p.checkpoint_interval = 4096;
  if (rc == UPDRAFT_OK) rc = updraft_patch_apply(&p);
  *resumed = p.resumed;
  return rc;
}

int main(void) {
  volatile uint32_t *limit = &_stack_limit, *at;
  uint32_t here = 0, new_pages, peak;
  uint8_t digest[32], resumed_first, resumed_second;
  char hex[65];
  int first, second;
  /* Paint from below this frame down to the bottom of the stack area. */
  for (at = (volatile uint32_t *)((uintptr_t)&here - 256); at >= limit; at--) *at = PAINT;
  memset(slots, 0xff, sizeof slots);
  updraft_sha256_init(&written_hash);
  new_pages = (uint32_t)(patch_data[20] | patch_data[21] << 8 | patch_data[22] << 16 | (uint32_t)patch_data[23] << 24) / 256u;
  first = run(new_pages / 2 + 7, &resumed_first);
  second = run(0, &resumed_second);
  for (at = limit; at < (volatile uint32_t *)&here && *at == PAINT; at++) {
  }
  peak = (uint32_t)((uintptr_t)&here - (uintptr_t)at);
  updraft_sha256_final(&written_hash, digest);
  updraft_hex(digest, 32, hex);
  semihost_write("first_run=");
  semihost_write(updraft_error_name(first));
  semihost_write(resumed_first ? " (resumed)" : " (fresh)");
  semihost_write("\nsecond_run=");
  semihost_write(updraft_error_name(second));
  semihost_write(resumed_second ? " (resumed)\n" : " (fresh)\n");
  semihost_write("sha256=");
  semihost_write(hex);
  write_number("\nbytes_written=", expected_offset);
  write_number("\nstack_peak_bytes=", peak);
  write_number("\nstruct_bytes=", (uint32_t)sizeof(updraft_patch_t));
  write_number("\nwork_bytes=", (uint32_t)sizeof work);
  write_number("\ncheckpoint_bytes=", (uint32_t)sizeof slots[0]);
  semihost_write("\n");
  return second == UPDRAFT_OK && first == UPDRAFT_E_USER && resumed_second ? 0 : 1;
}
