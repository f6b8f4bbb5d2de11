import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpgradeStatus } from '@updraft/core';
import type { EngineRefusal } from '../plans/upgrade-engine-contract.ts';
import { type AccessProblem, noOfferReasonOf, problemOf } from './device-problems.ts';

describe('engine refusals as device problems (one row each)', () => {
  const rows: [EngineRefusal | null, UpgradeStatus | null, AccessProblem][] = [
    ['finished', 'success', 'finished'],
    ['finished', 'failure', 'finished'],
    ['finished', null, 'finished'],
    ['finished', 'cancelled', 'cancelled'],
    ['invalid_event', 'upgrading', 'bad_result'],
    ['awaiting_confirmation', 'pending', 'awaiting_confirmation'],
    ['invalid_state', 'pending', 'invalid_state'],
    ['no_upgrade', null, 'invalid_state'],
    ['retry_wait', 'pending', 'invalid_state'],
    ['not_dispatching', 'pending', 'suspended'],
  ];
  for (const [refusal, status, problem] of rows) {
    it(`tells a device ${problem} for ${refusal} (${status})`, () => {
      assert.equal(problemOf({ accepted: false, refusal, status }), problem);
    });
  }

  it('has no problem with an accepted event', () => {
    assert.equal(problemOf({ accepted: true, refusal: null, status: 'upgrading' }), null);
  });

  it('says why a check offers nothing', () => {
    for (const refusal of [
      'below_threshold',
      'awaiting_confirmation',
      'retry_wait',
      'not_dispatching',
      'concurrency_full',
    ] as const) {
      assert.equal(noOfferReasonOf(refusal), refusal);
    }
    for (const refusal of ['no_upgrade', 'finished', null] as const)
      assert.equal(noOfferReasonOf(refusal), 'no_plan');
  });
});
