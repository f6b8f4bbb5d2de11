// Where the real firmware pairs live: ../shared/bench-data/delta beside the repository clone.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const benchDataDir = join(repoRoot, '..', 'shared', 'bench-data', 'delta');

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

export function readPair(pair: ImagePair): { old: Uint8Array; fresh: Uint8Array } {
  return {
    old: new Uint8Array(readFileSync(pair.oldPath)),
    fresh: new Uint8Array(readFileSync(pair.newPath)),
  };
}
