import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duePlanAction, type PlanSnapshot, publishAction } from './due-plan-action.ts';
import { emptyUpgradeCounts } from './stats.ts';

const plan: PlanSnapshot = {
  status: 'running',
  spec: {
    start: { mode: 'at', at: 1_000 },
    deadline: 10_000,
    failureThreshold: { percent: 10, minFinished: 5 },
  },
  counts: { ...emptyUpgradeCounts(), pending: 3 },
  failureBaseline: null,
};

describe('due plan actions', () => {
  it('starts a scheduled plan when its start time comes', () => {
    assert.equal(duePlanAction({ ...plan, status: 'scheduled' }, 999), null);
    assert.equal(duePlanAction({ ...plan, status: 'scheduled' }, 1_000), 'start');
  });

  it('waits for a hand start with start mode manual', () => {
    const manual = {
      ...plan,
      status: 'scheduled' as const,
      spec: { ...plan.spec, start: { mode: 'manual' as const } },
    };
    assert.equal(duePlanAction(manual, 5_000), null);
  });

  it('expires a scheduled, running or paused plan at its deadline', () => {
    for (const status of ['scheduled', 'running', 'paused'] as const) {
      assert.equal(duePlanAction({ ...plan, status }, 10_000), 'expire');
    }
  });

  it('leaves drafts and finished plans alone, even past the deadline', () => {
    for (const status of ['draft', 'completed', 'cancelled', 'expired'] as const) {
      assert.equal(duePlanAction({ ...plan, status }, 20_000), null);
    }
  });

  it('completes a running plan when no device upgrade is left', () => {
    assert.equal(
      duePlanAction({ ...plan, counts: { ...emptyUpgradeCounts(), success: 4, failure: 1 } }, 2_000),
      'complete',
    );
  });

  it('pauses a running plan over its failure threshold', () => {
    const counts = { ...emptyUpgradeCounts(), pending: 5, success: 4, failure: 1 };
    assert.equal(duePlanAction({ ...plan, counts }, 2_000), 'auto_pause');
    assert.equal(duePlanAction({ ...plan, counts, failureBaseline: counts }, 2_000), null);
  });

  it('publishes a start-now draft by starting it and the others by scheduling them', () => {
    assert.equal(publishAction({ start: { mode: 'now' } }), 'start');
    assert.equal(publishAction({ start: { mode: 'manual' } }), 'schedule');
    assert.equal(publishAction({ start: { mode: 'at', at: 1 } }), 'schedule');
  });
});
