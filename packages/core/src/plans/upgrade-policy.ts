import { repushLimit, type UpgradePolicy } from '../upgrades/upgrade-state.ts';
import { planComponents } from './plan-components.ts';
import type { PlanSpec } from './plan-spec.ts';

const second = 1000;

/** The device-upgrade machine's policy for a plan (seconds become milliseconds). */
export function upgradePolicyFromPlanSpec(spec: PlanSpec): UpgradePolicy {
  const [, ...later] = planComponents(spec);
  return {
    targetVersion: spec.firmware.targetVersion,
    sourceVersion: spec.firmware.kind === 'delta' ? spec.firmware.sourceVersion : null,
    // Set only when they say something: a plan of one component keeps the policy it always had.
    ...(spec.specifiedVersions !== undefined && { specifiedVersions: spec.specifiedVersions }),
    ...(later.length > 0 && {
      module: spec.moduleId,
      laterComponents: later.map((c) => ({
        module: c.moduleId,
        targetVersion: c.firmware.targetVersion,
        sourceVersion: c.firmware.kind === 'delta' ? c.firmware.sourceVersion : null,
        specifiedVersions: c.specifiedVersions,
      })),
    }),
    manual: spec.mode === 'manual',
    retryAttempts: spec.retry.attempts,
    retryIntervalMs: spec.retry.intervalSeconds * second,
    minSignal: spec.minSignal,
    minBattery: spec.minBattery,
    minFreeSpace: spec.minFreeSpace ?? null,
    upgradeTimeoutMs: spec.upgradeTimeoutSeconds * second,
    // A plan that does not push actively answers devices that ask and pushes nothing again.
    pushPeriodMs:
      spec.pushPeriodSeconds === null || !spec.pushActively ? null : spec.pushPeriodSeconds * second,
    maxRepushes: repushLimit,
    rejectionPeriodMs: spec.rejectionPeriodSeconds * second,
    ...(spec.healthWindowSeconds !== undefined && { healthWindowMs: spec.healthWindowSeconds * second }),
  };
}
