// One catalogue of reasons a device upgrade ends without success (issue 3), plus 'failed'
// (the device gave no reason: ThingsPanel step -1, OneNET 206) and 'version_mismatch'
// (the fourth mismatching version report, protocols.md §1.7; OneNET 204 and errno 9).

export const failureReasons = [
  'download_failed',
  'check_failed',
  'write_failed',
  'low_battery',
  'weak_signal',
  'rejected',
  'retries_exhausted',
  'deadline',
  'timeout',
  'cancelled_by_operator',
  'failed',
  'version_mismatch',
] as const;
export type FailureReason = (typeof failureReasons)[number];

// A failure with one of these reasons is final at once: an automatic retry would go against a
// person's decision (rejected, cancelled), outlive the plan (deadline) or repeat what the device
// already gave up on (retries_exhausted, OneNET 207).
const neverRetried: ReadonlySet<FailureReason> = new Set([
  'rejected',
  'cancelled_by_operator',
  'deadline',
  'retries_exhausted',
]);

export function isAutomaticallyRetried(reason: FailureReason): boolean {
  return !neverRetried.has(reason);
}

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === 'string' && (failureReasons as readonly string[]).includes(value);
}
