// What the plan reports read (owned by the plans module): counts, progress, failure reasons and
// completions over time.
import type { UpgradeCounts } from '@updraft/core';

export interface PlanReportData {
  counts: UpgradeCounts;
  /** Progress value -> devices upgrading at it. */
  progress: { progress: number; count: number }[];
  failureReasons: { reason: string; count: number }[];
  /** Finished records per time bucket (start of bucket, epoch ms). */
  completions: Completions[];
  refusals: RefusalCounts;
  /** Active records awaiting the confirmation of a manual plan. */
  awaitingConfirmation: number;
  history: PlanHistory;
}

/**
 * The rollout as it happened, which a retry does not wipe (issue 19): every record counts its
 * attempts (core: a retry, automatic or by an operator, starts the next one), so a device that
 * failed once and then succeeded still counts as failed once.
 */
export interface PlanHistory {
  /** Devices that failed at least once (ended in failure or were retried). */
  devicesFailed: number;
  /** Failed attempts in all: earlier attempts of retried devices plus current failures. */
  failedAttempts: number;
  /** Devices that succeeded on their first attempt. */
  firstAttemptSuccesses: number;
  /** Every reason a device failed for, latest per device, retried devices included. */
  failureReasons: { reason: string; count: number }[];
}

/** The devices' refusals of the plan's offer (core rejection-period.ts). */
export interface RefusalCounts {
  /** Devices that refused at least once. */
  devices: number;
  /** Refusals in all. */
  total: number;
  /** Devices waiting out the rejection period now. */
  waiting: number;
}

/** Records that ended in one time bucket (its start, epoch ms). */
export interface Completions {
  at: number;
  success: number;
  failure: number;
  cancelled: number;
}

export interface CompletionFilter {
  productId?: number | undefined;
  /** Records finished at or after this instant (epoch ms). */
  since: number;
}

export interface ReportStore {
  report(planId: number, bucketMs: number): Promise<PlanReportData>;
  /** Ended records of every plan (or one product's), per bucket of finish time; empty buckets left out. */
  completions(filter: CompletionFilter, bucketMs: number): Promise<Completions[]>;
}
