/* updraft_patch_apply(): header, old-image check, resume from a checkpoint, the payload's input
 * window, the output buffer and its checkpoints, and the final checks (docs/delta-format.md §2).
 * The grammar itself is in patch-decode.c. */
#include <string.h>

#include "patch-internal.h"

#define STATE_MAGIC 0x50434455u /* "UDCP", layout 1 */
#define DEFAULT_CHECKPOINT_INTERVAL 65536u

static int failed(int rc) { return rc < 0 ? rc : UPDRAFT_E_IO; }

int updraft_patch_init(updraft_patch_t *p, const updraft_patch_io_t *io, void *work, uint32_t work_size) {
  if (p == NULL || io == NULL || work == NULL || ((uintptr_t)work & 3u) != 0) return UPDRAFT_E_INVALID_ARGUMENT;
  if (io->read_patch == NULL || io->read_old == NULL || io->write_new == NULL) return UPDRAFT_E_INVALID_ARGUMENT;
  memset(p, 0, sizeof *p);
  p->io = *io;
  p->work = (uint8_t *)work;
  p->work_size = work_size;
  p->checkpoint_interval = DEFAULT_CHECKPOINT_INTERVAL;
  p->verify_old = 1;
  return UPDRAFT_OK;
}

/* Moves up to one buffer of payload into the input window, CRC-32 as it comes. */
static int fill_input(updraft_patch_t *p) {
  updraft_patch_state_t *st = p->st;
  uint32_t remaining = p->payload_size - st->taken;
  uint32_t want = remaining < p->buf_size ? remaining : p->buf_size, got = 0;
  while (got < want) {
    int32_t n = p->io.read_patch(p->io.ctx, UPDRAFT_PATCH_HEADER_SIZE + st->taken + got, p->in + got, want - got);
    if (n < 0) return n;
    if (n == 0) {
      p->truncated = 1;
      break;
    }
    if ((uint32_t)n > want - got) return UPDRAFT_E_IO;
    got += (uint32_t)n;
  }
  st->payload_crc = updraft_crc32(st->payload_crc, p->in, got);
  st->taken += got;
  p->in_pos = 0;
  p->in_end = got;
  return UPDRAFT_OK;
}

uint32_t updraft_patch_input_slow(updraft_patch_t *p) {
  int rc;
  if (p->err) return 0;
  rc = fill_input(p);
  if (rc == UPDRAFT_OK && p->in_end == 0) rc = p->truncated ? UPDRAFT_E_TRUNCATED : UPDRAFT_E_CORRUPT;
  if (rc != UPDRAFT_OK) {
    p->err = rc;
    return 0;
  }
  return p->in[p->in_pos++];
}

int updraft_patch_load_old(updraft_patch_t *p, uint32_t at) {
  uint32_t length = p->old_size - at < p->buf_size ? p->old_size - at : p->buf_size;
  int rc = p->io.read_old(p->io.ctx, at, p->old, length);
  if (rc) {
    p->old_len = 0;
    return failed(rc);
  }
  p->old_base = at;
  p->old_len = length;
  return UPDRAFT_OK;
}

static uint32_t checkpoint_size(const updraft_patch_t *p) { return UPDRAFT_PATCH_CHECKPOINT_SIZE(p->lc, p->dc); }

/* The CRC covers everything after the crc field: the rest of the state and the model. */
static uint32_t state_crc(const updraft_patch_t *p) {
  const uint8_t *from = (const uint8_t *)&p->st->seq;
  return updraft_crc32(0, from, checkpoint_size(p) - (uint32_t)(from - (const uint8_t *)p->st));
}

static int checkpoint(updraft_patch_t *p) {
  updraft_patch_state_t *st = p->st;
  int rc;
  st->unread = p->in_end - p->in_pos;
  st->seq++;
  st->crc = state_crc(p);
  rc = p->io.save_state(p->io.ctx, st->seq & 1u, st, checkpoint_size(p));
  return rc ? failed(rc) : UPDRAFT_OK;
}

int updraft_patch_flush(updraft_patch_t *p) {
  updraft_patch_state_t *st = p->st;
  uint32_t n = p->out_pos;
  int rc;
  if (n == 0) return UPDRAFT_OK;
  updraft_sha256_update(&st->new_hash, p->out, n);
  rc = p->io.write_new(p->io.ctx, st->written, p->out, n);
  if (rc) return failed(rc);
  st->written += n;
  p->out_pos = 0;
  if (p->io.progress != NULL && p->io.progress(p->io.ctx, st->written, p->new_size)) return UPDRAFT_E_CANCELLED;
  if (p->io.save_state != NULL && p->checkpoint_interval != 0 && st->written % p->checkpoint_interval == 0 &&
      st->written < p->new_size)
    return checkpoint(p);
  return UPDRAFT_OK;
}

/* A loaded checkpoint is used only if it is whole, of this patch, and its positions are possible. */
static int state_usable(const updraft_patch_t *p, uint32_t header_crc) {
  const updraft_patch_state_t *st = p->st;
  return st->magic == STATE_MAGIC && st->size == checkpoint_size(p) && st->header_crc == header_crc &&
         st->crc == state_crc(p) && st->phase < PH_END && st->written < p->new_size &&
         st->written % p->buf_size == 0 && st->taken <= p->payload_size && st->unread <= st->taken &&
         st->unread <= p->buf_size && st->new_pos <= p->new_size && st->copy_done <= st->copy_len &&
         st->copy_len <= p->old_size && st->old_pos <= p->old_size - st->copy_len &&
         st->run_left <= st->copy_len - st->copy_done && st->block_left <= UPDRAFT_LITERAL_BLOCK &&
         st->block_left <= st->lit_left;
}

/* Loads the newest usable checkpoint of the two slots; 1 if there is one. */
static int load_checkpoint(updraft_patch_t *p, uint32_t header_crc) {
  uint32_t size = checkpoint_size(p), seq0 = 0;
  int ok0, ok1;
  if (p->io.load_state == NULL) return 0;
  ok0 = p->io.load_state(p->io.ctx, 0, p->st, size) == 0 && state_usable(p, header_crc);
  if (ok0) seq0 = p->st->seq;
  ok1 = p->io.load_state(p->io.ctx, 1, p->st, size) == 0 && state_usable(p, header_crc);
  if (ok1 && (!ok0 || p->st->seq > seq0)) return 1;
  if (!ok0) return 0;
  return p->io.load_state(p->io.ctx, 0, p->st, size) == 0 && state_usable(p, header_crc);
}

static int read_header(updraft_patch_t *p) {
  uint32_t got = 0;
  while (got < UPDRAFT_PATCH_HEADER_SIZE) {
    int32_t n = p->io.read_patch(p->io.ctx, got, p->in + got, UPDRAFT_PATCH_HEADER_SIZE - got);
    if (n < 0) return n;
    if (n == 0) return UPDRAFT_E_TRUNCATED;
    if ((uint32_t)n > UPDRAFT_PATCH_HEADER_SIZE - got) return UPDRAFT_E_IO;
    got += (uint32_t)n;
  }
  return UPDRAFT_OK;
}

/* Hashes old_size bytes of the old image, a buffer at a time, before anything is written. */
static int verify_old_image(updraft_patch_t *p, const uint8_t *expected) {
  updraft_sha256_t hash;
  uint8_t digest[32];
  uint32_t offset;
  updraft_sha256_init(&hash);
  for (offset = 0; offset < p->old_size; offset += p->buf_size) {
    int rc = updraft_patch_load_old(p, offset);
    if (rc) return rc;
    updraft_sha256_update(&hash, p->old, p->old_len);
  }
  updraft_sha256_final(&hash, digest);
  p->old_len = 0;
  return memcmp(digest, expected, 32) == 0 ? UPDRAFT_OK : UPDRAFT_E_BASE_MISMATCH;
}

static void lay_out(updraft_patch_t *p) {
  uint32_t entries = UPDRAFT_PATCH_MODEL_ENTRIES(p->lc, p->dc);
  uint8_t *at = p->work + sizeof(updraft_patch_state_t);
  p->st = (updraft_patch_state_t *)(void *)p->work;
  p->probs = (uint16_t *)(void *)at;
  at += (2u * entries + 3u) & ~3u;
  p->buf_size = 1u << p->buffer_log2;
  p->in = at;
  p->old = at + p->buf_size;
  p->out = at + 2u * p->buf_size;
  p->lit_base = 0;
  p->diff_base = 256u << p->lc;
  p->len_base = p->diff_base + (256u << p->dc) + 256u;
  p->seek_sign = p->len_base + 7u * UPDRAFT_LENGTH_PROBS;
  p->raw_bit = p->seek_sign + 1u;
}

static void start_fresh(updraft_patch_t *p, uint32_t header_crc) {
  updraft_patch_state_t *st = p->st;
  uint32_t i, entries = UPDRAFT_PATCH_MODEL_ENTRIES(p->lc, p->dc);
  memset(st, 0, sizeof *st);
  st->magic = STATE_MAGIC;
  st->size = checkpoint_size(p);
  st->header_crc = header_crc;
  st->phase = p->new_size > 0 ? PH_COVER : PH_END;
  updraft_sha256_init(&st->new_hash);
  for (i = 0; i < entries; i++) p->probs[i] = 1024;
}

/* After a resume: the unread bytes of the checkpoint's input window, read again (already CRC'd). */
static int refill_unread(updraft_patch_t *p) {
  updraft_patch_state_t *st = p->st;
  uint32_t got = 0, from = UPDRAFT_PATCH_HEADER_SIZE + st->taken - st->unread;
  while (got < st->unread) {
    int32_t n = p->io.read_patch(p->io.ctx, from + got, p->in + got, st->unread - got);
    if (n < 0) return n;
    if (n == 0) return UPDRAFT_E_TRUNCATED;
    if ((uint32_t)n > st->unread - got) return UPDRAFT_E_IO;
    got += (uint32_t)n;
  }
  p->in_pos = 0;
  p->in_end = got;
  return UPDRAFT_OK;
}

/* §2 step 4: skip the coder's last bytes, no byte after the payload, CRC-32, then SHA-256. */
static int finish(updraft_patch_t *p) {
  updraft_patch_state_t *st = p->st;
  uint8_t digest[32];
  int32_t n;
  int rc = updraft_patch_flush(p);
  if (rc) return rc;
  while (st->taken < p->payload_size) {
    rc = fill_input(p);
    if (rc) return rc;
    if (p->in_end == 0) return UPDRAFT_E_TRUNCATED;
  }
  n = p->io.read_patch(p->io.ctx, UPDRAFT_PATCH_HEADER_SIZE + p->payload_size, p->in, 1);
  if (n < 0) return n;
  if (n > 0) return UPDRAFT_E_CORRUPT;
  if (st->payload_crc != p->payload_crc32) return UPDRAFT_E_CORRUPT;
  updraft_sha256_final(&st->new_hash, digest);
  return memcmp(digest, p->new_sha256, 32) == 0 ? UPDRAFT_OK : UPDRAFT_E_OUTPUT_MISMATCH;
}

int updraft_patch_apply(updraft_patch_t *p) {
  uint8_t old_sha256[32];
  uint32_t header_crc;
  int rc;
  if (p == NULL || p->work == NULL || p->work_size < UPDRAFT_PATCH_HEADER_SIZE) return UPDRAFT_E_INVALID_ARGUMENT;
  p->in = p->work; /* the header is read into the start of the work buffer, then copied out */
  p->err = 0;
  p->truncated = 0;
  p->resumed = 0;
  rc = read_header(p);
  if (rc) return rc;
  rc = updraft_patch_parse_header(p, p->in);
  if (rc) return rc;
  memcpy(old_sha256, p->in + 28, 32);
  header_crc = updraft_crc32(0, p->in, 96);
  p->payload_crc32 = (uint32_t)p->in[92] | ((uint32_t)p->in[93] << 8) | ((uint32_t)p->in[94] << 16) |
                     ((uint32_t)p->in[95] << 24);
  lay_out(p);
  if (p->checkpoint_interval % p->buf_size != 0)
    p->checkpoint_interval += p->buf_size - p->checkpoint_interval % p->buf_size;
  p->in_pos = p->in_end = 0;
  p->old_base = p->old_len = 0;
  p->out_pos = 0;
  p->resumed = (uint8_t)load_checkpoint(p, header_crc);
  if (p->resumed ? p->verify_old_on_resume : p->verify_old) {
    rc = verify_old_image(p, old_sha256);
    if (rc) return rc;
  }
  if (p->resumed) {
    rc = refill_unread(p);
    if (rc) return rc;
  } else {
    start_fresh(p, header_crc);
    if (p->new_size > 0) updraft_patch_start_coder(p);
    if (p->err) return p->err;
  }
  rc = updraft_patch_decode(p);
  return rc ? rc : finish(p);
}
