import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradePolicyFromPlanSpec } from './upgrade-policy.ts';
import { validatePlanSpec } from './validate-plan-spec.ts';

describe('upgrade policy from a plan', () => {
  it('converts seconds to milliseconds and keeps three re-pushes', () => {
    const result = validatePlanSpec({
      name: 'p',
      productId: 'p1',
      moduleId: 'm1',
      firmware: { kind: 'delta', packageId: 'f', targetVersion: '2.0', sourceVersion: '1.0' },
      target: { kind: 'all' },
      mode: 'manual',
      minBattery: 30,
      minFreeSpace: 8192,
      retry: { attempts: 2, intervalSeconds: 60 },
      pushPeriodSeconds: null,
      texts: { zh: '修复', en: 'Fixes' },
    });
    assert.ok(result.ok);
    assert.deepEqual(upgradePolicyFromPlanSpec(result.spec), {
      targetVersion: '2.0',
      sourceVersion: '1.0',
      manual: true,
      retryAttempts: 2,
      retryIntervalMs: 60_000,
      minSignal: null,
      minBattery: 30,
      minFreeSpace: 8192,
      upgradeTimeoutMs: 3_600_000,
      pushPeriodMs: null,
      maxRepushes: 3,
      rejectionPeriodMs: 7_200_000,
    });
  });
});
