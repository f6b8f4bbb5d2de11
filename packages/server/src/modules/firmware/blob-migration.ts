// Moving every blob from one store to another (`updraft blobs migrate --to s3`). Each blob is
// streamed through a writer of the target, which hashes it again: a file whose bytes no longer
// match its key is reported, not copied. A blob the target already holds at the same size is
// left alone, so a run that was cut off, or a second run after the switch, carries on. The
// source is only read.
import type { BlobStore } from './blob-store.ts';

export type BlobMigrationOutcome = 'copied' | 'present' | 'corrupt' | 'to copy';

export interface BlobMigrationReport {
  copied: number;
  copiedBytes: number;
  /** Already in the target at the same size. */
  present: number;
  /** Dry run: blobs a real run would copy. */
  toCopy: number;
  /** Source files whose bytes do not hash to their key. */
  corrupt: string[];
  /** Blobs a package refers to that neither store has (dry run: that the source lacks). */
  missing: string[];
}

export async function migrateBlobs(options: {
  from: BlobStore;
  to: BlobStore;
  /** The keys some package refers to. */
  referenced: () => Promise<readonly string[]>;
  dryRun?: boolean;
  onBlob?: (key: string, outcome: BlobMigrationOutcome, size: number) => void;
}): Promise<BlobMigrationReport> {
  const { from, to, dryRun = false } = options;
  const report: BlobMigrationReport = {
    copied: 0,
    copiedBytes: 0,
    present: 0,
    toCopy: 0,
    corrupt: [],
    missing: [],
  };
  const seen = new Set<string>();
  for await (const key of from.list()) {
    seen.add(key);
    const size = (await from.stat(key))?.size;
    if (size === undefined) continue; // deleted since it was listed
    if ((await to.stat(key))?.size === size) {
      report.present++;
      options.onBlob?.(key, 'present', size);
      continue;
    }
    if (dryRun) {
      report.toCopy++;
      options.onBlob?.(key, 'to copy', size);
      continue;
    }
    const writer = await to.beginWrite({ maxBytes: size });
    try {
      for await (const chunk of await from.open(key)) await writer.write(chunk as Uint8Array);
      const digest = await writer.finish();
      if (digest.key !== key || digest.size !== size) {
        await writer.abort();
        report.corrupt.push(key);
        options.onBlob?.(key, 'corrupt', size);
        continue;
      }
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    report.copied++;
    report.copiedBytes += size;
    options.onBlob?.(key, 'copied', size);
  }
  for (const key of await options.referenced()) {
    if (report.corrupt.includes(key)) continue;
    if (dryRun ? !seen.has(key) && !(await to.stat(key)) : !(await to.stat(key))) report.missing.push(key);
  }
  return report;
}
