export { applyUpgradeEvent } from './apply-upgrade-event.ts';
export { eventFromOneNetCode, eventFromThingsPanelStep } from './device-codes.ts';
export { dueUpgradeEvent } from './due-upgrade-event.ts';
export {
  type FailureReason,
  failureReasons,
  isAutomaticallyRetried,
  isFailureReason,
} from './failure-reason.ts';
export {
  type Confirmation,
  createUpgradeState,
  type DeviceEvent,
  defaultMaxRepushes,
  type OperatorEvent,
  type ScheduledAction,
  type SchedulerEvent,
  type UpgradeEffect,
  type UpgradeEvent,
  type UpgradeEventType,
  type UpgradeLogEntry,
  type UpgradePolicy,
  type UpgradeRefusal,
  type UpgradeState,
  type UpgradeTransition,
} from './upgrade-state.ts';
export {
  fromSeedStatusName,
  fromThingsPanelV1Status,
  fromThingsPanelV05Status,
  isTerminalUpgradeStatus,
  isUpgradeStatus,
  type SeedUpgradeStatusName,
  type TerminalUpgradeStatus,
  type ThingsPanelV1Status,
  type ThingsPanelV05Status,
  terminalUpgradeStatuses,
  toSeedStatusName,
  toThingsPanelV1Status,
  toThingsPanelV05Status,
  type UpgradeStage,
  type UpgradeStatus,
  upgradeStages,
  upgradeStatuses,
} from './upgrade-status.ts';
