import { defaultMaxRepushes, type UpgradePolicy } from '../upgrades/upgrade-state.ts';
import type { PlanSpec } from './plan-spec.ts';

const second = 1000;

/** The device-upgrade machine's policy for a plan (seconds become milliseconds). */
export function upgradePolicyFromPlanSpec(spec: PlanSpec): UpgradePolicy {
  return {
    targetVersion: spec.firmware.targetVersion,
    sourceVersion: spec.firmware.kind === 'delta' ? spec.firmware.sourceVersion : null,
    manual: spec.mode === 'manual',
    retryAttempts: spec.retry.attempts,
    retryIntervalMs: spec.retry.intervalSeconds * second,
    minSignal: spec.minSignal,
    minBattery: spec.minBattery,
    upgradeTimeoutMs: spec.upgradeTimeoutSeconds * second,
    pushPeriodMs: spec.pushPeriodSeconds === null ? null : spec.pushPeriodSeconds * second,
    maxRepushes: defaultMaxRepushes,
  };
}
