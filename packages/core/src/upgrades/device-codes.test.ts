import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventFromOneNetCode, eventFromThingsPanelStep } from './device-codes.ts';

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

describe('ThingsPanel steps', () => {
  it('maps 1..100 to bare progress, given as a string or a number', () => {
    assert.deepEqual(eventFromThingsPanelStep('1'), { type: 'progress', percent: 1 });
    assert.deepEqual(eventFromThingsPanelStep(100), { type: 'progress', percent: 100 });
  });

  it('truncates a fractional step like the v0.5 code', () => {
    assert.deepEqual(eventFromThingsPanelStep(42.9), { type: 'progress', percent: 42 });
  });

  it('maps -1..-4 to failures carrying the description', () => {
    assert.deepEqual(eventFromThingsPanelStep('-1'), {
      type: 'failed',
      reason: 'failed',
      detail: 'upgrade failed',
    });
    assert.deepEqual(eventFromThingsPanelStep('-2', 'no space'), {
      type: 'failed',
      reason: 'download_failed',
      detail: 'download failed: no space',
    });
    assert.equal(eventFromThingsPanelStep(-3)?.type === 'failed', true);
    assert.deepEqual(eventFromThingsPanelStep(-4, ''), {
      type: 'failed',
      reason: 'write_failed',
      detail: 'write failed',
    });
  });

  it('returns null for 0, other numbers and non-numeric steps', () => {
    for (const step of ['0', 0, '101', -5, 'abc', '', ' '])
      assert.equal(eventFromThingsPanelStep(step), null);
  });
});
