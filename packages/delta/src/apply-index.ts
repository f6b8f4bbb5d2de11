// @updraft/delta/apply: the device half of the delta engine. It restores a new image from the old
// one and a patch (streaming, within a memory budget, checking the header's hashes) and reads
// patch headers; it holds no diff, so it loads wherever the SDK runs (Node 18 and later), without
// the server's zstd size estimate (node:zlib zstd is Node 22.15 and later).

export {
  type ApplyOptions,
  apply,
  applyBuffer,
  applyVcdiff,
  isVcdiff,
  type PatchSource,
  type ReadOld,
} from './apply.ts';
export { DeltaError, type DeltaErrorCode, deltaErrorCodes, isDeltaError } from './delta-error.ts';
export { type PatchHeader, type ProfileName, readHeader } from './internal/patch-header.ts';
export { MCU_MEMORY_LIMIT } from './internal/profiles.ts';
