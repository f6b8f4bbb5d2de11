import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fromSeedStatusName,
  fromThingsPanelV1Status,
  fromThingsPanelV05Status,
  toSeedStatusName,
  toThingsPanelV1Status,
  toThingsPanelV05Status,
  upgradeStatuses,
} from './upgrade-status.ts';

describe('upgrade status codes', () => {
  it('map to the seed names and back', () => {
    assert.equal(toSeedStatusName('pending'), 'Pending');
    assert.equal(toSeedStatusName('cancelled'), 'Cancelled');
    for (const status of upgradeStatuses) assert.equal(fromSeedStatusName(toSeedStatusName(status)), status);
    assert.equal(fromSeedStatusName('pending'), null);
  });

  it("map to ThingsPanel v0.5 strings '0'..'5' and back", () => {
    assert.deepEqual(upgradeStatuses.map(toThingsPanelV05Status), ['0', '1', '2', '3', '4', '5']);
    for (const status of upgradeStatuses)
      assert.equal(fromThingsPanelV05Status(toThingsPanelV05Status(status)), status);
    for (const code of ['6', '-1', '01', '']) assert.equal(fromThingsPanelV05Status(code), null);
  });

  it('map to ThingsPanel v1 integers 1..6 and back', () => {
    assert.deepEqual(upgradeStatuses.map(toThingsPanelV1Status), [1, 2, 3, 4, 5, 6]);
    for (const status of upgradeStatuses)
      assert.equal(fromThingsPanelV1Status(toThingsPanelV1Status(status)), status);
    for (const code of [0, 7, 1.5]) assert.equal(fromThingsPanelV1Status(code), null);
  });
});
