import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobStoreContract } from '../../modules/firmware/blob-store.contract.ts';
import { createFsBlobStore } from './fs-blob-store.ts';

describeBlobStoreContract('fs-blob-store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-blobs-'));
  return {
    store: createFsBlobStore(dir),
    async countTemp() {
      try {
        return readdirSync(join(dir, '.tmp')).length;
      } catch {
        return 0;
      }
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
