export { duePlanAction, type PlanSnapshot, publishAction } from './due-plan-action.ts';
export { type PlanSpecIssue, type PlanSpecIssueCode, planSpecIssueCodes } from './internal/spec-reader.ts';
export {
  acceptedVersions,
  acceptsVersion,
  type ComponentsOf,
  componentCount,
  planComponent,
  planComponents,
} from './plan-components.ts';
export {
  type FailureThreshold,
  type PlanComponent,
  type PlanFirmware,
  type PlanMode,
  type PlanSpec,
  type PlanStart,
  type PlanTarget,
  planSpecLimits,
  type RetryStrategy,
  type UpgradeTexts,
} from './plan-spec.ts';
export {
  acceptsDeviceUpgradeActions,
  allowedPlanActions,
  checkPlanEditable,
  isPlanDispatching,
  isPlanFinished,
  type PlanAction,
  type PlanEffect,
  type PlanRefusal,
  type PlanStatus,
  type PlanTransitionContext,
  type PlanTransitionRecord,
  type PlanTransitionResult,
  planActions,
  planStatuses,
  transitionPlan,
} from './plan-status.ts';
export {
  hourIn,
  isInPushWindow,
  isValidTimeZone,
  nextWindowOpening,
  type PlanTiming,
  type PushWindow,
  zonedTimeToEpoch,
} from './push-window.ts';
export {
  allUpgradesFinished,
  bucketProgress,
  countUpgrades,
  emptyUpgradeCounts,
  shouldAutoPause,
  summarizeUpgrades,
  type UpgradeCounts,
  type UpgradeSummary,
} from './stats.ts';
export { withSpecDefaults } from './stored-spec.ts';
export {
  matchesTarget,
  type TargetDevice,
  type TargetExclusion,
  type TargetingSpec,
  targetExclusion,
} from './targeting.ts';
export { upgradePolicyFromPlanSpec } from './upgrade-policy.ts';
export {
  type PlanSpecContext,
  type PlanSpecValidation,
  planSpecError,
  validatePlanSpec,
} from './validate-plan-spec.ts';
export {
  applyWaveAction,
  dueWaveAction,
  firstWave,
  type WaveAction,
  type WavePhase,
  type WaveProgress,
  wavePhases,
} from './wave-progress.ts';
export {
  assignWaves,
  countPerWave,
  type WaveDevice,
  type WaveSize,
  type WaveSpec,
  waveGroupIds,
  waveLimits,
  waveOrderKey,
} from './waves.ts';
