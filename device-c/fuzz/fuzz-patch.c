/* libFuzzer target: the patcher on mutated patches. The first input byte chooses options, the rest
 * is the patch, applied to the old image of the version 1 test patches (6,000 bytes, see
 * packages/delta/src/test-support/version-1-patches.ts) so that the committed corpus decodes deep:
 *   bit 0  fix the header CRC, so that mutated header fields reach their checks
 *   bit 1  verify the old image (off: the old image need not match, the payload still decodes)
 *   bit 2  checkpoint every output buffer, cut the power after (byte >> 4) + 1 writes, resume
 *   bit 3  hand out the patch 1 to 7 bytes per read
 * Any result is fine; a crash, an out-of-bounds access, undefined behaviour or a hang is not. */
#include <stdint.h>
#include <string.h>

#include "updraft/patch.h"

#define OLD_SIZE 6000u
#define OUT_LIMIT (1u << 15) /* a run stops after 32 KiB of output, so a bogus size cannot stall it */
#define WORK_SIZE UPDRAFT_PATCH_WORK_SIZE(8, 5, 16)

static uint8_t old_image[OLD_SIZE];
static uint32_t work[WORK_SIZE / 4];
static uint8_t slots[2][UPDRAFT_PATCH_CHECKPOINT_SIZE(8, 5)];
static uint8_t slot_full[2];

typedef struct {
  const uint8_t *patch;
  size_t len;
  unsigned chunky, writes_left;
  int cut;
} fuzz_io_t;

static int32_t read_patch(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  fuzz_io_t *f = (fuzz_io_t *)ctx;
  uint32_t n;
  if (offset >= f->len) return 0;
  n = (uint32_t)(f->len - offset) < len ? (uint32_t)(f->len - offset) : len;
  if (f->chunky && n > 1 + offset % 7) n = 1 + offset % 7;
  memcpy(buf, f->patch + offset, n);
  return (int32_t)n;
}

static int read_old(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  (void)ctx;
  if ((size_t)offset + len > OLD_SIZE) return UPDRAFT_E_BASE_MISMATCH;
  memcpy(buf, old_image + offset, len);
  return 0;
}

static int write_new(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
  fuzz_io_t *f = (fuzz_io_t *)ctx;
  static uint8_t sink[1u << 16];
  if (f->cut && f->writes_left-- == 0) return UPDRAFT_E_USER;
  if ((size_t)offset + len > OUT_LIMIT) return UPDRAFT_E_IO;
  memcpy(sink, data, len < sizeof sink ? len : sizeof sink);
  return 0;
}

static int save_state(void *ctx, unsigned slot, const void *state, uint32_t len) {
  (void)ctx;
  if (slot > 1 || len > sizeof slots[0]) return UPDRAFT_E_IO;
  memcpy(slots[slot], state, len);
  slot_full[slot] = 1;
  return 0;
}

static int load_state(void *ctx, unsigned slot, void *state, uint32_t len) {
  (void)ctx;
  if (slot > 1 || !slot_full[slot] || len > sizeof slots[0]) return 1;
  memcpy(state, slots[slot], len);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t patch[1u << 20];
  updraft_patch_io_t io;
  updraft_patch_t p;
  fuzz_io_t f;
  uint8_t flags;
  unsigned i;
  int rc;
  if (size < 1 || size - 1 > sizeof patch) return 0;
  for (i = 0; i < OLD_SIZE; i++) old_image[i] = (uint8_t)(i * 37 + (i >> 4) * 5);
  flags = data[0];
  memcpy(patch, data + 1, size - 1);
  if ((flags & 1) && size - 1 >= 100) {
    uint32_t crc = updraft_crc32(0, patch, 96);
    for (i = 0; i < 4; i++) patch[96 + i] = (uint8_t)(crc >> (8 * i));
  }
  memset(&f, 0, sizeof f);
  f.patch = patch;
  f.len = size - 1;
  f.chunky = (flags & 8) != 0;
  f.cut = (flags & 4) != 0;
  f.writes_left = (unsigned)(flags >> 4) + 1;
  memset(&io, 0, sizeof io);
  io.ctx = &f;
  io.read_patch = read_patch;
  io.read_old = read_old;
  io.write_new = write_new;
  if (f.cut) {
    io.save_state = save_state;
    io.load_state = load_state;
  }
  slot_full[0] = slot_full[1] = 0;
  if (updraft_patch_init(&p, &io, work, WORK_SIZE) != UPDRAFT_OK) __builtin_trap();
  p.verify_old = (flags & 2) != 0;
  p.checkpoint_interval = 1;
  rc = updraft_patch_apply(&p);
  if (f.cut && rc == UPDRAFT_E_USER) {
    /* The reboot: garbage in RAM, then resume from the saved checkpoint. */
    memset(work, 0xa5, sizeof work);
    f.cut = 0;
    io.save_state = NULL; /* the resumed run only loads: checkpoints cost a CRC over the model each */
    if (updraft_patch_init(&p, &io, work, WORK_SIZE) != UPDRAFT_OK) __builtin_trap();
    p.verify_old = (flags & 2) != 0;
    p.checkpoint_interval = 1;
    rc = updraft_patch_apply(&p);
  }
  if (rc > 0) __builtin_trap();
  return 0;
}
