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
  // A later component's module is held by another active plan of the device
  // (docs/adr/0013-plan-components.md).
  'device_busy',
  // The device refused the package's signature or its security version (docs/signing.md).
  'signature_invalid',
  // Installs confirmed by health (docs/state-machines.md): the device did not report healthy in
  // the plan's health window, or reported unhealthy; or it said it is back on another version.
  'not_confirmed',
  'rolled_back',
] as const;
export type FailureReason = (typeof failureReasons)[number];

// A failure with one of these reasons is final at once: an automatic retry would go against a
// person's decision (rejected, cancelled), outlive the plan (deadline) or repeat what the device
// already gave up on (retries_exhausted, OneNET 207), or wait on another plan (device_busy).
const neverRetried: ReadonlySet<FailureReason> = new Set([
  'rejected',
  'cancelled_by_operator',
  'deadline',
  'retries_exhausted',
  'device_busy',
  // The same bytes would be refused again.
  'signature_invalid',
  // The same image failed on this device: installing it again would fail the same way.
  'not_confirmed',
  'rolled_back',
]);

export function isAutomaticallyRetried(reason: FailureReason): boolean {
  return !neverRetried.has(reason);
}

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === 'string' && (failureReasons as readonly string[]).includes(value);
}
