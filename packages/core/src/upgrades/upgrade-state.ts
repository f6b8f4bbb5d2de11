import type { FailureReason } from './failure-reason.ts';
import type { UpgradeStage, UpgradeStatus } from './upgrade-status.ts';

export type Confirmation = 'none' | 'awaiting' | 'confirmed' | 'rejected';

/**
 * What the scheduler has to do at `nextActionAt`; see dueUpgradeEvent. `reoffer`: the device
 * refused the offer and gets it again once the rejection period is over (rejection-period.ts).
 * `health`: the end of the health window of an install waiting for the device's health report.
 */
export type ScheduledAction = 'push' | 'retry' | 'repush' | 'timeout' | 'reoffer' | 'health';

/** One device's upgrade under one plan: everything the machine needs, nothing it does not. */
export interface UpgradeState {
  readonly status: UpgradeStatus;
  /** Only while upgrading; null when the device reports bare percentages. */
  readonly stage: UpgradeStage | null;
  /** Last accepted percentage of the current stage, 0..100; 100 on success. */
  readonly progress: number;
  /** Why the record ended: set on failure and cancelled, null otherwise. */
  readonly failureReason: FailureReason | null;
  /** Reason of the latest failed attempt, kept across automatic retries and after the end. */
  readonly lastFailureReason: FailureReason | null;
  /** Free text from the device or the engine about the latest failure. */
  readonly failureDetail: string | null;
  /** Attempts started, the first included; never decreases. */
  readonly attempts: number;
  /** Automatic retries used since the record was created or last retried by an operator. */
  readonly autoRetries: number;
  /** Pushes (notify effects) sent to the device; never decreases. */
  readonly pushCount: number;
  /** Mismatching version reports in the current attempt (protocols.md §1.7). */
  readonly mismatchCount: number;
  readonly confirmation: Confirmation;
  readonly nextAction: ScheduledAction | null;
  readonly nextActionAt: number | null;
  /** Last version the device reported, if any. */
  readonly reportedVersion: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Last time the upgrade was offered (push or check answer). */
  readonly offeredAt: number | null;
  /** When the current attempt entered upgrading. */
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /**
   * The plan's component under way, 0-based (docs/adr/0013-plan-components.md): the ones before
   * it succeeded; status, stage and the counters above are this one's.
   */
  readonly component: number;
  /** Bit i set: component i was skipped, the device already ran its target version. */
  readonly skipped: number;
  /**
   * A manual plan's upgrade the device's owner appointed for a window (internal/appointment.ts):
   * it is pushed or offered only from `appointedFrom` until `appointedUntil`; null otherwise.
   */
  readonly appointedFrom: number | null;
  readonly appointedUntil: number | null;
  /** Times the device refused the offer of a silent plan (rejection-period.ts); never decreases. */
  readonly refusals: number;
}

/** A component of the plan as the machine needs it (the first one is the policy's own fields). */
export interface ComponentPolicy {
  readonly module: string;
  readonly targetVersion: string;
  readonly sourceVersion: string | null;
  /** Full packages: the versions that may take it; empty = any. */
  readonly specifiedVersions: readonly string[];
}

/** The plan's rules as the machine needs them; times in milliseconds. */
export interface UpgradePolicy {
  /** The first component's target, source and specified versions. */
  readonly targetVersion: string;
  /** Delta packages: the only version the package applies to (OneNET errno 9). */
  readonly sourceVersion: string | null;
  /** Full packages: the versions that may take it; absent or empty = any. */
  readonly specifiedVersions?: readonly string[];
  /** The first component's module: set when there are later components, to name it. */
  readonly module?: string;
  /** The components after the first, in order; absent in a plan of one component. */
  readonly laterComponents?: readonly ComponentPolicy[];
  readonly manual: boolean;
  /** Automatic retries after a failed attempt (0 = none). */
  readonly retryAttempts: number;
  readonly retryIntervalMs: number;
  readonly minSignal: number | null;
  readonly minBattery: number | null;
  /** Minimum free space in bytes; absent or null = none. */
  readonly minFreeSpace?: number | null;
  /** How long an upgrading device may go without progress before it fails with 'timeout'. */
  readonly upgradeTimeoutMs: number;
  /** How often a pushed device that does not react is pushed again; null = never. */
  readonly pushPeriodMs: number | null;
  /** Re-pushes on mismatching version reports before the next one fails (protocols.md §1.7). */
  readonly maxRepushes: number;
  /** How long after a refusal a silent plan's offer is made again (rejection-period.ts). */
  readonly rejectionPeriodMs: number;
  /**
   * How long a device that runs the last component's target has to report healthy (stage
   * `confirming`); absent or null: the version alone is success (internal/health.ts).
   */
  readonly healthWindowMs?: number | null;
}

/**
 * The re-push limit (docs/glossary.md): how many times a device that reports a version other than
 * the target is pushed again in one attempt before the next mismatch fails it (protocols.md §1.7).
 */
export const repushLimit = 3;

export type OperatorEvent =
  | { readonly type: 'operator_retry'; readonly actor?: string }
  | { readonly type: 'operator_cancel'; readonly actor?: string };

export type DeviceEvent =
  | {
      readonly type: 'version_reported';
      readonly version: string;
      readonly signal?: number;
      readonly battery?: number;
      /** Bytes free for the upgrade, when the device says. */
      readonly freeSpace?: number;
    }
  | {
      readonly type: 'checked';
      readonly signal?: number;
      readonly battery?: number;
      readonly freeSpace?: number;
    }
  | { readonly type: 'accepted' }
  | { readonly type: 'progress'; readonly percent: number; readonly stage?: UpgradeStage }
  | { readonly type: 'failed'; readonly reason: FailureReason; readonly detail?: string }
  | { readonly type: 'confirmed'; readonly actor?: string }
  | { readonly type: 'rejected'; readonly actor?: string }
  /**
   * The device's owner confirms a manual plan's upgrade for a window (epoch ms, at least
   * `minAppointmentMs` long): the device gets it inside the window only.
   */
  | { readonly type: 'appointed'; readonly from: number; readonly until: number; readonly actor?: string }
  /**
   * The device (or its gateway) refuses the offer for now (Quectel status 3 REFUSEDOTA, the
   * SDK's defer): a silent plan offers it again after the rejection period; in a manual plan it
   * is a rejection. `reason`: the device's words, for the log.
   */
  | { readonly type: 'refused'; readonly reason?: string }
  /**
   * The device's health after the install (internal/health.ts): healthy confirms it; unhealthy
   * fails it, `rolled_back` when `version` says it is back on another version.
   */
  | {
      readonly type: 'health_reported';
      readonly healthy: boolean;
      readonly version?: string;
      readonly detail?: string;
    };

/** Fired by the dispatcher and the scheduler from stored state. */
export type SchedulerEvent =
  /**
   * `version`: the device's last known version of the component's module; a later component
   * the device already runs at its target is skipped instead of pushed.
   */
  | { readonly type: 'pushed'; readonly version?: string | null }
  | { readonly type: 'retry_due' }
  | { readonly type: 'repush_due' }
  | { readonly type: 'timeout_elapsed' }
  /** The health window ended with no health report: failure `not_confirmed`. */
  | { readonly type: 'health_window_elapsed' }
  | { readonly type: 'deadline_reached' }
  /**
   * The record went on to a component whose module another active plan holds for the device
   * (the store found it so when it moved the record): it ends with `device_busy`.
   */
  | { readonly type: 'module_busy'; readonly module: string }
  /**
   * The record was pushed `slotReleaseMs` ago and its device is offline (the store found it so):
   * back to pending, its place under the concurrency cap free (slot-release.ts).
   */
  | { readonly type: 'slot_released' }
  /**
   * The upgrade under way has not been heard of for two push periods (silence.ts): it is offered
   * again. `seenAt`: the device's last sign of life the store knows (a request, a download).
   */
  | { readonly type: 'silence_elapsed'; readonly seenAt?: number | null };

export type UpgradeEvent = DeviceEvent | OperatorEvent | SchedulerEvent;
export type UpgradeEventType = UpgradeEvent['type'];

export type UpgradeEffect =
  /** Push the offer to the device now (MQTT publish, LwM2M write). */
  | { readonly type: 'notify' }
  /** Answer the device's check with the upgrade (HTTP check response). */
  | { readonly type: 'offer' }
  /** Tell a device that was offered the upgrade that it is off (cancel, deadline, timeout). */
  | { readonly type: 'withdraw' }
  /** The record's timer; the same as state.nextAction / nextActionAt. */
  | { readonly type: 'schedule'; readonly action: ScheduledAction; readonly at: number }
  | {
      readonly type: 'finished';
      readonly outcome: 'success' | 'failure' | 'cancelled';
      readonly reason: FailureReason | null;
    };

/** Why an event was not applied; transports map these to their reply codes. */
export type UpgradeRefusal =
  | 'finished'
  | 'awaiting_confirmation'
  | 'retry_wait'
  /** The device refused the offer; it is offered again when the rejection period is over. */
  | 'refusal_wait'
  | 'below_threshold'
  | 'not_manual'
  | 'not_failed'
  | 'not_due'
  /** Appointed for a window that has not begun. */
  | 'appointment_wait'
  /** The appointed window ended before the device took the upgrade. */
  | 'appointment_passed'
  | 'invalid_state'
  | 'invalid_event';

export interface UpgradeLogEntry {
  readonly at: number;
  readonly event: UpgradeEventType;
  readonly from: UpgradeStatus;
  readonly to: UpgradeStatus;
  readonly actor: string | null;
  readonly message: string;
}

export interface UpgradeTransition {
  readonly state: UpgradeState;
  readonly effects: readonly UpgradeEffect[];
  /** One line for the append-only per-device log, also for refused and no-op events. */
  readonly log: UpgradeLogEntry;
  /** False when the event is not valid in this state; the state is then unchanged. */
  readonly accepted: boolean;
  readonly refusal: UpgradeRefusal | null;
  /** Whether state differs from the input (an accepted duplicate changes nothing). */
  readonly changed: boolean;
}

/** A new record: pending, due to be pushed at once, or awaiting confirmation in manual mode. */
export function createUpgradeState(now: number, options: { readonly manual: boolean }): UpgradeState {
  return {
    status: 'pending',
    stage: null,
    progress: 0,
    failureReason: null,
    lastFailureReason: null,
    failureDetail: null,
    attempts: 1,
    autoRetries: 0,
    pushCount: 0,
    mismatchCount: 0,
    confirmation: options.manual ? 'awaiting' : 'none',
    nextAction: options.manual ? null : 'push',
    nextActionAt: options.manual ? null : now,
    reportedVersion: null,
    createdAt: now,
    updatedAt: now,
    offeredAt: null,
    startedAt: null,
    finishedAt: null,
    component: 0,
    skipped: 0,
    appointedFrom: null,
    appointedUntil: null,
    refusals: 0,
  };
}

/** The shortest window an owner may appoint (Quectel's enduserapi, protocols.md §3.5: 1 hour). */
export const minAppointmentMs = 3_600_000;

/** Every event a device upgrade's log names (the console translates each one). */
export const upgradeEventTypes = [
  'checked',
  'pushed',
  'accepted',
  'progress',
  'failed',
  'version_reported',
  'confirmed',
  'rejected',
  'operator_retry',
  'operator_cancel',
  'retry_due',
  'repush_due',
  'timeout_elapsed',
  'deadline_reached',
  'module_busy',
  'slot_released',
  'silence_elapsed',
  'appointed',
  'refused',
  'health_reported',
  'health_window_elapsed',
] as const satisfies readonly UpgradeEventType[];
// Fails to compile when an event type is missing from the list above.
const everyEventListed: Exclude<UpgradeEventType, (typeof upgradeEventTypes)[number]> extends never
  ? true
  : false = true;
void everyEventListed;
