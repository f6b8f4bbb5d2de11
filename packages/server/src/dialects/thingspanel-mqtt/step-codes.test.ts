// Each ThingsPanel step, first as the engine sees it (the same assertions core's device-code
// table had before the table moved here: the dialect's canonical event through engineEventOf),
// then row by row as the canonical event the dialect says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineEventOf } from '../../modules/device-access/canonical-events.ts';
import { eventFromThingsPanelStep as canonicalOf } from './step-codes.ts';

const eventFromThingsPanelStep = (step: string | number, desc?: string) => {
  const event = canonicalOf(step, desc);
  return event === null ? null : engineEventOf(event);
};

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

describe('ThingsPanel steps as canonical events (one row each)', () => {
  const rows: [string | number, string | undefined, unknown][] = [
    ['1', undefined, { type: 'progress', percent: 1 }],
    [99, undefined, { type: 'progress', percent: 99 }],
    ['100', undefined, { type: 'progress', percent: 100 }],
    [-1, undefined, { type: 'failed', reason: 'failed', detail: 'upgrade failed' }],
    ['-2', 'no space', { type: 'failed', reason: 'download_failed', detail: 'download failed: no space' }],
    [-3, undefined, { type: 'failed', reason: 'check_failed', detail: 'verification failed' }],
    [-4, '', { type: 'failed', reason: 'write_failed', detail: 'write failed' }],
    [0, undefined, null],
    ['101', undefined, null],
    [-5, undefined, null],
    ['abc', undefined, null],
  ];
  for (const [step, desc, expected] of rows) {
    it(`maps step ${JSON.stringify(step)} to ${expected === null ? 'nothing' : JSON.stringify(expected)}`, () => {
      assert.deepEqual(canonicalOf(step, desc), expected);
    });
  }
});
