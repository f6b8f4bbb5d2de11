import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPlanEditable,
  type PlanAction,
  type PlanEffect,
  type PlanStatus,
  planActions,
  planStatuses,
  transitionPlan,
} from './plan-status.ts';

const ctx = { actor: 'user:7', now: 1_000, reason: 'because' };

const allowed: readonly (readonly [PlanStatus, PlanAction, PlanStatus, readonly PlanEffect[]])[] = [
  ['draft', 'schedule', 'scheduled', []],
  ['draft', 'start', 'running', [{ type: 'enrol_devices' }]],
  ['draft', 'cancel', 'cancelled', []],
  ['scheduled', 'start', 'running', [{ type: 'enrol_devices' }]],
  ['scheduled', 'cancel', 'cancelled', []],
  ['scheduled', 'expire', 'expired', []],
  ['running', 'pause', 'paused', [{ type: 'stop_dispatching' }]],
  ['running', 'auto_pause', 'paused', [{ type: 'stop_dispatching' }]],
  ['running', 'complete', 'completed', []],
  ['running', 'cancel', 'cancelled', [{ type: 'end_unfinished_upgrades', event: 'operator_cancel' }]],
  ['running', 'expire', 'expired', [{ type: 'end_unfinished_upgrades', event: 'deadline_reached' }]],
  ['paused', 'resume', 'running', [{ type: 'rebase_failure_threshold' }, { type: 'resume_dispatching' }]],
  ['paused', 'cancel', 'cancelled', [{ type: 'end_unfinished_upgrades', event: 'operator_cancel' }]],
  ['paused', 'expire', 'expired', [{ type: 'end_unfinished_upgrades', event: 'deadline_reached' }]],
  ['completed', 'reopen', 'running', [{ type: 'rebase_failure_threshold' }]],
];

describe('plan lifecycle', () => {
  for (const [from, action, to, effects] of allowed) {
    it(`moves a ${from} plan to ${to} on ${action}, recording who and when`, () => {
      const result = transitionPlan(from, action, ctx);
      assert.ok(result.ok);
      assert.equal(result.status, to);
      assert.deepEqual(result.record, { from, to, action, actor: 'user:7', at: 1_000, reason: 'because' });
      assert.deepEqual(result.effects, effects);
    });
  }

  for (const from of planStatuses) {
    for (const action of planActions) {
      if (allowed.some(([f, a]) => f === from && a === action)) continue;
      it(`refuses ${action} on a ${from} plan`, () => {
        const result = transitionPlan(from, action, ctx);
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.code === 'PLAN_INVALID_TRANSITION');
        assert.ok(!result.ok && result.details['status'] === from);
      });
    }
  }

  it('refuses to reopen a completed plan after its deadline', () => {
    const result = transitionPlan('completed', 'reopen', { actor: 'ops', now: 5_000, deadline: 5_000 });
    assert.equal(result.ok, false);
    assert.ok(transitionPlan('completed', 'reopen', { actor: 'ops', now: 4_999, deadline: 5_000 }).ok);
  });

  it('records a null reason when none is given', () => {
    const result = transitionPlan('running', 'pause', { actor: 'system', now: 1 });
    assert.ok(result.ok && result.record.reason === null);
  });

  it('allows edits in draft only', () => {
    assert.deepEqual(checkPlanEditable('draft'), { ok: true });
    for (const status of planStatuses.filter((s) => s !== 'draft')) {
      const result = checkPlanEditable(status);
      assert.ok(!result.ok && result.code === 'PLAN_INVALID_TRANSITION');
    }
  });
});
