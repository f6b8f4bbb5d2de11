/* Shared between the patcher's files; not part of the public interface. */
#ifndef UPDRAFT_PATCH_INTERNAL_H
#define UPDRAFT_PATCH_INTERNAL_H

#include "updraft/patch.h"

/* Phases of the payload grammar (docs/delta-format.md §6); a checkpoint can fall in any of them. */
enum {
  PH_COVER = 0, /* before a cover's copy length */
  PH_RUN,       /* before a zero run, or at the end of the copy */
  PH_COPY,      /* copying a run of unchanged bytes */
  PH_DIFF,      /* before the changed byte after a run */
  PH_LIT_LEN,   /* before the literal length */
  PH_BLOCK,     /* before a literal block (its raw bit) */
  PH_LIT,       /* inside a literal block */
  PH_END
};

#define UPDRAFT_LITERAL_BLOCK 4096u
#define UPDRAFT_LENGTH_PROBS 304u

int updraft_patch_parse_header(updraft_patch_t *p, const uint8_t *header);
/* Runs the grammar from the state in p->st to the end of the new image. */
int updraft_patch_decode(updraft_patch_t *p);
/* Reads the first four payload bytes into the coder. */
void updraft_patch_start_coder(updraft_patch_t *p);
/* Refills the input buffer and returns its first byte; on failure sets p->err and returns 0. */
uint32_t updraft_patch_input_slow(updraft_patch_t *p);
/* Loads the old-image window that holds `at`. */
int updraft_patch_load_old(updraft_patch_t *p, uint32_t at);
/* Writes the output buffer, and checkpoints when a checkpoint boundary is reached. */
int updraft_patch_flush(updraft_patch_t *p);

#endif
