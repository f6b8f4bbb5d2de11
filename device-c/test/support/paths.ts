// Where the C tests find their build and data: device-c/build beside the sources, the real
// firmware pairs in ../shared/bench-data/delta beside the repository clone.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const deviceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const buildDir = join(deviceDir, 'build');
export const dataDir = join(buildDir, 'data');
/** UPDRAFT_BENCH_DATA points elsewhere, e.g. from a git worktree that has no shared/ beside it. */
export const benchDataDir =
  process.env['UPDRAFT_BENCH_DATA'] ?? join(deviceDir, '..', '..', 'shared', 'bench-data', 'delta');

export const tool = (name: string, variant: '' | 'asan' = ''): string =>
  variant ? join(buildDir, variant, name) : join(buildDir, name);
