import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdictWithinMs } from './activation.ts';

describe('the health verdict', () => {
  it('is due a tenth of the plan’s window before its end, a minute at most', () => {
    assert.equal(verdictWithinMs(60), 54_000);
    assert.equal(verdictWithinMs(600), 540_000);
    assert.equal(verdictWithinMs(3_600), 3_540_000);
  });
});
