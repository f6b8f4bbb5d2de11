// What the plan reports read (owned by the plans module): a plan's records in groups, read in one
// pass (report-groups.ts folds them into the report), and the fleet's completions over time.
import type { UpgradeCounts, UpgradeStatus } from '@updraft/core';

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

/**
 * A plan's records that share every key below, with sums over them. One pass over the plan's
 * records gives all of its report (at 1,000,000 records, one scan instead of nine: issue 25).
 */
export interface ReportGroup {
  status: UpgradeStatus;
  component: number;
  skipped: number;
  wave: number;
  /** An ended record's finish time, as the start of its bucket (epoch ms); null while active. */
  finishedBucket: number | null;
  /** A record that ever failed: its latest reason (failure_reason, else last_failure_reason). */
  reasonEver: string | null;
  /** A record in `failure`: its failure_reason (null when it has none). */
  failureReason: string | null;
  /** A record in `upgrading`: its progress. */
  progress: number | null;
  count: number;
  /** Records that ever failed (retried, or in `failure`). */
  failedEver: number;
  /** Sum of attempts - 1. */
  retries: number;
  /** Records on their first attempt. */
  firstAttempt: number;
  /** Active records awaiting confirmation. */
  awaiting: number;
  /** Records with at least one refusal, and their refusals. */
  refused: number;
  refusals: number;
  /** Refused records whose next action is a re-offer. */
  reoffer: number;
}

export interface ReportStore {
  /** The plan's records in groups, finish times bucketed by `bucketMs`; in no particular order. */
  reportGroups(planId: number, bucketMs: number): Promise<ReportGroup[]>;
  /** Ended records of every plan (or one product's), per bucket of finish time; empty buckets left out. */
  completions(filter: CompletionFilter, bucketMs: number): Promise<Completions[]>;
}
