import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeStatuses } from '@updraft/core';
import {
  fromThingsPanelV1Status,
  fromThingsPanelV05Status,
  toThingsPanelV1Status,
  toThingsPanelV05Status,
} from './status-codes.ts';

describe('upgrade status codes', () => {
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
