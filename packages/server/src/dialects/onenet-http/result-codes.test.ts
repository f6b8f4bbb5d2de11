// Each OneNET code, first as the engine sees it (the same assertions core's device-code table
// had before the table moved here: the dialect's canonical event through engineEventOf), then
// row by row as the canonical event the dialect says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineEventOf } from '../../modules/device-access/canonical-events.ts';
import { eventFromOneNetCode as canonicalOf } from './result-codes.ts';

const eventFromOneNetCode = (code: number) => {
  const event = canonicalOf(code);
  return event === null ? null : engineEventOf(event);
};

describe('OneNET result codes', () => {
  it('maps steps 0..99 to download progress', () => {
    assert.deepEqual(eventFromOneNetCode(0), { type: 'progress', stage: 'downloading', percent: 0 });
    assert.deepEqual(eventFromOneNetCode(99), { type: 'progress', stage: 'downloading', percent: 99 });
  });

  it('maps step 100 and code 101 to a finished download, not to success', () => {
    assert.deepEqual(eventFromOneNetCode(100), { type: 'progress', stage: 'downloaded', percent: 100 });
    assert.deepEqual(eventFromOneNetCode(101), { type: 'progress', stage: 'downloaded', percent: 100 });
  });

  it('maps 201 to success', () => {
    assert.deepEqual(eventFromOneNetCode(201), { type: 'progress', percent: 100 });
  });

  it('maps every failure code to a catalogue reason', () => {
    const expected = {
      102: 'download_failed',
      103: 'download_failed',
      104: 'download_failed',
      105: 'low_battery',
      106: 'weak_signal',
      107: 'download_failed',
      202: 'low_battery',
      203: 'write_failed',
      204: 'version_mismatch',
      205: 'check_failed',
      206: 'failed',
      207: 'retries_exhausted',
      208: 'deadline',
    } as const;
    for (const [code, reason] of Object.entries(expected)) {
      const event = eventFromOneNetCode(Number(code));
      assert.equal(event?.type, 'failed');
      assert.equal(event?.type === 'failed' && event.reason, reason);
    }
  });

  it('returns null for unknown codes', () => {
    for (const code of [-1, 108, 200, 209, 1.5]) assert.equal(eventFromOneNetCode(code), null);
  });
});

describe('OneNET codes as canonical events (one row each)', () => {
  const rows: [number, unknown][] = [
    [0, { type: 'downloading', percent: 0 }],
    [57, { type: 'downloading', percent: 57 }],
    [99, { type: 'downloading', percent: 99 }],
    [100, { type: 'downloaded' }],
    [101, { type: 'downloaded' }],
    [201, { type: 'succeeded', setsTargetVersion: true }],
    [102, { type: 'failed', reason: 'download_failed', detail: 'download failed: insufficient space' }],
    [103, { type: 'failed', reason: 'download_failed', detail: 'download failed: memory overflow' }],
    [104, { type: 'failed', reason: 'download_failed', detail: 'download failed: request timeout' }],
    [105, { type: 'failed', reason: 'low_battery', detail: 'download failed: low battery' }],
    [106, { type: 'failed', reason: 'weak_signal', detail: 'download failed: weak signal' }],
    [107, { type: 'failed', reason: 'download_failed', detail: 'download failed: unknown' }],
    [202, { type: 'failed', reason: 'low_battery', detail: 'upgrade failed: low battery' }],
    [203, { type: 'failed', reason: 'write_failed', detail: 'upgrade failed: memory overflow' }],
    [
      204,
      {
        type: 'failed',
        reason: 'version_mismatch',
        detail: 'upgrade failed: package inconsistent with target',
      },
    ],
    [205, { type: 'failed', reason: 'check_failed', detail: 'upgrade failed: MD5 check failed' }],
    [206, { type: 'failed', reason: 'failed', detail: 'upgrade failed: unknown' }],
    [207, { type: 'failed', reason: 'retries_exhausted', detail: 'maximum retries reached' }],
    [208, { type: 'failed', reason: 'deadline', detail: 'device upgrade expired' }],
    [-1, null],
    [108, null],
    [200, null],
    [209, null],
    [1.5, null],
  ];
  for (const [code, expected] of rows) {
    it(`maps ${code} to ${expected === null ? 'nothing (errno 24)' : JSON.stringify(expected)}`, () => {
      assert.deepEqual(canonicalOf(code), expected);
    });
  }
});
