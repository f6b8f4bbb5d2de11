/* Size probe: what a firmware links to apply a patch (the patcher, SHA-256, CRC-32). */
#include "updraft/patch.h"

int probe_entry(const updraft_patch_io_t *io, void *work);
int probe_entry(const updraft_patch_io_t *io, void *work) {
  updraft_patch_t p;
  int rc = updraft_patch_init(&p, io, work, UPDRAFT_PATCH_MCU_WORK_SIZE);
  return rc ? rc : updraft_patch_apply(&p);
}
