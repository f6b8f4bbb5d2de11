import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromSeedStatusName, toSeedStatusName, upgradeStatuses } from './upgrade-status.ts';

describe('upgrade status codes', () => {
  it('map to the seed names and back', () => {
    assert.equal(toSeedStatusName('pending'), 'Pending');
    assert.equal(toSeedStatusName('cancelled'), 'Cancelled');
    for (const status of upgradeStatuses) assert.equal(fromSeedStatusName(toSeedStatusName(status)), status);
    assert.equal(fromSeedStatusName('pending'), null);
  });
});
