// The device-upgrade engine's surface (upgrade-engine.ts): what a transport reports of a device,
// what an operator may do to a record, and what comes back. Types only, imported by transports
// and services without the engine.
import type { DeviceEvent, UpgradeRefusal, UpgradeStatus } from '@updraft/core';

/** What a device said, as a transport reports it. `module` defaults to `default`. */
export interface DeviceEventInput {
  deviceId: number;
  module?: string | undefined;
  event: DeviceEvent;
}

/** `device_busy`: an operator retry of a device that is active in another plan of the module. */
export type EngineRefusal =
  | UpgradeRefusal
  | 'no_upgrade'
  | 'not_dispatching'
  | 'concurrency_full'
  /** The plan's daily push window is closed: a device that asks is told there is no task yet. */
  | 'outside_window'
  | 'device_busy';

export interface UpgradeOutcome {
  deviceId: number;
  upgradeId: number | null;
  planId: number | null;
  status: UpgradeStatus | null;
  accepted: boolean;
  refusal: EngineRefusal | null;
  /** The device's check is answered with the upgrade (effect `offer`). */
  offered: boolean;
}

export type OperatorAction = 'operator_retry' | 'operator_cancel' | 'confirmed' | 'rejected';
