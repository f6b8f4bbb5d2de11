// The blob sweeper: a blob goes only once no package has referred to it for the grace period,
// and only through a claim that is safe with several instances and with uploads of the same
// bytes running meanwhile. Deleting a package (or an upload that failed after its blob was
// stored) records the blobs it leaves unreferenced as orphans; the sweeper deletes an orphan
// that is older than the grace period inside the transaction that removes its record, so that
// an upload reusing the blob either waits for the deletion and stores the bytes again, or holds
// the record first and the sweeper takes nothing (docs/adr/0009-firmware-on-s3.md).
import type { Clock } from '../../adapters/clock/clock.ts';
import type { BlobStore } from './blob-store.ts';

/** The sweeper's view of the database (owned here, implemented by the db adapter). */
export interface BlobOrphanStore {
  /** Keys of orphans recorded at or before `cutoff`, oldest first. */
  dueOrphans(cutoff: number, limit: number): Promise<string[]>;
  /**
   * In one transaction: removes the orphan record of `key` if it was recorded at or before
   * `cutoff` and no package refers to the blob, runs `remove` while the record is held, and
   * commits. A record whose blob a package uses again is dropped. Returns whether it removed.
   */
  claimOrphan(key: string, cutoff: number, remove: () => Promise<void>): Promise<boolean>;
  /** Records blobs no package refers to as orphans since `now`; an earlier record is kept. */
  markOrphans(keys: readonly string[], now: number): Promise<void>;
  /** Of these keys, those no package refers to and no orphan record names. */
  untracked(keys: readonly string[]): Promise<string[]>;
}

export interface BlobSweepResult {
  /** Orphans older than the grace period, deleted from the store. */
  deleted: number;
  /** Temporary copies of uploads a crash cut off. */
  tempRemoved: number;
  /** Blobs found in the store that no package refers to (a crash between storing a blob and its row). */
  found: number;
}

export interface BlobSweeper {
  /** Deletes due orphans and stale temporary copies; with `scan`, also lists the store for untracked blobs. */
  sweep(options?: { scan?: boolean }): Promise<BlobSweepResult>;
  /** For the scheduler: a sweep at most once an hour, with a scan at most once a day. */
  sweepIfDue(): Promise<BlobSweepResult | undefined>;
}

const hourMs = 3600_000;
const batch = 500;

export function createBlobSweeper(deps: {
  orphans: BlobOrphanStore;
  blobs: BlobStore;
  clock: Clock;
  /** How long a blob stays after the last package referring to it went. */
  graceMs: number;
  /** A temporary copy this old belongs to no running upload. */
  tempAgeMs?: number;
}): BlobSweeper {
  const { orphans, blobs, clock, graceMs } = deps;
  const tempAgeMs = deps.tempAgeMs ?? hourMs;
  let nextSweep = 0;
  let nextScan = 0;

  /** Blobs in the store with neither a package nor an orphan record become orphans now. */
  async function scan(now: number): Promise<number> {
    let found = 0;
    let keys: string[] = [];
    const flush = async () => {
      const lost = await orphans.untracked(keys);
      await orphans.markOrphans(lost, now);
      found += lost.length;
      keys = [];
    };
    for await (const key of blobs.list()) {
      keys.push(key);
      if (keys.length >= batch) await flush();
    }
    if (keys.length > 0) await flush();
    return found;
  }

  async function sweep({ scan: withScan = false } = {}): Promise<BlobSweepResult> {
    const now = clock.now();
    const tempRemoved = await blobs.sweepTemp(now - tempAgeMs);
    const found = withScan ? await scan(now) : 0;
    const cutoff = now - graceMs;
    let deleted = 0;
    for (;;) {
      const due = await orphans.dueOrphans(cutoff, batch);
      for (const key of due) {
        if (await orphans.claimOrphan(key, cutoff, () => blobs.delete(key))) deleted++;
      }
      if (due.length < batch) break;
    }
    return { deleted, tempRemoved, found };
  }

  return {
    sweep,
    async sweepIfDue() {
      const now = clock.now();
      if (now < nextSweep) return undefined;
      nextSweep = now + hourMs;
      const withScan = now >= nextScan;
      if (withScan) nextScan = now + 24 * hourMs;
      return sweep({ scan: withScan });
    },
  };
}
