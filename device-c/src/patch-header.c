/* The 100-byte patch header (docs/delta-format.md §3): little-endian fields, checked in the order
 * the TypeScript patcher checks them so that both refuse a bad header with the same code. */
#include <string.h>

#include "patch-internal.h"

static uint32_t get_u32(const uint8_t *b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static int is_shift(uint8_t s) { return s >= 1 && s <= 7; }

/* What the TypeScript patcher accounts for (§7): model, three buffers, SHA-256 state, header, CRC
 * table and decoder state. A header stating less is corrupt. */
static uint32_t format_working_memory(uint8_t lc, uint8_t dc, uint8_t log2) {
  return 2u * UPDRAFT_PATCH_MODEL_ENTRIES(lc, dc) + 3u * (1u << log2) + 104u + 100u + 64u + 64u;
}

int updraft_patch_parse_header(updraft_patch_t *p, const uint8_t *h) {
  uint8_t version = h[4];
  int shifts_known;
  if (h[0] != 0x55 || h[1] != 0x44 || h[2] != 0x4c || h[3] != 0x54) return UPDRAFT_E_CORRUPT;
  if (get_u32(h + 96) != updraft_crc32(0, h, 96)) return UPDRAFT_E_CORRUPT;
  if (version != 1 && version != 2) return UPDRAFT_E_UNSUPPORTED_VERSION;
  /* Version 1 had bytes 9 and 10 zero and adapted every probability with shift 4. */
  shifts_known = version == 1 ? (h[9] == 0 && h[10] == 0) : (is_shift(h[9]) && is_shift(h[10]));
  if (h[5] > 1 || h[6] > 8 || h[7] > 8 || h[8] < 8 || h[8] > 20 || !shifts_known || h[11] != 0)
    return UPDRAFT_E_UNSUPPORTED_VERSION;
  p->version = version;
  p->lc = h[6];
  p->dc = h[7];
  p->buffer_log2 = h[8];
  p->lit_shift = version == 1 ? 4 : h[9];
  p->diff_shift = version == 1 ? 4 : h[10];
  p->working_memory = get_u32(h + 12);
  p->old_size = get_u32(h + 16);
  p->new_size = get_u32(h + 20);
  p->payload_size = get_u32(h + 24);
  memcpy(p->new_sha256, h + 60, 32);
  if (p->old_size > 0x7fffffffu || p->new_size > 0x7fffffffu) return UPDRAFT_E_CORRUPT;
  if (format_working_memory(p->lc, p->dc, p->buffer_log2) > p->working_memory) return UPDRAFT_E_CORRUPT;
  if (p->memory_limit != 0 && p->working_memory > p->memory_limit) return UPDRAFT_E_MEMORY_LIMIT;
  if (UPDRAFT_PATCH_WORK_SIZE(p->lc, p->dc, p->buffer_log2) > p->work_size) return UPDRAFT_E_MEMORY_LIMIT;
  return UPDRAFT_OK;
}

int32_t updraft_patch_work_size(const uint8_t header[UPDRAFT_PATCH_HEADER_SIZE]) {
  updraft_patch_t p;
  int rc;
  memset(&p, 0, sizeof p);
  p.work_size = 0xffffffffu;
  rc = updraft_patch_parse_header(&p, header);
  return rc != UPDRAFT_OK ? rc : (int32_t)UPDRAFT_PATCH_WORK_SIZE(p.lc, p.dc, p.buffer_log2);
}
