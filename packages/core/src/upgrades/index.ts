export { applyUpgradeEvent } from './apply-upgrade-event.ts';
export {
  type ComponentCounts,
  type ComponentStatus,
  componentStatuses,
  componentStatusesOf,
  componentStatusOf,
  countComponents,
  emptyComponentCounts,
} from './component-status.ts';
export { dueUpgradeEvent } from './due-upgrade-event.ts';
export {
  type FailureReason,
  failureReasons,
  isAutomaticallyRetried,
  isFailureReason,
} from './failure-reason.ts';
export { countNoUpdateRequired, isNoUpdateRequired } from './no-update-required.ts';
export { isWaitingAfterRefusal, refusedState, reofferAt } from './rejection-period.ts';
export { lastHeardAt, silenceMs, silencePushPeriods, silentOfferAt } from './silence.ts';
export { isDeviceOffline, releasedState, slotHoldMs, slotReleaseMs } from './slot-release.ts';
export {
  type ComponentPolicy,
  type Confirmation,
  createUpgradeState,
  type DeviceEvent,
  minAppointmentMs,
  type OperatorEvent,
  repushLimit,
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
  upgradeEventTypes,
} from './upgrade-state.ts';
export {
  fromSeedStatusName,
  isTerminalUpgradeStatus,
  isUpgradeStatus,
  type SeedUpgradeStatusName,
  type TerminalUpgradeStatus,
  terminalUpgradeStatuses,
  toSeedStatusName,
  type UpgradeStage,
  type UpgradeStatus,
  upgradeStages,
  upgradeStatuses,
} from './upgrade-status.ts';
export {
  seenRecentlyMs,
  type WaitingContext,
  type WaitingReason,
  waitingReason,
  waitingReasons,
} from './waiting-reason.ts';
