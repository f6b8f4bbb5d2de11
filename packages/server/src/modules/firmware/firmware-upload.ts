// One upload of a firmware package: files stream into blob writers one after another; only
// `finish()` makes the package exist. Any failure before that leaves no row and no blob.
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { BlobStore, BlobWriter } from './blob-store.ts';
import type { FirmwareFile, FirmwarePackage, FirmwareStore, NewFirmwarePackage } from './firmware-store.ts';
import { checkFileName } from './package-rules.ts';

export interface UploadLimits {
  maxFileBytes: number;
  maxFiles: number;
  extensions: readonly string[];
}

export interface FirmwareUpload {
  /** Streams one file into the blob store; checks its name before reading any byte. */
  addFile(name: string, content: AsyncIterable<Uint8Array>): Promise<FirmwareFile>;
  /** Stores the package and its files, or fails leaving nothing behind. */
  finish(): Promise<FirmwarePackage>;
  /** Drops every file written so far. */
  abort(): Promise<void>;
}

export function createFirmwareUpload(deps: {
  pkg: Omit<NewFirmwarePackage, 'totalSize'>;
  store: FirmwareStore;
  blobs: BlobStore;
  limits: UploadLimits;
  clock: Clock;
}): FirmwareUpload {
  const { pkg, store, blobs, limits, clock } = deps;
  const writers: BlobWriter[] = [];
  const files: FirmwareFile[] = [];
  let state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';

  async function abort(): Promise<void> {
    if (state === 'done') return;
    state = 'aborted';
    await Promise.allSettled(writers.map((w) => w.abort()));
  }

  return {
    async addFile(name, content) {
      if (state !== 'open') throw new UpdraftError('CONFLICT', 'this upload is no longer open');
      if (files.length >= limits.maxFiles) {
        throw new UpdraftError('FIRMWARE_TOO_MANY_FILES', `a package has at most ${limits.maxFiles} files`, {
          max: limits.maxFiles,
        });
      }
      checkFileName(name, limits.extensions);
      if (files.some((f) => f.name === name)) {
        throw new UpdraftError('FIRMWARE_FILE_NAME', `file ${JSON.stringify(name)} is in the package twice`, {
          name,
        });
      }
      const writer = await blobs.beginWrite({ maxBytes: limits.maxFileBytes });
      writers.push(writer);
      for await (const chunk of content) await writer.write(chunk);
      const digest = await writer.finish();
      if (digest.size === 0) {
        throw new UpdraftError('FIRMWARE_FILE_EMPTY', `file ${JSON.stringify(name)} is empty (0 bytes)`, {
          name,
        });
      }
      const file = {
        position: files.length + 1,
        name,
        size: digest.size,
        sha256: digest.sha256,
        md5: digest.md5,
      };
      files.push(file);
      return file;
    },

    async finish() {
      if (state !== 'open') throw new UpdraftError('CONFLICT', 'this upload is no longer open');
      if (files.length === 0)
        throw new UpdraftError('FIRMWARE_NO_FILES', 'a package needs at least one file');
      state = 'finishing';
      const created: string[] = [];
      try {
        const totalSize = files.reduce((sum, f) => sum + f.size, 0);
        // The blobs move to their keys inside the insert's transaction, so a failed move rolls
        // the rows back; a failed commit after the move is undone below.
        const stored = await store.insertPackage({ ...pkg, totalSize }, files, async () => {
          for (const [i, writer] of writers.entries()) {
            if ((await writer.commit()).created) created.push(files[i]!.sha256);
          }
        });
        state = 'done';
        return stored;
      } catch (error) {
        state = 'open';
        await abort();
        // Blobs this upload stored but no row keeps: the sweeper deletes them after the grace
        // period (not now: another upload of the same bytes may be taking them up).
        await store.markOrphanBlobs(created, clock.now()).catch(() => {});
        throw error;
      }
    },

    abort,
  };
}
