// @updraft/delta: binary diff of firmware images and their streaming patch.
// The patch format is specified in docs/delta-format.md. Devices import `@updraft/delta/apply`,
// the patch alone (apply-index.ts); this entry adds the diff, which runs on the server.

export * from './apply-index.ts';
export {
  DEFAULT_WORTHWHILE_RATIO,
  type DiffOptions,
  type DiffResult,
  diff,
  type PatchFormat,
} from './diff.ts';
export { createDiffJob, type DiffImage, type DiffJobHooks } from './diff-job.ts';
