// The upgrade log's retention (UPDRAFT_UPGRADE_LOG_RETENTION_DAYS, issue 25): the log lines of
// the device upgrades of a plan that ended (completed, cancelled, expired) longer ago than the
// retention are deleted by a scheduler step, a batch of device upgrades at a time. The device
// upgrades themselves stay: a plan's report, its export, failure reasons, the completions chart
// and a device's history are read from them, so they are exact after pruning; what goes is the
// per-transition log of GET /device-upgrades/{id}, most of a finished plan's rows.
import type { Clock } from '../../adapters/clock/clock.ts';

export interface UpgradeLogPruneBatch {
  planId: number;
  /** Log lines deleted. */
  deleted: number;
  /** The plan's pruning is finished (it is not picked again until it is reopened and ends anew). */
  done: boolean;
}

/** Owned by the retention step; the database claims each batch, so instances never repeat one. */
export interface UpgradeLogPruneStore {
  /**
   * Deletes the log lines of the next `upgrades` device upgrades (in id order) of the plan that
   * ended first before `endedBefore` and is not pruned yet; null when no plan is left to prune.
   */
  pruneUpgradeLogBatch(
    endedBefore: number,
    upgrades: number,
    now: number,
  ): Promise<UpgradeLogPruneBatch | null>;
}

const dayMs = 24 * 3600_000;

export function createUpgradeLogRetention({
  store,
  clock,
  retentionDays,
  upgradesPerBatch = 1000,
  batchesPerPass = 5,
  idleMs = 3600_000,
}: {
  store: UpgradeLogPruneStore;
  clock: Clock;
  /** null: the log is kept for good. */
  retentionDays: number | null;
  upgradesPerBatch?: number;
  /** Batches in one scheduler pass, so that a large backlog never delays the plans' ticks long. */
  batchesPerPass?: number;
  /** Once nothing is left, how long before the next look. */
  idleMs?: number;
}) {
  let nextLook = 0;
  return {
    /** A scheduler step: the log lines deleted in this pass. */
    async pruneIfDue(): Promise<number> {
      if (retentionDays === null) return 0;
      const now = clock.now();
      if (now < nextLook) return 0;
      let deleted = 0;
      for (let batch = 0; batch < batchesPerPass; batch++) {
        const done = await store.pruneUpgradeLogBatch(now - retentionDays * dayMs, upgradesPerBatch, now);
        if (done === null) {
          nextLook = now + idleMs;
          break;
        }
        deleted += done.deleted;
      }
      return deleted;
    },
  };
}

export type UpgradeLogRetention = ReturnType<typeof createUpgradeLogRetention>;
