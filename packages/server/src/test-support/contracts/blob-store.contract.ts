// The behaviour every BlobStore adapter must show. An adapter's test calls
// `describeBlobStoreContract` with a factory for a fresh, empty store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import type { BlobStore } from '../../modules/firmware/blob-store.ts';

export interface BlobStoreFixture {
  store: BlobStore;
  /** How many temporary copies the adapter currently holds. */
  countTemp(): Promise<number>;
  dispose(): Promise<void>;
}

const hex = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest('hex');

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function put(store: BlobStore, data: Uint8Array, chunkSize = 7): Promise<string> {
  const writer = await store.beginWrite({ maxBytes: 1024 * 1024 });
  for (let i = 0; i < data.length; i += chunkSize) await writer.write(data.subarray(i, i + chunkSize));
  const digest = await writer.finish();
  await writer.commit();
  return digest.key;
}

export function describeBlobStoreContract(name: string, makeFixture: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let f: BlobStoreFixture;
    before(async () => {
      f = await makeFixture();
    });
    after(() => f.dispose());

    it('computes size, sha256 and md5 while writing and stores the blob under its sha256', async () => {
      const data = Buffer.from('firmware bytes '.repeat(100));
      const writer = await f.store.beginWrite({ maxBytes: 10_000 });
      await writer.write(data.subarray(0, 100));
      await writer.write(data.subarray(100));
      const digest = await writer.finish();
      assert.deepEqual(digest, {
        key: hex('sha256', data),
        size: data.length,
        sha256: hex('sha256', data),
        md5: hex('md5', data),
      });
      assert.equal(await f.store.stat(digest.key), undefined, 'not visible before commit');
      assert.deepEqual(await writer.commit(), { created: true });
      assert.deepEqual(await f.store.stat(digest.key), { size: data.length });
      assert.deepEqual(await readAll(await f.store.open(digest.key)), data);
      assert.equal(await f.countTemp(), 0);
    });

    it('stores the same bytes once and says the second commit created nothing', async () => {
      const data = Buffer.from('same content');
      const key = await put(f.store, data);
      const writer = await f.store.beginWrite({ maxBytes: 100 });
      await writer.write(data);
      assert.equal((await writer.finish()).key, key);
      assert.deepEqual(await writer.commit(), { created: false });
      assert.equal(await f.countTemp(), 0);
    });

    it('stores an empty blob', async () => {
      const key = await put(f.store, new Uint8Array(0));
      assert.equal(key, hex('sha256', new Uint8Array(0)));
      assert.deepEqual(await f.store.stat(key), { size: 0 });
    });

    it('refuses the write that passes maxBytes with FIRMWARE_FILE_TOO_LARGE', async () => {
      const writer = await f.store.beginWrite({ maxBytes: 10 });
      await writer.write(new Uint8Array(10));
      await assert.rejects(
        writer.write(new Uint8Array(1)),
        (e) => isUpdraftError(e) && e.code === 'FIRMWARE_FILE_TOO_LARGE',
      );
      await writer.abort();
      assert.equal(await f.countTemp(), 0);
    });

    it('leaves nothing behind when aborted, before or after finishing, and aborts twice safely', async () => {
      const a = await f.store.beginWrite({ maxBytes: 100 });
      await a.write(Buffer.from('abandoned one'));
      const b = await f.store.beginWrite({ maxBytes: 100 });
      await b.write(Buffer.from('abandoned two'));
      const digest = await b.finish();
      assert.ok((await f.countTemp()) >= 1);
      await a.abort();
      await b.abort();
      await b.abort();
      assert.equal(await f.countTemp(), 0);
      assert.equal(await f.store.stat(digest.key), undefined);
    });

    it('reads an inclusive byte range', async () => {
      const data = Buffer.from('0123456789abcdef');
      const key = await put(f.store, data);
      assert.equal((await readAll(await f.store.open(key, { start: 3, end: 6 }))).toString(), '3456');
      assert.equal((await readAll(await f.store.open(key, { start: 15, end: 15 }))).toString(), 'f');
    });

    it('answers NOT_FOUND for a missing or malformed key and deletes idempotently', async () => {
      const missing = 'f'.repeat(64);
      await assert.rejects(f.store.open(missing), (e) => isUpdraftError(e) && e.code === 'NOT_FOUND');
      await assert.rejects(
        f.store.open('../../etc/passwd'),
        (e) => isUpdraftError(e) && e.code === 'NOT_FOUND',
      );
      assert.equal(await f.store.stat('../x'), undefined);
      const key = await put(f.store, Buffer.from('to delete'));
      await f.store.delete(key);
      await f.store.delete(key);
      assert.equal(await f.store.stat(key), undefined);
    });

    it('lists every committed key and no temporary copy', async () => {
      const keys = [
        await put(f.store, Buffer.from('listed one')),
        await put(f.store, Buffer.from('listed two')),
      ];
      const pending = await f.store.beginWrite({ maxBytes: 100 });
      await pending.write(Buffer.from('finished, never committed'));
      const { key: pendingKey } = await pending.finish();
      const listed: string[] = [];
      for await (const key of f.store.list()) listed.push(key);
      for (const key of keys) assert.ok(listed.includes(key), key);
      assert.ok(!listed.includes(pendingKey));
      assert.ok(listed.every((key) => /^[0-9a-f]{64}$/.test(key)));
      assert.equal(new Set(listed).size, listed.length);
      await pending.abort();
    });

    it('sweeps the temporary copies a crash left before the given time and keeps younger ones', async () => {
      const writer = await f.store.beginWrite({ maxBytes: 100 });
      await writer.write(Buffer.from('crash between finish and commit'));
      const { key } = await writer.finish();
      assert.equal(await f.store.sweepTemp(Date.now() - 3600_000), 0);
      assert.ok((await f.countTemp()) >= 1);
      assert.ok((await f.store.sweepTemp(Date.now() + 60_000)) >= 1);
      assert.equal(await f.countTemp(), 0);
      assert.equal(await f.store.stat(key), undefined);
      await writer.abort();
    });
  });
}
