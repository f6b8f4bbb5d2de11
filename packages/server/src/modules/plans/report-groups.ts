// A plan's report from its records' groups (ReportStore.reportGroups): counts, history, refusals,
// progress, failure reasons and completions per bucket, as the separate queries before gave them.
import { emptyUpgradeCounts } from '@updraft/core';
import type { Completions, PlanReportData, ReportGroup } from './report-store.ts';

/** Adds `n` to `key`'s count. */
function tally<K>(map: Map<K, number>, key: K, n: number) {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** Reasons in code point order (they are codes), a missing one last. */
function compareReasons(a: string | null, b: string | null) {
  if (a === b) return 0;
  if (a === null || b === null) return a === null ? 1 : -1;
  return a < b ? -1 : 1;
}

/** Most first, then by reason. */
function byCount(map: Map<string | null, number>) {
  return [...map]
    .map(([reason, count]) => ({ reason: reason as string, count }))
    .sort((a, b) => b.count - a.count || compareReasons(a.reason, b.reason));
}

export function planReportOf(groups: readonly ReportGroup[]): PlanReportData {
  const counts = emptyUpgradeCounts();
  const progress = new Map<number, number>();
  const reasons = new Map<string | null, number>();
  const reasonsEver = new Map<string | null, number>();
  const completions = new Map<number, Completions>();
  const refusals = { devices: 0, total: 0, waiting: 0 };
  const history = { devicesFailed: 0, failedAttempts: 0, firstAttemptSuccesses: 0 };
  let awaiting = 0;
  for (const g of groups) {
    counts[g.status] += g.count;
    awaiting += g.awaiting;
    refusals.devices += g.refused;
    refusals.total += g.refusals;
    if (g.status === 'pending') refusals.waiting += g.reoffer;
    history.devicesFailed += g.failedEver;
    history.failedAttempts += g.retries + (g.status === 'failure' ? g.count : 0);
    if (g.status === 'success') history.firstAttemptSuccesses += g.firstAttempt;
    if (g.reasonEver !== null) tally(reasonsEver, g.reasonEver, g.count);
    if (g.status === 'failure') tally(reasons, g.failureReason, g.count);
    if (g.status === 'upgrading' && g.progress !== null) tally(progress, g.progress, g.count);
    const { status } = g;
    if (
      g.finishedBucket !== null &&
      (status === 'success' || status === 'failure' || status === 'cancelled')
    ) {
      const at = g.finishedBucket;
      const entry = completions.get(at) ?? { at, success: 0, failure: 0, cancelled: 0 };
      entry[status] += g.count;
      completions.set(at, entry);
    }
  }
  return {
    counts,
    awaitingConfirmation: awaiting,
    history: { ...history, failureReasons: byCount(reasonsEver) },
    refusals,
    progress: [...progress]
      .map(([value, count]) => ({ progress: value, count }))
      .sort((a, b) => a.progress - b.progress),
    failureReasons: byCount(reasons),
    completions: [...completions.values()].sort((a, b) => a.at - b.at),
  };
}
