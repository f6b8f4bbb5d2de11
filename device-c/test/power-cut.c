/* Test harness only: power cuts at random points of an apply, each followed by a "reboot" that
 * calls updraft_patch_apply() again on fresh (garbage-filled) memory.
 *
 * The new image goes to a simulated NOR flash: erased to 0xFF a sector (= the checkpoint interval)
 * at a time when a write starts a sector, and a write onto bytes that are not erased fails, as it
 * does on real flash. Checkpoints go to two simulated slots. Each cut has a random offset of the new
 * image: once a run has written up to it, the cut falls after a random number of further bytes
 * moved by any callback (patch read, old read, page written, checkpoint saved), so it lands in any of
 * them; one cut in ten instead falls soon after the reboot (header, old-image check, resume). The
 * callback in progress then does only part of its work (a torn page, a torn checkpoint) and every
 * callback fails until the next reboot. Prints a one-line summary and exits 0 when the image after
 * the last reboot equals the expected one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-io.h"

#define POWER_CUT (UPDRAFT_E_USER - 1)

typedef struct {
  memory_io_t mem;
  uint8_t *flash;
  size_t flash_len;
  uint32_t sector;
  uint8_t *slot[2];
  uint32_t slot_cap;
  uint64_t moved;    /* bytes moved by callbacks, over all runs */
  uint64_t cut_at;   /* the cut falls when moved passes this; UINT64_MAX while not armed */
  uint32_t arm_at;   /* arm the cut once this run has written up to here; UINT32_MAX: never */
  uint32_t jitter;   /* bytes moved between arming and the cut */
  uint32_t written;  /* the highest new-image offset this run has written */
  uint32_t rng;
  int dead;          /* power is off until the reboot */
  unsigned checkpoints, torn_pages, torn_states, bad_programs, cut_count;
} rig_t;

/* Returns how many of len bytes the callback may move before the cut; sets dead when it cuts. */
static uint32_t allowance(rig_t *r, uint32_t len) {
  uint64_t left;
  if (r->dead) return 0;
  if (r->cut_at == UINT64_MAX && r->written >= r->arm_at) r->cut_at = r->moved + r->jitter;
  left = r->cut_at > r->moved ? r->cut_at - r->moved : 0;
  if (left >= len) {
    r->moved += len;
    return len;
  }
  r->moved += left;
  r->dead = 1;
  r->cut_count++;
  return (uint32_t)left;
}

static int32_t rig_read_patch(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  rig_t *r = (rig_t *)ctx;
  updraft_patch_io_t io;
  memory_io_callbacks(&r->mem, &io);
  if (allowance(r, len) < len) return POWER_CUT;
  return io.read_patch(&r->mem, offset, buf, len);
}

static int rig_read_old(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len) {
  rig_t *r = (rig_t *)ctx;
  if (allowance(r, len) < len) return POWER_CUT;
  if ((size_t)offset + len > r->mem.old.len) return UPDRAFT_E_BASE_MISMATCH;
  memcpy(buf, r->mem.old.data + offset, len);
  return 0;
}

static int rig_write_new(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
  rig_t *r = (rig_t *)ctx;
  uint32_t i, allowed;
  if (r->dead) return POWER_CUT;
  if ((size_t)offset + len > r->flash_len) return UPDRAFT_E_IO;
  for (i = (offset + r->sector - 1) / r->sector * r->sector; i < offset + len; i += r->sector)
    memset(r->flash + i, 0xff, r->sector); /* erase each sector this write starts */
  for (i = 0; i < len; i++)
    if (r->flash[offset + i] != 0xff) {
      r->bad_programs++;
      return UPDRAFT_E_IO;
    }
  allowed = allowance(r, len);
  memcpy(r->flash + offset, data, allowed);
  if (allowed < len) {
    r->torn_pages++;
    return POWER_CUT;
  }
  r->written = offset + len;
  return 0;
}

static int rig_save_state(void *ctx, unsigned slot, const void *state, uint32_t len) {
  rig_t *r = (rig_t *)ctx;
  uint32_t allowed;
  if (r->dead) return POWER_CUT;
  if (slot > 1 || len > r->slot_cap) return UPDRAFT_E_IO;
  memset(r->slot[slot], 0xff, r->slot_cap); /* erase, then program */
  allowed = allowance(r, len);
  memcpy(r->slot[slot], state, allowed);
  if (allowed < len) {
    r->torn_states++;
    return POWER_CUT;
  }
  r->checkpoints++;
  return 0;
}

static int rig_load_state(void *ctx, unsigned slot, void *state, uint32_t len) {
  rig_t *r = (rig_t *)ctx;
  if (slot > 1 || len > r->slot_cap) return 1;
  memcpy(state, r->slot[slot], len);
  return 0;
}

static int run_once(rig_t *r, uint32_t *work, uint32_t work_size, uint32_t interval, int *resumed) {
  updraft_patch_io_t io;
  updraft_patch_t p;
  uint32_t i;
  int rc;
  memset(&io, 0, sizeof io);
  io.ctx = r;
  io.read_patch = rig_read_patch;
  io.read_old = rig_read_old;
  io.write_new = rig_write_new;
  io.save_state = rig_save_state;
  io.load_state = rig_load_state;
  for (i = 0; i < work_size / 4; i++) work[i] = next_random(&r->rng); /* RAM is garbage after a reboot */
  rc = updraft_patch_init(&p, &io, work, work_size);
  if (rc) return rc;
  p.checkpoint_interval = interval;
  rc = updraft_patch_apply(&p);
  *resumed = p.resumed;
  return rc;
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

int power_cut_main(const blob_t *old, const blob_t *patch, const blob_t *expected, unsigned cuts, uint32_t seed,
                   uint32_t interval) {
  rig_t r;
  uint32_t work_size = UPDRAFT_PATCH_WORK_SIZE(8, 8, 16);
  uint32_t *work = (uint32_t *)malloc(work_size);
  uint32_t *offsets = (uint32_t *)calloc(cuts + 1, sizeof *offsets);
  uint32_t early_span = (uint32_t)old->len + 256, late_span = 3 * interval + 2 * UPDRAFT_PATCH_CHECKPOINT_SIZE(3, 2);
  unsigned runs = 0, resumes = 0, early = 0, i;
  int rc = UPDRAFT_E_IO, resumed = 0;
  memset(&r, 0, sizeof r);
  r.mem.patch = *patch;
  r.mem.old = *old;
  r.sector = interval;
  r.flash_len = (expected->len / interval + 1) * interval + (1u << 20);
  r.flash = (uint8_t *)malloc(r.flash_len);
  memset(r.flash, 0xff, r.flash_len);
  r.slot_cap = UPDRAFT_PATCH_CHECKPOINT_SIZE(8, 8);
  r.slot[0] = (uint8_t *)malloc(r.slot_cap);
  r.slot[1] = (uint8_t *)malloc(r.slot_cap);
  memset(r.slot[0], 0xff, r.slot_cap);
  memset(r.slot[1], 0xff, r.slot_cap);
  r.rng = seed ? seed : 1;
  for (i = 0; i < cuts; i++) offsets[i] = expected->len > 0 ? next_random(&r.rng) % (uint32_t)expected->len : 0;
  qsort(offsets, cuts, sizeof *offsets, compare_u32);
  for (i = 0; i <= cuts; i++) {
    int soon = i < cuts && next_random(&r.rng) % 10 == 0;
    if (r.cut_count < i) {
      r.jitter /= 2; /* the last run ended before its cut fell: the same cut, sooner */
      i--;
    } else {
      r.arm_at = i == cuts ? UINT32_MAX : soon ? 0 : offsets[i];
      r.jitter = next_random(&r.rng) % (soon ? early_span : late_span);
      early += (unsigned)soon;
    }
    r.cut_at = UINT64_MAX;
    r.written = 0;
    r.dead = 0;
    rc = run_once(&r, work, work_size, interval, &resumed);
    runs++;
    resumes += (unsigned)resumed;
    if (rc == UPDRAFT_OK) {
      if (i < cuts) continue; /* finished before its cut could fall: try the next one */
      break;
    }
    if (rc != POWER_CUT || !r.dead) {
      printf("run %u failed: %s\n", runs, updraft_error_name(rc));
      return 1;
    }
  }
  if (rc != UPDRAFT_OK || memcmp(r.flash, expected->data, expected->len) != 0) {
    printf("image differs after %u runs\n", runs);
    return 1;
  }
  printf("runs=%u cuts=%u early_cuts=%u resumed=%u checkpoints=%u torn_pages=%u torn_states=%u "
         "checkpoint_bytes=%u same_bytes=1\n",
         runs, r.cut_count, early, resumes, r.checkpoints, r.torn_pages, r.torn_states,
         UPDRAFT_PATCH_CHECKPOINT_SIZE(3, 2));
  return 0;
}
