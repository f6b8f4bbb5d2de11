import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countNoUpdateRequired, isNoUpdateRequired } from './no-update-required.ts';

describe('no update required', () => {
  it('is a success with every component skipped', () => {
    assert.equal(isNoUpdateRequired({ status: 'success', skipped: 0b1 }, 1), true);
    assert.equal(isNoUpdateRequired({ status: 'success', skipped: 0b11 }, 2), true);
  });

  it('is not a success in which any component was upgraded, nor any other outcome', () => {
    assert.equal(isNoUpdateRequired({ status: 'success', skipped: 0 }, 1), false);
    assert.equal(isNoUpdateRequired({ status: 'success', skipped: 0b10 }, 2), false, 'module upgraded');
    assert.equal(isNoUpdateRequired({ status: 'success', skipped: 0b01 }, 2), false, 'MCU upgraded');
    assert.equal(isNoUpdateRequired({ status: 'failure', skipped: 0b1 }, 2), false);
    assert.equal(isNoUpdateRequired({ status: 'pending', skipped: 0b1 }, 1), false);
  });

  it('counts grouped records', () => {
    const groups = [
      { status: 'success', skipped: 0b11, count: 4 },
      { status: 'success', skipped: 0b01, count: 3 },
      { status: 'success', skipped: 0, count: 5 },
      { status: 'failure', skipped: 0b01, count: 2 },
    ] as const;
    assert.equal(countNoUpdateRequired(groups, 2), 4);
  });
});
