// Where the real firmware pairs live: ../shared/bench-data/delta beside the repository clone.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const benchDataDir = join(repoRoot, '..', 'shared', 'bench-data', 'delta');

/** The four pairs of ../shared/bench-data/delta/SOURCES.md. */
export const benchPairNames = [
  'micropython-esp8266',
  'wled-esp32',
  'linux-vmlinuz-amd64',
  'esbuild-linux-arm',
] as const;

export interface ImagePair {
  name: string;
  oldPath: string;
  newPath: string;
}

export function findPair(name: string): ImagePair | undefined {
  const oldPath = join(benchDataDir, name, 'old.bin');
  const newPath = join(benchDataDir, name, 'new.bin');
  return existsSync(oldPath) && existsSync(newPath) ? { name, oldPath, newPath } : undefined;
}

/**
 * The pair, or a reason to skip its test. In CI (CI=true) missing data is an error instead: a
 * suite that quietly skips its real-data round trips would pass without testing them.
 */
export function requirePair(name: string): { pair: ImagePair | undefined; skip: string | false } {
  const pair = findPair(name);
  if (pair) return { pair, skip: false };
  const where = join(benchDataDir, name);
  if (process.env['CI'] === 'true') throw new Error(`bench pair ${name} is missing in CI (${where})`);
  return { pair, skip: `bench pair ${name} is not at ${where}` };
}

export function readPair(pair: ImagePair): { old: Uint8Array; fresh: Uint8Array } {
  return {
    old: new Uint8Array(readFileSync(pair.oldPath)),
    fresh: new Uint8Array(readFileSync(pair.newPath)),
  };
}
