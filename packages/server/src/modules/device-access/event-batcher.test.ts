import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceEventInput, UpgradeOutcome } from '../plans/upgrade-engine-contract.ts';
import { createEventBatcher } from './event-batcher.ts';

const outcome = (input: DeviceEventInput): UpgradeOutcome => ({
  deviceId: input.deviceId,
  upgradeId: input.deviceId * 10,
  planId: 1,
  status: 'pushed',
  accepted: true,
  refusal: null,
  offered: false,
});

describe('event batcher', () => {
  it('sends the events of one turn in one call, in order, and answers each caller', async () => {
    const calls: DeviceEventInput[][] = [];
    const batcher = createEventBatcher(async (inputs) => {
      calls.push([...inputs]);
      return inputs.map(outcome);
    });
    const answers = await Promise.all(
      [1, 2, 1, 3].map((deviceId) => batcher.report({ deviceId, event: { type: 'checked' } })),
    );
    assert.equal(calls.length, 1);
    assert.deepEqual(
      calls[0]!.map((i) => i.deviceId),
      [1, 2, 1, 3],
    );
    assert.deepEqual(
      answers.map((a) => a.upgradeId),
      [10, 20, 10, 30],
    );
  });

  it('splits large turns and rejects only the callers of a failed call', async () => {
    let n = 0;
    const batcher = createEventBatcher(async (inputs) => {
      n++;
      if (n === 2) throw new Error('database down');
      return inputs.map(outcome);
    }, 2);
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((deviceId) => batcher.report({ deviceId, event: { type: 'accepted' } })),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected'],
    );
  });
});
