/* Streaming patcher for Updraft delta patches, format versions 1 and 2 (docs/delta-format.md).
 *
 * The caller gives every byte of memory (one struct and one work buffer) and four callbacks: read
 * the patch, read the old image at an offset, write the new image in order, one output buffer at a
 * time (256 bytes for the mcu profile), and optionally save and load checkpoints. After a power
 * cut, updraft_patch_apply() called again with the same patch resumes from the newest valid
 * checkpoint and writes the same bytes. No malloc, no OS, no libc beyond memcpy and memset. */
#ifndef UPDRAFT_PATCH_H
#define UPDRAFT_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "hash.h"

#define UPDRAFT_PATCH_HEADER_SIZE 100

typedef struct updraft_patch_io {
  void *ctx; /* passed to every callback */
  /* Copies up to len bytes of the patch starting at offset into buf; returns the count (0 at the end
   * of the patch; fewer than len is fine, the patcher asks again) or a negative code. Offsets go up
   * in order, except right after a resume, where the patcher asks once for its checkpoint's offset. */
  int32_t (*read_patch)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
  /* Copies exactly len bytes of the old image at offset; returns 0, UPDRAFT_E_BASE_MISMATCH when the
   * old image is shorter, or another negative code. Random access: offsets follow the patch. */
  int (*read_old)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
  /* Writes len bytes of the new image at offset. Offsets are multiples of the output buffer
   * (2^buffer_log2 bytes) and follow each other; only the last write is shorter. After a resume the
   * writes start again at the checkpoint's offset, which is a multiple of checkpoint_interval: make
   * that the flash erase unit and erase a sector when a write starts on it. 0 or a negative code. */
  int (*write_new)(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len);
  /* Optional (NULL: no checkpoints). Stores a checkpoint of len bytes in slot 0 or 1; the slots
   * alternate, so the previous checkpoint survives a cut during this one. 0 or a negative code. */
  int (*save_state)(void *ctx, unsigned slot, const void *state, uint32_t len);
  /* Optional. Copies len bytes of slot 0 or 1 back into state; returns 0, or non-zero when the slot
   * is empty or unreadable (the patcher also checks a CRC and that it belongs to this patch). */
  int (*load_state)(void *ctx, unsigned slot, void *state, uint32_t len);
  /* Optional. Called after each output buffer with bytes written and the new image's size; a
   * non-zero return stops the patcher with UPDRAFT_E_CANCELLED (a place to feed a watchdog too). */
  int (*progress)(void *ctx, uint32_t written, uint32_t total);
} updraft_patch_io_t;

/* The checkpointed part of the patcher's state. It lives at the start of the work buffer, followed
 * by the probability model; a checkpoint is these two, verbatim. Private: read no field. */
typedef struct {
  uint32_t magic, size, crc, seq;
  uint32_t header_crc;
  uint32_t range, code;
  uint32_t taken, unread, payload_crc;
  uint32_t written, new_pos, last_old_end, old_pos, copy_len, copy_done, run, run_left;
  int32_t prev_run;
  uint32_t lit_len, lit_left, block_left;
  uint8_t phase, raw, prev_byte, prev_diff;
  updraft_sha256_t new_hash;
} updraft_patch_state_t;

typedef struct updraft_patch {
  /* Set by updraft_patch_init(); the fields below the line may be changed before apply. */
  updraft_patch_io_t io;
  uint8_t *work;
  uint32_t work_size;
  /* ---- options ---- */
  uint32_t checkpoint_interval; /* new-image bytes between checkpoints; 0 = none (default 64 KiB) */
  uint32_t memory_limit;        /* refuse a header stating more working memory; 0 = no limit */
  uint8_t verify_old;           /* hash the old image before writing (default 1) */
  uint8_t verify_old_on_resume; /* again after a resume (default 0: the old slot is never written) */
  /* ---- filled by apply: the header, for the caller to read ---- */
  uint8_t version, lc, dc, buffer_log2, lit_shift, diff_shift, resumed;
  uint32_t old_size, new_size, payload_size, working_memory, payload_crc32;
  uint8_t new_sha256[32];
  /* ---- private ---- */
  updraft_patch_state_t *st;
  uint16_t *probs;
  uint8_t *in, *old, *out;
  uint32_t in_pos, in_end, old_base, old_len, out_pos, buf_size;
  uint32_t lit_base, diff_base, len_base, seek_sign, raw_bit;
  int32_t err;
  uint8_t truncated;
} updraft_patch_t;

/* Probability entries of a model with lc and dc context bits (docs/delta-format.md §4). */
#define UPDRAFT_PATCH_MODEL_ENTRIES(lc, dc) ((256u << (lc)) + (256u << (dc)) + 256u + 7u * 304u + 2u)
/* Work buffer bytes this patcher needs for a patch with lc, dc and buffer_log2. */
#define UPDRAFT_PATCH_WORK_SIZE(lc, dc, log2) \
  ((uint32_t)sizeof(updraft_patch_state_t) + ((2u * UPDRAFT_PATCH_MODEL_ENTRIES(lc, dc) + 3u) & ~3u) + \
   3u * (1u << (log2)))
/* The mcu profile: lc 3, dc 2, 256-byte buffers. */
#define UPDRAFT_PATCH_MCU_WORK_SIZE UPDRAFT_PATCH_WORK_SIZE(3, 2, 8)
/* Bytes of one checkpoint of a patch with lc and dc. */
#define UPDRAFT_PATCH_CHECKPOINT_SIZE(lc, dc) \
  ((uint32_t)sizeof(updraft_patch_state_t) + 2u * UPDRAFT_PATCH_MODEL_ENTRIES(lc, dc))

/* Sets up p with the callbacks and the work buffer (4-byte aligned); defaults for the options. */
int updraft_patch_init(updraft_patch_t *p, const updraft_patch_io_t *io, void *work, uint32_t work_size);

/* Applies the patch, resuming from a checkpoint when load_state finds one for this patch. Returns 0
 * once the new image is written and its SHA-256 and the payload CRC-32 match, else an error code.
 * Bytes are written before the final check: mark the new image bootable only after 0. */
int updraft_patch_apply(updraft_patch_t *p);

/* Work buffer bytes a patch needs, from its 100-byte header (or a negative code). */
int32_t updraft_patch_work_size(const uint8_t header[UPDRAFT_PATCH_HEADER_SIZE]);

#endif
