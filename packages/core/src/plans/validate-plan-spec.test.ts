import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUpdraftError } from '../errors.ts';
import type { PlanSpecIssue } from './internal/spec-reader.ts';
import { upgradePolicyFromPlanSpec } from './upgrade-policy.ts';
import { planSpecError, validatePlanSpec } from './validate-plan-spec.ts';

const minimal = {
  name: 'Spring rollout',
  productId: 'p1',
  moduleId: 'm1',
  firmware: { kind: 'full', packageId: 'f1', targetVersion: '2.0' },
  target: { kind: 'all' },
};

function issuesOf(input: unknown, now?: number): PlanSpecIssue[] {
  const result = validatePlanSpec(input, now === undefined ? {} : { now });
  assert.equal(result.ok, false, 'expected issues');
  return result.ok ? [] : [...result.issues];
}

function hasIssue(input: unknown, path: string, code: string, now?: number): void {
  const issues = issuesOf(input, now);
  assert.ok(
    issues.some((i) => i.path === path && i.code === code),
    `expected ${path} ${code}, got ${JSON.stringify(issues)}`,
  );
}

describe('plan spec validation', () => {
  it('applies the defaults to a minimal spec', () => {
    const result = validatePlanSpec(minimal);
    assert.ok(result.ok);
    assert.deepEqual(result.spec, {
      ...minimal,
      whitelist: [],
      blacklist: [],
      mode: 'silent',
      start: { mode: 'now' },
      deadline: null,
      minSignal: null,
      minBattery: null,
      minFreeSpace: null,
      retry: { attempts: 0, intervalSeconds: 600 },
      concurrency: 10_000,
      failureThreshold: null,
      pushPeriodSeconds: 600,
      upgradeTimeoutSeconds: 3_600,
      rejectionPeriodSeconds: 7_200,
      timeZone: null,
      pushWindow: null,
      pushActively: true,
    });
  });

  it('accepts a full spec and drops duplicate ids', () => {
    const result = validatePlanSpec({
      ...minimal,
      firmware: { kind: 'delta', packageId: 'f2', targetVersion: '2.0', sourceVersion: '1.0' },
      target: { kind: 'groups', groupIds: ['g1', 'g1', 'g2'] },
      whitelist: ['d1'],
      blacklist: ['d2', 'd2'],
      mode: 'manual',
      texts: { zh: '修复', en: 'Fixes' },
      start: { mode: 'at', at: 1_000 },
      deadline: 2_000,
      minSignal: -110,
      minBattery: 30,
      retry: { attempts: 3, intervalSeconds: 60 },
      concurrency: 50,
      failureThreshold: { percent: 12.5 },
      pushPeriodSeconds: null,
      upgradeTimeoutSeconds: 600,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.spec.target, { kind: 'groups', groupIds: ['g1', 'g2'] });
    assert.deepEqual(result.spec.blacklist, ['d2']);
    assert.deepEqual(result.spec.failureThreshold, { percent: 12.5, minFinished: 10 });
    assert.equal(result.spec.pushPeriodSeconds, null);
  });

  it('refuses input that is not an object', () => {
    hasIssue(null, '', 'invalid_type');
    hasIssue([], '', 'invalid_type');
  });

  it('reports unknown fields at every level', () => {
    hasIssue({ ...minimal, colour: 'red' }, 'colour', 'unknown_field');
    hasIssue({ ...minimal, retry: { attempts: 1, backoff: 2 } }, 'retry.backoff', 'unknown_field');
  });

  it('reports every missing required field at once', () => {
    const paths = issuesOf({}).map((i) => `${i.path}:${i.code}`);
    for (const path of ['name', 'productId', 'moduleId', 'firmware', 'target'])
      assert.ok(paths.includes(`${path}:required`));
  });

  describe('name', () => {
    it('counts code points, so 100 emoji fit and 101 do not', () => {
      assert.ok(validatePlanSpec({ ...minimal, name: '🚀'.repeat(100) }).ok);
      hasIssue({ ...minimal, name: '🚀'.repeat(101) }, 'name', 'too_long');
    });

    it('accepts any script', () => {
      assert.ok(validatePlanSpec({ ...minimal, name: '春季升级 — Frühling' }).ok);
    });

    it('refuses a blank name, a control character and a non-string', () => {
      hasIssue({ ...minimal, name: '  \t' }, 'name', 'blank');
      hasIssue({ ...minimal, name: '' }, 'name', 'blank');
      hasIssue({ ...minimal, name: 'a\u0007b' }, 'name', 'invalid_value');
      hasIssue({ ...minimal, name: 5 }, 'name', 'invalid_type');
    });
  });

  describe('firmware', () => {
    it('requires a source version for a delta package', () => {
      hasIssue(
        { ...minimal, firmware: { kind: 'delta', packageId: 'f', targetVersion: '2.0' } },
        'firmware.sourceVersion',
        'source_version_required',
      );
    });

    it('refuses a source version equal to the target', () => {
      hasIssue(
        {
          ...minimal,
          firmware: { kind: 'delta', packageId: 'f', targetVersion: '2.0', sourceVersion: '2.0' },
        },
        'firmware.sourceVersion',
        'source_equals_target',
      );
    });

    it('refuses a source version on a full package, a bad version name and an unknown kind', () => {
      hasIssue(
        { ...minimal, firmware: { ...minimal.firmware, sourceVersion: '1.0' } },
        'firmware.sourceVersion',
        'invalid_value',
      );
      hasIssue(
        { ...minimal, firmware: { ...minimal.firmware, targetVersion: 'v 2' } },
        'firmware.targetVersion',
        'invalid_version',
      );
      hasIssue(
        { ...minimal, firmware: { ...minimal.firmware, kind: 'patch' } },
        'firmware.kind',
        'invalid_value',
      );
    });
  });

  describe('target', () => {
    it('refuses an empty device list and an unknown kind', () => {
      hasIssue({ ...minimal, target: { kind: 'devices', deviceIds: [] } }, 'target.deviceIds', 'too_short');
      hasIssue({ ...minimal, target: { kind: 'everyone' } }, 'target.kind', 'invalid_value');
    });

    it('checks each listed version and id with its index in the path', () => {
      hasIssue(
        { ...minimal, target: { kind: 'versions', versions: ['1.0', '1 1'] } },
        'target.versions.1',
        'invalid_version',
      );
      hasIssue({ ...minimal, blacklist: ['d1', ''] }, 'blacklist.1', 'blank');
    });

    it('refuses more than 10,000 entries in a list', () => {
      const ids = Array.from({ length: 10_001 }, (_, i) => `d${i}`);
      hasIssue({ ...minimal, whitelist: ids }, 'whitelist', 'too_many');
    });
  });

  describe('numbers', () => {
    it('keeps concurrency within 1..10,000', () => {
      hasIssue({ ...minimal, concurrency: 0 }, 'concurrency', 'out_of_range');
      hasIssue({ ...minimal, concurrency: 10_001 }, 'concurrency', 'out_of_range');
      hasIssue({ ...minimal, concurrency: 2.5 }, 'concurrency', 'not_integer');
      hasIssue({ ...minimal, concurrency: '5' }, 'concurrency', 'invalid_type');
    });

    it('keeps retry attempts within 0..10', () => {
      assert.ok(validatePlanSpec({ ...minimal, retry: { attempts: 10 } }).ok);
      hasIssue({ ...minimal, retry: { attempts: 11 } }, 'retry.attempts', 'out_of_range');
      hasIssue(
        { ...minimal, retry: { attempts: 1, intervalSeconds: -1 } },
        'retry.intervalSeconds',
        'out_of_range',
      );
    });

    it('keeps signal within -140..0 and battery within 0..100, or null', () => {
      assert.ok(validatePlanSpec({ ...minimal, minSignal: null, minBattery: null }).ok);
      hasIssue({ ...minimal, minSignal: -141 }, 'minSignal', 'out_of_range');
      hasIssue({ ...minimal, minSignal: 1 }, 'minSignal', 'out_of_range');
      hasIssue({ ...minimal, minBattery: 101 }, 'minBattery', 'out_of_range');
    });

    it('keeps the free-space minimum a whole number of bytes within 0..2,147,483,647, or null', () => {
      const spec = validatePlanSpec({ ...minimal, minFreeSpace: 1_048_576 });
      assert.ok(spec.ok);
      assert.equal(spec.spec.minFreeSpace, 1_048_576);
      hasIssue({ ...minimal, minFreeSpace: -1 }, 'minFreeSpace', 'out_of_range');
      hasIssue({ ...minimal, minFreeSpace: 2_147_483_648 }, 'minFreeSpace', 'out_of_range');
      hasIssue({ ...minimal, minFreeSpace: 1.5 }, 'minFreeSpace', 'not_integer');
    });

    it('keeps the failure threshold within 0..100 percent of at least one device', () => {
      hasIssue(
        { ...minimal, failureThreshold: { percent: 101 } },
        'failureThreshold.percent',
        'out_of_range',
      );
      hasIssue({ ...minimal, failureThreshold: { minFinished: 5 } }, 'failureThreshold.percent', 'required');
      hasIssue(
        { ...minimal, failureThreshold: { percent: 5, minFinished: 0 } },
        'failureThreshold.minFinished',
        'out_of_range',
      );
    });

    it('keeps the push period and the timeout at one minute or more', () => {
      hasIssue({ ...minimal, pushPeriodSeconds: 59 }, 'pushPeriodSeconds', 'out_of_range');
      hasIssue({ ...minimal, upgradeTimeoutSeconds: 59 }, 'upgradeTimeoutSeconds', 'out_of_range');
    });

    it('keeps the rejection period at 10 to 1,440 minutes, 120 by default (protocols.md §3.1)', () => {
      hasIssue({ ...minimal, rejectionPeriodSeconds: 599 }, 'rejectionPeriodSeconds', 'out_of_range');
      hasIssue({ ...minimal, rejectionPeriodSeconds: 86_401 }, 'rejectionPeriodSeconds', 'out_of_range');
      const ok = validatePlanSpec({ ...minimal, rejectionPeriodSeconds: 600 });
      assert.ok(ok.ok && ok.spec.rejectionPeriodSeconds === 600);
      const lowered = validatePlanSpec({ ...minimal, rejectionPeriodSeconds: 5 }, { minPeriodSeconds: 5 });
      assert.ok(lowered.ok && lowered.spec.rejectionPeriodSeconds === 5);
    });

    it('takes an optional health window of 1 minute to 7 days, absent when not given', () => {
      const none = validatePlanSpec(minimal);
      assert.ok(none.ok && !('healthWindowSeconds' in none.spec));
      assert.ok(none.ok && upgradePolicyFromPlanSpec(none.spec).healthWindowMs === undefined);
      const some = validatePlanSpec({ ...minimal, healthWindowSeconds: 600 });
      assert.ok(some.ok && some.spec.healthWindowSeconds === 600);
      assert.ok(some.ok && upgradePolicyFromPlanSpec(some.spec).healthWindowMs === 600_000);
      assert.ok(validatePlanSpec({ ...minimal, healthWindowSeconds: null }).ok);
      hasIssue({ ...minimal, healthWindowSeconds: 59 }, 'healthWindowSeconds', 'out_of_range');
      hasIssue({ ...minimal, healthWindowSeconds: 7 * 86_400 + 1 }, 'healthWindowSeconds', 'out_of_range');
      const lowered = validatePlanSpec({ ...minimal, healthWindowSeconds: 2 }, { minPeriodSeconds: 1 });
      assert.ok(lowered.ok && lowered.spec.healthWindowSeconds === 2);
    });

    it('takes a lower floor for both from its context (a server setting for tests), and no higher one', () => {
      const lowered = validatePlanSpec(
        { ...minimal, pushPeriodSeconds: 10, upgradeTimeoutSeconds: 10 },
        { minPeriodSeconds: 10 },
      );
      assert.ok(
        lowered.ok && lowered.spec.pushPeriodSeconds === 10 && lowered.spec.upgradeTimeoutSeconds === 10,
      );
      const below = validatePlanSpec({ ...minimal, pushPeriodSeconds: 9 }, { minPeriodSeconds: 10 });
      assert.ok(!below.ok && below.issues[0]?.path === 'pushPeriodSeconds');
      assert.ok(validatePlanSpec({ ...minimal, upgradeTimeoutSeconds: 60 }, { minPeriodSeconds: 600 }).ok);
    });
  });

  describe('start and deadline', () => {
    it("requires a time with start mode 'at' and refuses one with the others", () => {
      hasIssue({ ...minimal, start: { mode: 'at' } }, 'start.at', 'required');
      hasIssue({ ...minimal, start: { mode: 'now', at: 5 } }, 'start.at', 'invalid_value');
      hasIssue({ ...minimal, start: { mode: 'later' } }, 'start.mode', 'invalid_value');
      assert.ok(validatePlanSpec({ ...minimal, start: { mode: 'manual' } }).ok);
    });

    it('requires the deadline after the start time', () => {
      hasIssue(
        { ...minimal, start: { mode: 'at', at: 5_000 }, deadline: 5_000 },
        'deadline',
        'deadline_not_after_start',
      );
    });

    it('requires the deadline after now when now is given', () => {
      hasIssue({ ...minimal, deadline: 5_000 }, 'deadline', 'deadline_passed', 5_000);
      assert.ok(validatePlanSpec({ ...minimal, deadline: 5_001 }, { now: 5_000 }).ok);
    });

    it('refuses an unknown mode', () => {
      hasIssue({ ...minimal, mode: 'auto' }, 'mode', 'invalid_value');
    });
  });

  it('wraps issues in a VALIDATION_FAILED error for the API edge', () => {
    const error = planSpecError(issuesOf({}));
    assert.ok(isUpdraftError(error));
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.ok(Array.isArray(error.details['issues']));
  });
});
