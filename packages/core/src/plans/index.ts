export { duePlanAction, type PlanSnapshot, publishAction } from './due-plan-action.ts';
export { type PlanSpecIssue, type PlanSpecIssueCode, planSpecIssueCodes } from './internal/spec-reader.ts';
export {
  type FailureThreshold,
  type PlanFirmware,
  type PlanMode,
  type PlanSpec,
  type PlanStart,
  type PlanTarget,
  planSpecLimits,
  type RetryStrategy,
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
  allUpgradesFinished,
  bucketProgress,
  countUpgrades,
  emptyUpgradeCounts,
  shouldAutoPause,
  summarizeUpgrades,
  type UpgradeCounts,
  type UpgradeSummary,
} from './stats.ts';
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
