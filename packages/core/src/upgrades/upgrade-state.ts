import type { FailureReason } from './failure-reason.ts';
import type { UpgradeStage, UpgradeStatus } from './upgrade-status.ts';

export type Confirmation = 'none' | 'awaiting' | 'confirmed' | 'rejected';

/** What the scheduler has to do at `nextActionAt`; see dueUpgradeEvent. */
export type ScheduledAction = 'push' | 'retry' | 'repush' | 'timeout';

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
}

/** The plan's rules as the machine needs them; times in milliseconds. */
export interface UpgradePolicy {
  readonly targetVersion: string;
  /** Delta packages: the only version the package applies to (OneNET errno 9). */
  readonly sourceVersion: string | null;
  readonly manual: boolean;
  /** Automatic retries after a failed attempt (0 = none). */
  readonly retryAttempts: number;
  readonly retryIntervalMs: number;
  readonly minSignal: number | null;
  readonly minBattery: number | null;
  /** How long an upgrading device may go without progress before it fails with 'timeout'. */
  readonly upgradeTimeoutMs: number;
  /** How often a pushed device that does not react is pushed again; null = never. */
  readonly pushPeriodMs: number | null;
  /** Re-pushes on mismatching version reports before the next one fails (protocols.md §1.7). */
  readonly maxRepushes: number;
}

export const defaultMaxRepushes = 3;

export type OperatorEvent =
  | { readonly type: 'operator_retry'; readonly actor?: string }
  | { readonly type: 'operator_cancel'; readonly actor?: string };

export type DeviceEvent =
  | {
      readonly type: 'version_reported';
      readonly version: string;
      readonly signal?: number;
      readonly battery?: number;
    }
  | { readonly type: 'checked'; readonly signal?: number; readonly battery?: number }
  | { readonly type: 'accepted' }
  | { readonly type: 'progress'; readonly percent: number; readonly stage?: UpgradeStage }
  | { readonly type: 'failed'; readonly reason: FailureReason; readonly detail?: string }
  | { readonly type: 'confirmed'; readonly actor?: string }
  | { readonly type: 'rejected'; readonly actor?: string };

/** Fired by the dispatcher and the scheduler from stored state. */
export type SchedulerEvent =
  | { readonly type: 'pushed' }
  | { readonly type: 'retry_due' }
  | { readonly type: 'repush_due' }
  | { readonly type: 'timeout_elapsed' }
  | { readonly type: 'deadline_reached' };

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
  | 'below_threshold'
  | 'not_manual'
  | 'not_failed'
  | 'not_due'
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
  };
}
