// Why a device upgrade that has not begun waits (issue 19: "devices sit in Pending or Pushed
// with no visible reason"). Computed when the upgrade is read, from its state, the plan, the
// device's last known telemetry and version and the plan's load; nothing is stored. The first
// reason that applies wins, in the order of the list below.
import type { PlanStatus } from '../plans/plan-status.ts';
import { beforeWindow } from './internal/appointment.ts';
import { componentOf, versionRefusal } from './internal/components.ts';
import { thresholdShortfall } from './internal/upgrade-steps.ts';
import type { UpgradePolicy, UpgradeState } from './upgrade-state.ts';

export const waitingReasons = [
  /** The plan is a draft, scheduled or paused: nothing is pushed. */
  'plan_not_running',
  /** A manual plan: the device's user (or an operator) has not confirmed yet. */
  'awaiting_confirmation',
  /** The device's owner appointed a window that has not begun (end-user API). */
  'appointment_wait',
  /** A failed attempt waits for its automatic retry (nextActionAt). */
  'retry_wait',
  /** The device refused the offer: offered again once the rejection period is over (nextActionAt). */
  'rejection_wait',
  /** The device reported a version of the module the package does not take. */
  'wrong_version',
  /**
   * The device is not connected (MQTT) and was not seen (any request) for `seenRecentlyMs`: it
   * gets the upgrade when it comes back or checks.
   */
  'offline',
  /** The device's last battery is below the plan's minimum. */
  'battery_low',
  /** The device's last signal is below the plan's minimum. */
  'signal_low',
  /** The device's last reported free space is below the plan's minimum (Quectel USE_SPACE). */
  'space_low',
  /** The plan's concurrency cap is full: the device waits for a free place. */
  'cap_full',
  /** Due: the scheduler pushes it on its next pass (nextActionAt). */
  'queued',
  /** Pushed: the device has not begun (next push at nextActionAt, if the plan pushes again). */
  'awaiting_device',
] as const;
export type WaitingReason = (typeof waitingReasons)[number];

/** A device that polls over HTTP counts as reachable when seen this recently (15 minutes). */
export const seenRecentlyMs = 15 * 60_000;

export interface WaitingContext {
  readonly planStatus: PlanStatus;
  readonly policy: UpgradePolicy;
  readonly device: {
    readonly online: boolean;
    readonly lastSeenAt: number | null;
    readonly signal: number | null;
    readonly battery: number | null;
    /** Bytes free, as the device last reported; absent or null when it never did. */
    readonly freeSpace?: number | null;
    /** The device's reported version of the component's module, if any. */
    readonly version: string | null;
  };
  /** The plan's concurrency cap and its pushed plus upgrading records now (undefined: not counted). */
  readonly concurrency: number;
  readonly busy?: number | undefined;
  readonly now: number;
}

/** Why the record waits, or null when it does not (upgrading or ended). */
export function waitingReason(state: UpgradeState, context: WaitingContext): WaitingReason | null {
  if (state.status !== 'pending' && state.status !== 'pushed') return null;
  const { policy, device } = context;
  if (context.planStatus !== 'running') return 'plan_not_running';
  if (state.confirmation === 'awaiting') return 'awaiting_confirmation';
  if (beforeWindow(state, context.now)) return 'appointment_wait';
  if (state.nextAction === 'retry' && state.nextActionAt !== null && state.nextActionAt > context.now) {
    return 'retry_wait';
  }
  if (state.nextAction === 'reoffer' && state.nextActionAt !== null && state.nextActionAt > context.now) {
    return 'rejection_wait';
  }
  const component = componentOf(policy, state.component);
  const { version } = device;
  if (
    version !== null &&
    version !== component.targetVersion &&
    versionRefusal(component, version) !== null
  ) {
    return 'wrong_version';
  }
  const seenRecently = device.lastSeenAt !== null && context.now - device.lastSeenAt < seenRecentlyMs;
  if (!device.online && !seenRecently) return 'offline';
  const shortfall = thresholdShortfall(policy, {
    ...(device.signal !== null && { signal: device.signal }),
    ...(device.battery !== null && { battery: device.battery }),
    ...(device.freeSpace !== undefined && device.freeSpace !== null && { freeSpace: device.freeSpace }),
  });
  if (shortfall !== null) {
    if (shortfall.startsWith('battery')) return 'battery_low';
    return shortfall.startsWith('signal') ? 'signal_low' : 'space_low';
  }
  if (state.status === 'pushed') return 'awaiting_device';
  if (context.busy !== undefined && context.busy >= context.concurrency) return 'cap_full';
  return 'queued';
}
