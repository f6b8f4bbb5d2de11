// Firmware blobs as files: <dir>/<first two hex digits>/<sha256>. A blob is written under
// <dir>/.tmp/ while it is hashed, and renamed to its key only once the hash is known, so a
// reader never sees a half-written blob and a crash leaves only temporary files to sweep.
import { createHash, randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { UpdraftError } from '@updraft/core';
import type { BlobDigest, BlobStore, BlobWriter, ByteRange } from '../../modules/firmware/blob-store.ts';
import { explainStorageError, type StoragePlace } from '../storage/storage-faults.ts';

const keyPattern = /^[0-9a-f]{64}$/;
/**
 * Blobs are read front to back (downloads, cache fills, deltas): 1 MiB reads cost a sixteenth
 * of the system calls and socket writes of the 64 KiB default. A range never reads past its end.
 */
export const blobReadChunkBytes = 1024 * 1024;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

export function createFsBlobStore(dir: string): BlobStore {
  const tmpDir = join(dir, '.tmp');
  // Keys come from our own rows, but a key is still checked before it becomes a path.
  const pathOf = (key: string): string | undefined =>
    keyPattern.test(key) ? join(dir, key.slice(0, 2), key) : undefined;
  const notFound = (key: string) =>
    new UpdraftError('NOT_FOUND', `no blob ${key}`, { resource: 'blob', key });
  // A full disk or a read-only mount while storing: STORAGE_FULL (507) or STORAGE_READ_ONLY (503)
  // naming the folder, rather than an INTERNAL 500 (issue 14).
  const place: StoragePlace = {
    store: 'firmware',
    what: 'the firmware folder',
    path: dir,
    setting: 'UPDRAFT_FIRMWARE_DIR',
  };
  async function storing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw explainStorageError(error, place);
    }
  }

  async function beginWrite({ maxBytes }: { maxBytes: number }): Promise<BlobWriter> {
    const tmpPath = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const handle: FileHandle = await storing(async () => {
      await mkdir(tmpDir, { recursive: true });
      return open(tmpPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    });
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    let digest: BlobDigest | undefined;
    let state: 'writing' | 'finished' | 'committed' | 'aborted' = 'writing';

    async function abort(): Promise<void> {
      if (state === 'committed' || state === 'aborted') return;
      const wasWriting = state === 'writing';
      state = 'aborted';
      if (wasWriting) await handle.close().catch(() => {});
      await rm(tmpPath, { force: true });
    }

    return {
      async write(chunk) {
        if (state !== 'writing') throw new Error(`blob writer is ${state}`);
        if (size + chunk.byteLength > maxBytes) {
          throw new UpdraftError('FIRMWARE_FILE_TOO_LARGE', `a file is larger than ${maxBytes} bytes`, {
            maxBytes,
          });
        }
        size += chunk.byteLength;
        sha256.update(chunk);
        md5.update(chunk);
        await storing(async () => {
          let written = 0;
          while (written < chunk.byteLength) {
            const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written);
            written += bytesWritten;
          }
        });
      },
      async finish() {
        if (digest) return digest;
        if (state !== 'writing') throw new Error(`blob writer is ${state}`);
        // The bytes must be on disk before a row can point at them.
        await storing(async () => {
          await handle.sync();
          await handle.close();
        });
        state = 'finished';
        const hex = sha256.digest('hex');
        digest = { key: hex, size, sha256: hex, md5: md5.digest('hex') };
        return digest;
      },
      async commit() {
        if (state !== 'finished' || !digest) throw new Error(`blob writer is ${state}, not finished`);
        const target = pathOf(digest.key)!;
        if (await statOrUndefined(target)) {
          // Same bytes are already stored: content addressing makes this copy redundant.
          await unlink(tmpPath);
          state = 'committed';
          return { created: false };
        }
        const key = digest.key;
        await storing(async () => {
          await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
          await rename(tmpPath, target);
        });
        state = 'committed';
        return { created: true };
      },
      abort,
    };
  }

  return {
    beginWrite,

    async open(key, range?: ByteRange): Promise<Readable> {
      const path = pathOf(key);
      if (!path) throw notFound(key);
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if (isMissing(error)) throw notFound(key);
        throw error;
      }
      return handle.createReadStream({
        highWaterMark: blobReadChunkBytes,
        ...(range && { start: range.start, end: range.end }),
      });
    },

    async stat(key) {
      const path = pathOf(key);
      const stats = path ? await statOrUndefined(path) : undefined;
      return stats ? { size: stats.size } : undefined;
    },

    localPath: pathOf,

    async delete(key) {
      const path = pathOf(key);
      if (path) await rm(path, { force: true });
    },

    async *list() {
      for (const shard of await readdirOrEmpty(dir)) {
        if (!/^[0-9a-f]{2}$/.test(shard)) continue;
        for (const name of await readdirOrEmpty(join(dir, shard))) {
          if (keyPattern.test(name) && name.startsWith(shard)) yield name;
        }
      }
    },

    async sweepTemp(before) {
      let removed = 0;
      for (const name of await readdirOrEmpty(tmpDir)) {
        const stats = await statOrUndefined(join(tmpDir, name));
        if (!stats || stats.mtimeMs >= before) continue;
        await rm(join(tmpDir, name), { force: true, recursive: true });
        removed++;
      }
      return removed;
    },
  };
}
