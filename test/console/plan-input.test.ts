// The plan form's translation to POST /plans: empty fields are left to the server's defaults,
// and the live preview sends the targeting fields once they are complete.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type PlanFormValues,
  toPlanInput,
  toTargetsInput,
  zonedIso,
} from '../../packages/console/src/pages/plans/plan-input.ts';

const base: PlanFormValues = {
  name: ' Spring ',
  productId: 1,
  firmwarePackageId: 2,
  targetKind: 'all',
  mode: 'silent',
  startMode: 'now',
};
/** A picked time as antd's Dayjs gives it: the instant, and the wall-clock time picked (UTC here). */
const at = (iso: string) => ({ toISOString: () => iso, format: () => iso.slice(0, 19) });

describe('console plan input', () => {
  it('sends only what was filled in, so the server applies its defaults', () => {
    assert.deepEqual(toPlanInput(base), {
      name: 'Spring',
      productId: 1,
      firmwarePackageId: 2,
      target: { kind: 'all' },
      mode: 'silent',
      start: { mode: 'now' },
    });
  });

  it('carries every field of the plans API when given', () => {
    const input = toPlanInput({
      ...base,
      targetKind: 'groups',
      groupIds: [4, 5],
      deviceIds: [9],
      whitelist: [7],
      blacklist: [8],
      mode: 'manual',
      textsZh: ' 修复 ',
      textsEn: 'Fixes',
      startMode: 'at',
      startAt: at('2027-01-01T08:00:00.000Z'),
      deadline: at('2027-01-02T08:00:00.000Z'),
      minSignal: -100,
      minBattery: 0,
      minFreeSpace: 65_536,
      retryAttempts: 2,
      retryIntervalSeconds: 60,
      concurrency: 50,
      failurePercent: 20,
      failureMinFinished: 5,
      pushPeriodSeconds: 300,
      upgradeTimeoutSeconds: 900,
      verification: false,
    });
    assert.deepEqual(input, {
      name: 'Spring',
      productId: 1,
      firmwarePackageId: 2,
      target: { kind: 'groups', groupIds: [4, 5] },
      whitelist: [7],
      blacklist: [8],
      mode: 'manual',
      texts: { zh: '修复', en: 'Fixes' },
      start: { mode: 'at', at: '2027-01-01T08:00:00.000Z' },
      deadline: '2027-01-02T08:00:00.000Z',
      minSignal: -100,
      minBattery: 0,
      minFreeSpace: 65_536,
      retry: { attempts: 2, intervalSeconds: 60 },
      concurrency: 50,
      failureThreshold: { percent: 20, minFinished: 5 },
      pushPeriodSeconds: 300,
      upgradeTimeoutSeconds: 900,
    });
  });

  it('reads the start and end as times of the plan’s time zone and sends the window', () => {
    const input = toPlanInput({
      ...base,
      startMode: 'at',
      startAt: at('2027-01-01T08:00:00.000Z'),
      deadline: at('2027-07-01T08:00:00.000Z'),
      timeZone: 'Asia/Shanghai',
      windowFromHour: 22,
      windowToHour: 6,
      pushActively: false,
      rejectionPeriodMinutes: 30,
    });
    assert.deepEqual(input.start, { mode: 'at', at: '2027-01-01T00:00:00.000Z' });
    assert.equal(input.deadline, '2027-07-01T00:00:00.000Z');
    assert.equal(input.timeZone, 'Asia/Shanghai');
    assert.deepEqual(input.pushWindow, { fromHour: 22, toHour: 6 });
    assert.equal(input.pushActively, false);
    assert.equal(input.rejectionPeriodSeconds, 1800);
    assert.equal(zonedIso('2027-07-01T12:00:00', 'America/New_York'), '2027-07-01T16:00:00.000Z');
  });

  it('sends the health window in seconds, and none when the field is empty', () => {
    assert.equal(toPlanInput({ ...base, healthWindowMinutes: 15 }).healthWindowSeconds, 900);
    assert.equal('healthWindowSeconds' in toPlanInput({ ...base, healthWindowMinutes: null }), false);
    assert.equal('healthWindowSeconds' in toPlanInput(base), false);
  });

  it('sends the upgrade texts only when both languages are filled in', () => {
    assert.equal('texts' in toPlanInput({ ...base, textsZh: '修复', textsEn: '  ' }), false);
    assert.deepEqual(toPlanInput({ ...base, textsZh: '修复', textsEn: 'Fixes' }).texts, {
      zh: '修复',
      en: 'Fixes',
    });
  });

  it('sends a manual start by hand and a version target', () => {
    const input = toPlanInput({ ...base, startMode: 'manual', targetKind: 'versions', versions: ['1.0'] });
    assert.deepEqual(input.start, { mode: 'manual' });
    assert.deepEqual(input.target, { kind: 'versions', versions: ['1.0'] });
  });

  it('previews the targeting fields only, once a product, a package and a target are chosen', () => {
    assert.deepEqual(toTargetsInput({ ...base, concurrency: 5, whitelist: [1, 2], blacklist: [2] }), {
      productId: base.productId,
      firmwarePackageId: base.firmwarePackageId,
      target: { kind: 'all' },
      whitelist: [1, 2],
      blacklist: [2],
    });
    assert.deepEqual(toTargetsInput({ ...base, targetKind: 'groups', groupIds: [4] })?.target, {
      kind: 'groups',
      groupIds: [4],
    });
    assert.equal(toTargetsInput({ targetKind: 'all', productId: 1 }), null, 'no package yet');
    assert.equal(toTargetsInput({ ...base, targetKind: 'devices' }), null, 'no devices listed yet');
  });
});
