import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeBlobStoreContract } from '../../test-support/contracts/blob-store.contract.ts';
import { blobReadChunkBytes, createFsBlobStore } from './fs-blob-store.ts';

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

describe('fs-blob-store reads', () => {
  it('reads in 1 MiB chunks, and a short range in one chunk of its own size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-blobs-'));
    try {
      const store = createFsBlobStore(dir);
      const bytes = Buffer.alloc(3 * blobReadChunkBytes + 5, 7);
      const writer = await store.beginWrite({ maxBytes: bytes.length });
      await writer.write(bytes);
      const { key } = await writer.finish();
      await writer.commit();
      const sizes: number[] = [];
      for await (const chunk of await store.open(key)) sizes.push((chunk as Buffer).length);
      assert.deepEqual(sizes, [blobReadChunkBytes, blobReadChunkBytes, blobReadChunkBytes, 5]);
      const range: number[] = [];
      for await (const chunk of await store.open(key, { start: 10, end: 65_545 })) {
        range.push((chunk as Buffer).length);
      }
      assert.deepEqual(range, [65_536]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
