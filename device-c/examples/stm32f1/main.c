/* The updater of the STM32F103 example: applies the patch that the application downloaded into
 * PATCH_BASE (a 4-byte length, then the patch) to the running image in slot A, writing slot B.
 * After a power cut it is simply run again: updraft_patch_apply() resumes from the newest of the
 * two checkpoint slots. Only when it returns 0 is slot B marked bootable.
 *
 * Memory: one updraft_patch_t (180 B) and UPDRAFT_PATCH_MCU_WORK_SIZE (11,880 B) of .bss, plus
 * about 1 KiB of stack: 13 KiB of the STM32F103's 64 KiB. */
#include <string.h>

#include "flash-layout.h"
#include "stm32f1-flash.h"
#include "updraft/patch.h"
#include "updraft/verify.h"

static uint32_t work[UPDRAFT_PATCH_MCU_WORK_SIZE / 4];

static int32_t read_patch(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  uint32_t size = *(const uint32_t *)PATCH_BASE, n;
  (void)ctx;
  if (size > PATCH_MAX) return UPDRAFT_E_IO; /* erased (0xFFFFFFFF) or damaged: nothing to apply */
  if (offset >= size) return 0;
  n = size - offset < len ? size - offset : len;
  memcpy(buf, (const uint8_t *)(PATCH_BASE + 4u + offset), n); /* flash is memory-mapped */
  return (int32_t)n;
}

static int read_old(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  (void)ctx;
  if (offset + len > SLOT_SIZE) return UPDRAFT_E_BASE_MISMATCH;
  memcpy(buf, (const uint8_t *)(SLOT_A_BASE + offset), len);
  return 0;
}

/* Pages are erased when a write reaches their first byte, so that after a resume the pages written
 * past the checkpoint are erased again before they are rewritten. */
static int write_new(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
  uint32_t page;
  (void)ctx;
  if (offset + len > SLOT_SIZE) return UPDRAFT_E_IO;
  for (page = (offset + FLASH_PAGE - 1u) / FLASH_PAGE * FLASH_PAGE; page < offset + len; page += FLASH_PAGE)
    if (flash_erase_page(SLOT_B_BASE + page) != 0) return UPDRAFT_E_IO;
  return flash_program(SLOT_B_BASE + offset, data, len) == 0 ? 0 : UPDRAFT_E_IO;
}

static int save_state(void *ctx, unsigned slot, const void *state, uint32_t len) {
  uint32_t base = STATE_BASE + slot * STATE_SLOT_SIZE, at;
  (void)ctx;
  if (len > STATE_SLOT_SIZE) return UPDRAFT_E_IO;
  for (at = 0; at < len; at += FLASH_PAGE)
    if (flash_erase_page(base + at) != 0) return UPDRAFT_E_IO;
  return flash_program(base, (const uint8_t *)state, len) == 0 ? 0 : UPDRAFT_E_IO;
}

static int load_state(void *ctx, unsigned slot, void *state, uint32_t len) {
  (void)ctx;
  if (len > STATE_SLOT_SIZE) return 1;
  memcpy(state, (const void *)(STATE_BASE + slot * STATE_SLOT_SIZE), len); /* the CRC inside is checked */
  return 0;
}

static int progress(void *ctx, uint32_t written, uint32_t total) {
  (void)ctx;
  (void)written;
  (void)total;
  watchdog_feed(); /* a 192 KiB image takes a few seconds at 72 MHz */
  return 0;
}

/* Your boot flag: e.g. a word the bootloader reads to swap or jump to slot B. */
static void mark_slot_b_bootable(void) {
  static const uint8_t flag[4] = {0x42, 0x4f, 0x4f, 0x54};
  (void)flash_program(STATE_BASE + 2u * STATE_SLOT_SIZE - 4u, flag, sizeof flag);
}

int main(void) {
  updraft_patch_io_t io = {0, read_patch, read_old, write_new, save_state, load_state, progress};
  updraft_patch_t p;
  int rc;
  flash_unlock();
  rc = updraft_patch_init(&p, &io, work, sizeof work);
  p.checkpoint_interval = 16u * 1024u; /* 8 pages: a cut costs at most 16 KiB of rework */
  if (rc == UPDRAFT_OK) rc = updraft_patch_apply(&p);
  if (rc == UPDRAFT_OK) mark_slot_b_bootable();
  flash_lock();
  /* rc is a DELTA_* code (updraft_error_name): report it with the next progress message, e.g.
   * updraft_tp_progress(buf, sizeof buf, -4, updraft_error_name(rc), "default", NULL). */
  return rc;
}
