import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';
import {
  checkDeltaPair,
  type DeltaJobEvent,
  type DeltaJobStatus,
  deltaFileName,
  deltaJobStatuses,
  nextDeltaJobStatus,
  progressToStore,
} from './delta-job.ts';

const allowed: [DeltaJobStatus, DeltaJobEvent, DeltaJobStatus][] = [
  ['queued', 'claim', 'running'],
  ['running', 'requeue', 'queued'],
  ['running', 'succeed', 'succeeded'],
  ['running', 'skip', 'not_worthwhile'],
  ['queued', 'fail', 'failed'],
  ['running', 'fail', 'failed'],
  ['queued', 'cancel', 'cancelled'],
  ['running', 'cancel', 'cancelled'],
];
const events: DeltaJobEvent[] = ['claim', 'requeue', 'succeed', 'skip', 'fail', 'cancel'];

describe('delta job states', () => {
  for (const [from, event, to] of allowed) {
    it(`a ${from} job goes to ${to} on ${event}`, () => {
      assert.equal(nextDeltaJobStatus(from, event), to);
    });
  }

  it('refuses every other edge with DELTA_JOB_INVALID_TRANSITION', () => {
    for (const from of deltaJobStatuses) {
      for (const event of events) {
        if (allowed.some(([f, e]) => f === from && e === event)) continue;
        assert.throws(() => nextDeltaJobStatus(from, event), { code: 'DELTA_JOB_INVALID_TRANSITION' });
      }
    }
  });
});

function pkg(fields: Partial<FirmwarePackage>): FirmwarePackage {
  return {
    id: 1,
    productId: 1,
    module: 'default',
    name: '1.0.0',
    remark: '',
    version: '1.0.0',
    type: 'full',
    sourceVersion: null,
    releaseNotes: '',
    extData: {},
    verified: false,
    totalSize: 10,
    createdBy: 'admin',
    createdAt: 0,
    files: [{ position: 1, name: 'a.bin', size: 10, sha256: 'x', md5: 'y' }],
    ...fields,
  };
}

describe('delta pairs', () => {
  const source = pkg({ id: 1, version: '1.0.0' });
  const target = pkg({ id: 2, version: '1.1.0' });
  const refused = (s: FirmwarePackage, t: FirmwarePackage) =>
    assert.throws(() => checkDeltaPair(s, t), { code: 'DELTA_JOB_INVALID_PAIR' });

  it('accepts two single-file full packages of one module', () => checkDeltaPair(source, target));
  it('refuses another product', () => refused(source, { ...target, productId: 2 }));
  it('refuses another module', () => refused(source, { ...target, module: 'wifi' }));
  it('refuses a delta package', () => refused({ ...source, type: 'delta', sourceVersion: '0.9' }, target));
  it('refuses a package of two files', () =>
    refused(source, { ...target, files: [...target.files, { ...target.files[0]!, position: 2 }] }));
  it('refuses the same version', () => refused(source, { ...target, version: '1.0.0' }));

  it('names the file after both versions and the profile', () => {
    assert.equal(deltaFileName('1.0.0', '1.1.0', 'mcu', 'updraft'), '1.1.0-from-1.0.0.mcu.updelta');
  });

  it('names a VCDIFF file .vcdiff, without a profile (VCDIFF has none)', () => {
    assert.equal(deltaFileName('1.0.0', '1.1.0', 'linux', 'vcdiff'), '1.1.0-from-1.0.0.vcdiff');
  });
});

describe('stored progress', () => {
  it('moves in steps of 5 percent and never reaches 100 before the job ends', () => {
    assert.equal(progressToStore(0.03, 0), undefined);
    assert.equal(progressToStore(0.07, 0), 5);
    assert.equal(progressToStore(0.07, 5), undefined);
    assert.equal(progressToStore(0.42, 5), 40);
    assert.equal(progressToStore(1, 95), undefined);
  });
});
