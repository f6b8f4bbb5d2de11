/* The range decoder (LZMA's, 11-bit probabilities, per-group adaptation shift) and the payload
 * grammar as a state machine (docs/delta-format.md §5, §6). Every variable the grammar needs
 * between two bytes lives in the checkpointed state, so that a checkpoint taken when an output
 * buffer fills can resume in the middle of a copy or a literal block. */
#include <string.h>

#include "patch-internal.h"

#define TOP (1u << 24)

static uint32_t next_byte(updraft_patch_t *p) {
  return p->in_pos < p->in_end ? p->in[p->in_pos++] : updraft_patch_input_slow(p);
}

void updraft_patch_start_coder(updraft_patch_t *p) {
  uint32_t code = 0;
  int i;
  for (i = 0; i < 4; i++) code = (code << 8) | next_byte(p);
  p->st->range = 0xffffffffu;
  p->st->code = code;
}

/* TREE(probs, bits) of §5.1, with the range and code held in locals for the whole tree. */
static uint32_t decode_tree(updraft_patch_t *p, uint16_t *probs, unsigned bits, unsigned shift) {
  updraft_patch_state_t *st = p->st;
  uint32_t range = st->range, code = st->code, node = 1;
  unsigned i;
  for (i = 0; i < bits; i++) {
    uint16_t *prob = probs + node;
    uint32_t pr = *prob;
    uint32_t bound = (range >> 11) * pr;
    /* Without a branch: literal bits are close to random, and a mispredicted branch costs more
     * than the few extra operations. mask is all ones for a 1 bit. */
    uint32_t bit = code >= bound;
    uint32_t mask = 0u - bit;
    code -= bound & mask;
    range = (bound & ~mask) | ((range - bound) & mask);
    *prob = (uint16_t)(pr - ((pr >> shift) & mask) + (((2048u - pr) >> shift) & ~mask));
    node = (node << 1) | bit;
    /* With a shift below 4 a probability can fall under 16: normalise until back at 2^24. */
    while (range < TOP) {
      range <<= 8;
      code = (code << 8) | next_byte(p);
    }
  }
  st->range = range;
  st->code = code;
  return node - (1u << bits);
}

static uint32_t decode_bit(updraft_patch_t *p, uint16_t *prob) { return decode_tree(p, prob - 1, 1, 4); }

static uint32_t decode_direct(updraft_patch_t *p, unsigned count) {
  updraft_patch_state_t *st = p->st;
  uint32_t range = st->range, code = st->code, value = 0;
  unsigned i;
  if (code < range) {
    /* A sound stream keeps code < range, and then code - range/2 has its top bit set exactly when
     * code < range/2: the bit comes without a branch (LZMA's trick). */
    for (i = 0; i < count; i++) {
      uint32_t mask;
      range >>= 1;
      code -= range;
      mask = 0u - (code >> 31);
      code += range & mask;
      value = (value << 1) + (mask + 1u);
      if (range < TOP) {
        range <<= 8;
        code = (code << 8) | next_byte(p);
      }
    }
  } else {
    /* A damaged stream: the same arithmetic as the reference, step by step. */
    for (i = 0; i < count; i++) {
      uint32_t bit = 0;
      range >>= 1;
      if (code >= range) {
        code -= range;
        bit = 1;
      }
      value = (value << 1) | bit;
      if (range < TOP) {
        range <<= 8;
        code = (code << 8) | next_byte(p);
      }
    }
  }
  st->range = range;
  st->code = code;
  return value;
}

/* LENGTH(m, low) of §5.2; `base` is the model's first entry. */
static uint32_t decode_length(updraft_patch_t *p, uint16_t *base, unsigned low) {
  uint32_t nb = decode_tree(p, base, 5, 4) + 1;
  uint32_t mantissa = nb - 1;
  uint32_t tree_bits = mantissa < 3 ? mantissa : 3;
  uint32_t rest = mantissa - tree_bits;
  uint32_t low_bits = rest < 2 ? rest : 2;
  uint32_t x = 1;
  if (tree_bits > 0) x = (x << tree_bits) | decode_tree(p, base + 32 + (nb - 1) * 8, tree_bits, 4);
  if (rest > low_bits) x = (x << (rest - low_bits)) | decode_direct(p, rest - low_bits);
  if (low_bits > 0) x = (x << low_bits) | decode_tree(p, base + 288 + low * 4, low_bits, 4);
  return x - 1;
}

static uint16_t *length_model(updraft_patch_t *p, unsigned m) {
  return p->probs + p->len_base + m * UPDRAFT_LENGTH_PROBS;
}

static int emit(updraft_patch_t *p, uint8_t byte) {
  p->st->prev_byte = byte;
  p->out[p->out_pos++] = byte;
  return p->out_pos == p->buf_size ? updraft_patch_flush(p) : UPDRAFT_OK;
}

static int start_cover(updraft_patch_t *p, updraft_patch_state_t *st) {
  uint32_t copy, magnitude;
  int64_t old_pos;
  if (st->new_pos >= p->new_size) {
    st->phase = PH_END;
    return UPDRAFT_OK;
  }
  copy = decode_length(p, length_model(p, 1), 0);
  if (p->err) return p->err;
  if (copy > p->new_size - st->new_pos) return UPDRAFT_E_CORRUPT;
  st->copy_len = copy;
  st->phase = PH_LIT_LEN;
  if (copy == 0) return UPDRAFT_OK;
  magnitude = decode_length(p, length_model(p, 2), 0);
  old_pos = (int64_t)st->last_old_end;
  if (magnitude != 0 && decode_bit(p, p->probs + p->seek_sign)) old_pos -= magnitude;
  else old_pos += magnitude;
  if (p->err) return p->err;
  if (old_pos < 0 || old_pos + copy > (int64_t)p->old_size) return UPDRAFT_E_CORRUPT;
  st->old_pos = (uint32_t)old_pos;
  st->copy_done = 0;
  st->prev_run = -1;
  st->prev_diff = 0;
  st->phase = PH_RUN;
  return UPDRAFT_OK;
}

static int next_run(updraft_patch_t *p, updraft_patch_state_t *st) {
  unsigned model;
  uint32_t run;
  if (st->copy_done == st->copy_len) {
    st->last_old_end = st->old_pos + st->copy_len;
    st->new_pos += st->copy_len;
    st->phase = PH_LIT_LEN;
    return UPDRAFT_OK;
  }
  /* First run of the copy, or after a run of 0, of 1..7, of 8 or more bytes. */
  model = st->prev_run < 0 ? 3 : st->prev_run == 0 ? 4 : st->prev_run < 8 ? 5 : 6;
  run = decode_length(p, length_model(p, model), (st->new_pos + st->copy_done) & 3u);
  if (p->err) return p->err;
  if (run > st->copy_len - st->copy_done) return UPDRAFT_E_CORRUPT;
  st->run = run;
  st->run_left = run;
  st->phase = PH_COPY;
  return UPDRAFT_OK;
}

static int copy_run(updraft_patch_t *p, updraft_patch_state_t *st) {
  while (st->run_left > 0) {
    uint32_t at = st->old_pos + st->copy_done, n;
    int rc;
    if (at < p->old_base || at >= p->old_base + p->old_len) {
      rc = updraft_patch_load_old(p, at);
      if (rc) return rc;
    }
    n = p->old_base + p->old_len - at;
    if (n > st->run_left) n = st->run_left;
    if (n > p->buf_size - p->out_pos) n = p->buf_size - p->out_pos;
    memcpy(p->out + p->out_pos, p->old + (at - p->old_base), n);
    p->out_pos += n;
    st->copy_done += n;
    st->run_left -= n;
    st->prev_byte = p->out[p->out_pos - 1];
    if (p->out_pos == p->buf_size) {
      rc = updraft_patch_flush(p);
      if (rc) return rc;
    }
  }
  st->phase = st->copy_done == st->copy_len ? PH_RUN : PH_DIFF;
  return UPDRAFT_OK;
}

static int changed_byte(updraft_patch_t *p, updraft_patch_state_t *st) {
  uint32_t context = st->run == 0 && st->prev_run >= 0 ? 1u + (uint32_t)(st->prev_diff >> (8 - p->dc)) : 0;
  uint32_t diff = decode_tree(p, p->probs + p->diff_base + (context << 8), 8, p->diff_shift);
  uint32_t at = st->old_pos + st->copy_done;
  int rc;
  if (p->err) return p->err;
  if (diff == 0) return UPDRAFT_E_CORRUPT;
  if (at < p->old_base || at >= p->old_base + p->old_len) {
    rc = updraft_patch_load_old(p, at);
    if (rc) return rc;
  }
  st->prev_run = (int32_t)st->run;
  st->prev_diff = (uint8_t)diff;
  st->copy_done++;
  st->phase = PH_RUN;
  return emit(p, (uint8_t)(p->old[at - p->old_base] + diff));
}

static int literal_length(updraft_patch_t *p, updraft_patch_state_t *st) {
  uint32_t length = decode_length(p, length_model(p, 0), 0);
  if (p->err) return p->err;
  if (length > p->new_size - st->new_pos) return UPDRAFT_E_CORRUPT;
  if (st->copy_len == 0 && length == 0) return UPDRAFT_E_CORRUPT;
  st->lit_len = length;
  st->lit_left = length;
  st->phase = PH_BLOCK;
  return UPDRAFT_OK;
}

static int literal_block(updraft_patch_t *p, updraft_patch_state_t *st) {
  uint32_t block = st->lit_left < UPDRAFT_LITERAL_BLOCK ? st->lit_left : UPDRAFT_LITERAL_BLOCK;
  if (st->lit_left == 0) {
    st->new_pos += st->lit_len;
    st->phase = PH_COVER;
    return UPDRAFT_OK;
  }
  /* Version 2: a full block starts with a bit that says its bytes are raw (8 direct bits each). */
  st->raw = 0;
  if (p->version >= 2 && block == UPDRAFT_LITERAL_BLOCK) st->raw = (uint8_t)decode_bit(p, p->probs + p->raw_bit);
  if (p->err) return p->err;
  st->block_left = block;
  st->phase = PH_LIT;
  return UPDRAFT_OK;
}

static int literal_bytes(updraft_patch_t *p, updraft_patch_state_t *st) {
  unsigned context_shift = 8u - p->lc;
  while (st->block_left > 0) {
    uint32_t byte = st->raw ? decode_direct(p, 8)
                            : decode_tree(p, p->probs + p->lit_base + ((uint32_t)(st->prev_byte >> context_shift) << 8),
                                          8, p->lit_shift);
    int rc;
    if (p->err) return p->err;
    st->block_left--;
    st->lit_left--;
    rc = emit(p, (uint8_t)byte);
    if (rc) return rc;
  }
  st->phase = PH_BLOCK;
  return UPDRAFT_OK;
}

int updraft_patch_decode(updraft_patch_t *p) {
  updraft_patch_state_t *st = p->st;
  int rc = UPDRAFT_OK;
  while (rc == UPDRAFT_OK && st->phase != PH_END) {
    switch (st->phase) {
      case PH_COVER: rc = start_cover(p, st); break;
      case PH_RUN: rc = next_run(p, st); break;
      case PH_COPY: rc = copy_run(p, st); break;
      case PH_DIFF: rc = changed_byte(p, st); break;
      case PH_LIT_LEN: rc = literal_length(p, st); break;
      case PH_BLOCK: rc = literal_block(p, st); break;
      case PH_LIT: rc = literal_bytes(p, st); break;
      default: rc = UPDRAFT_E_CORRUPT; break;
    }
  }
  return rc;
}
