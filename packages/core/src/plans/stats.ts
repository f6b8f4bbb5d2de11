// Plan statistics from counts of device upgrades by status (a GROUP BY in the database).
//
// Definitions:
// - finished  = success + failure + cancelled (records that will not change by themselves).
// - decided   = success + failure: the outcomes that say something about the firmware. Devices
//               cancelled by an operator are left out of the rates.
// - successRate = success / decided, failureRate = failure / decided; null while decided is 0.
// - A record waiting for an automatic retry is pending, not failed: only final failures count.
import type { UpgradeStatus } from '../upgrades/upgrade-status.ts';
import type { FailureThreshold } from './plan-spec.ts';

export type UpgradeCounts = Readonly<Record<UpgradeStatus, number>>;

export function emptyUpgradeCounts(): Record<UpgradeStatus, number> {
  return { pending: 0, pushed: 0, upgrading: 0, success: 0, failure: 0, cancelled: 0 };
}

export function countUpgrades(statuses: Iterable<UpgradeStatus>): UpgradeCounts {
  const counts = emptyUpgradeCounts();
  for (const status of statuses) counts[status] += 1;
  return counts;
}

export interface UpgradeSummary {
  readonly total: number;
  readonly unfinished: number;
  readonly finished: number;
  readonly decided: number;
  readonly successRate: number | null;
  readonly failureRate: number | null;
  /** finished / total; 1 for a plan without devices. */
  readonly completion: number;
}

export function summarizeUpgrades(counts: UpgradeCounts): UpgradeSummary {
  const finished = counts.success + counts.failure + counts.cancelled;
  const unfinished = counts.pending + counts.pushed + counts.upgrading;
  const total = finished + unfinished;
  const decided = counts.success + counts.failure;
  return {
    total,
    unfinished,
    finished,
    decided,
    successRate: decided === 0 ? null : counts.success / decided,
    failureRate: decided === 0 ? null : counts.failure / decided,
    completion: total === 0 ? 1 : finished / total,
  };
}

/** True when no device upgrade of the plan is left to move: the plan can complete. */
export function allUpgradesFinished(counts: UpgradeCounts): boolean {
  return summarizeUpgrades(counts).unfinished === 0;
}

/**
 * Progress of upgrading devices in `bucketCount` equal buckets over 0..100; bucket i holds
 * floor(p * bucketCount / 100), with 100 in the last bucket. SQL: LEAST(p * n / 100, n - 1).
 */
export function bucketProgress(progresses: Iterable<number>, bucketCount = 10): number[] {
  if (!Number.isInteger(bucketCount) || bucketCount < 1)
    throw new RangeError('bucketCount must be a positive integer');
  const buckets = new Array<number>(bucketCount).fill(0);
  for (const progress of progresses) {
    const clamped = Math.min(100, Math.max(0, progress));
    const index = Math.min(bucketCount - 1, Math.floor((clamped * bucketCount) / 100));
    buckets[index] = (buckets[index] ?? 0) + 1;
  }
  return buckets;
}

/**
 * Issue 3: pause the plan by itself "when more than X% of at least N finished devices failed".
 * N counts decided devices (success + failure). `since` is the counts stored when an operator
 * last resumed the plan: only outcomes after it count, or the plan would pause again at once.
 */
export function shouldAutoPause(
  counts: UpgradeCounts,
  threshold: FailureThreshold | null,
  since: UpgradeCounts | null = null,
): boolean {
  if (threshold === null) return false;
  const success = Math.max(0, counts.success - (since?.success ?? 0));
  const failure = Math.max(0, counts.failure - (since?.failure ?? 0));
  const decided = success + failure;
  return decided >= threshold.minFinished && failure * 100 > threshold.percent * decided;
}
