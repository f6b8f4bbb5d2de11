import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventOfResult, eventOfState } from './result-codes.ts';

describe('LwM2M /5/0/3 State as canonical events', () => {
  it('0 Idle says nothing by itself', () => assert.equal(eventOfState(0), null));
  it('1 Downloading is the device taking the upgrade', () =>
    assert.deepEqual(eventOfState(1), { type: 'accepted' }));
  it('2 Downloaded is downloaded', () => assert.deepEqual(eventOfState(2), { type: 'downloaded' }));
  it('3 Updating is installing', () => assert.deepEqual(eventOfState(3), { type: 'installing' }));
  it('an unknown state says nothing', () => assert.equal(eventOfState(7), null));
});

describe('LwM2M /5/0/5 Update Result as canonical events', () => {
  const rows: [number, string | null][] = [
    [0, null],
    [1, null],
    [2, 'download_failed'],
    [3, 'download_failed'],
    [4, 'download_failed'],
    [5, 'check_failed'],
    [6, 'version_mismatch'],
    [7, 'download_failed'],
    [8, 'write_failed'],
    [9, 'download_failed'],
    [10, null],
  ];
  for (const [result, reason] of rows) {
    it(`Result ${result} is ${reason ?? 'no event'}`, () => {
      const event = eventOfResult(result);
      if (reason === null) assert.equal(event, null);
      else {
        assert.equal(event?.type, 'failed');
        assert.equal(event?.type === 'failed' && event.reason, reason);
        assert.match(
          event?.type === 'failed' ? (event.detail ?? '') : '',
          new RegExp(`^Update Result ${result}: `),
        );
      }
    });
  }
});

describe('LwM2M Update Result 11 (deferred)', () => {
  it('is the device refusing the upgrade (offered again after the rejection period)', () =>
    assert.deepEqual(eventOfResult(11), { type: 'refused', reason: 'Update Result 11: deferred' }));
});
