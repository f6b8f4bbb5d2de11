// @updraft/delta: binary diff of firmware images and their streaming patch.
// The patch format is specified in docs/delta-format.md.

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
export {
  DEFAULT_WORTHWHILE_RATIO,
  type DiffOptions,
  type DiffResult,
  diff,
  type PatchFormat,
} from './diff.ts';
export { createDiffJob, type DiffImage, type DiffJobHooks } from './diff-job.ts';
export { type PatchHeader, type ProfileName, readHeader } from './internal/patch-header.ts';
export { MCU_MEMORY_LIMIT } from './internal/profiles.ts';
