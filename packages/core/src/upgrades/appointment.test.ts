import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  manualPolicy,
  minute,
  pending,
  pushed,
  run,
  silentPolicy,
} from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { dueUpgradeEvent } from './due-upgrade-event.ts';
import type { UpgradeEvent } from './upgrade-state.ts';

const hour = 60 * minute;
const appoint = (from: number, until: number): UpgradeEvent => ({
  type: 'appointed',
  from,
  until,
  actor: 'owner',
});

describe('device upgrade: an appointment by the device owner', () => {
  it('confirms for the window: nothing is offered before it, the push falls due at its start', () => {
    const t = run(pending(manualPolicy), [[appoint(2 * hour, 3 * hour), 0]], manualPolicy);
    assert.equal(t.state.confirmation, 'confirmed');
    assert.equal(t.state.appointedFrom, 2 * hour);
    assert.equal(t.state.appointedUntil, 3 * hour);
    assert.equal(t.state.nextAction, 'push');
    assert.equal(t.state.nextActionAt, 2 * hour);
    assert.equal(dueUpgradeEvent(t.state, hour), null, 'not due before the window');
    const early = applyUpgradeEvent(t.state, { type: 'checked' }, manualPolicy, hour);
    assert.equal(early.refusal, 'appointment_wait');
    const inside = applyUpgradeEvent(t.state, { type: 'checked' }, manualPolicy, 2 * hour + minute);
    assert.equal(inside.state.status, 'pushed');
    assert.deepEqual(dueUpgradeEvent(t.state, 2 * hour), { type: 'pushed' });
  });

  it('pushes at the start; re-push timers stop at the window end, where the upgrade lapses', () => {
    const appointed = run(pending(manualPolicy), [[appoint(2 * hour, 2 * hour + hour), 0]], manualPolicy);
    const policy = { ...manualPolicy, pushPeriodMs: 50 * minute };
    const p = run(appointed.state, [[{ type: 'pushed' }, 2 * hour + 30 * minute]], policy);
    assert.equal(p.state.status, 'pushed');
    assert.equal(p.state.nextAction, 'repush');
    assert.equal(p.state.nextActionAt, 3 * hour, 'the timer is brought forward to the window end');
    const late = applyUpgradeEvent(p.state, { type: 'checked' }, policy, 3 * hour);
    assert.equal(late.refusal, 'appointment_passed');
    const lapsed = run(p.state, [[{ type: 'repush_due' }, 3 * hour]], policy);
    assert.equal(lapsed.state.status, 'pending');
    assert.equal(lapsed.state.confirmation, 'awaiting');
    assert.equal(lapsed.state.appointedFrom, null);
    assert.equal(lapsed.state.nextAction, null);
    assert.deepEqual(lapsed.effects, [{ type: 'withdraw' }]);
    // The owner decides again.
    const again = run(lapsed.state, [[appoint(4 * hour, 6 * hour), 3 * hour]], policy);
    assert.equal(again.state.nextActionAt, 4 * hour);
  });

  it('lapses a push that fell due but could not go out before the window closed', () => {
    const appointed = run(pending(manualPolicy), [[appoint(hour, 2 * hour), 0]], manualPolicy);
    const t = run(appointed.state, [[{ type: 'pushed' }, 2 * hour]], manualPolicy);
    assert.equal(t.state.confirmation, 'awaiting');
    assert.equal(t.state.status, 'pending');
  });

  it('lets a device that started inside the window finish after it', () => {
    const appointed = run(pending(manualPolicy), [[appoint(hour, 2 * hour), 0]], manualPolicy);
    const t = run(
      appointed.state,
      [
        [{ type: 'pushed' }, hour],
        [{ type: 'accepted' }, 2 * hour - minute],
        [{ type: 'progress', percent: 100 }, 3 * hour],
      ],
      manualPolicy,
    );
    assert.equal(t.state.status, 'success');
  });

  it('moves a window not yet taken; a plain confirmation means now', () => {
    const first = run(pending(manualPolicy), [[appoint(5 * hour, 7 * hour), 0]], manualPolicy);
    const moved = run(first.state, [[appoint(2 * hour, 3 * hour), minute]], manualPolicy);
    assert.equal(moved.state.nextActionAt, 2 * hour);
    const now = run(moved.state, [[{ type: 'confirmed' }, 2 * minute]], manualPolicy);
    assert.equal(now.state.appointedFrom, null);
    assert.equal(now.state.nextActionAt, 2 * minute);
    assert.equal(
      applyUpgradeEvent(now.state, { type: 'checked' }, manualPolicy, 3 * minute).state.status,
      'pushed',
    );
  });

  it('refuses windows under an hour, windows already over, silent plans and upgrades under way', () => {
    const short = applyUpgradeEvent(pending(manualPolicy), appoint(hour, 2 * hour - 1), manualPolicy, 0);
    assert.equal(short.refusal, 'invalid_event');
    const over = applyUpgradeEvent(pending(manualPolicy), appoint(0, hour), manualPolicy, hour);
    assert.equal(over.refusal, 'invalid_event');
    const silent = applyUpgradeEvent(pending(silentPolicy), appoint(hour, 2 * hour), silentPolicy, 0);
    assert.equal(silent.refusal, 'not_manual');
    const busy = applyUpgradeEvent(pushed(manualPolicy), appoint(hour, 2 * hour), manualPolicy, 0);
    assert.equal(busy.refusal, 'invalid_state');
  });

  it('drops the appointment on an operator retry', () => {
    const appointed = run(pending(manualPolicy), [[appoint(hour, 2 * hour), 0]], manualPolicy);
    const failed = run(
      appointed.state,
      [
        [{ type: 'pushed' }, hour],
        [{ type: 'accepted' }, hour],
        [{ type: 'failed', reason: 'download_failed' }, hour + minute],
        [{ type: 'operator_retry' }, 3 * hour],
      ],
      manualPolicy,
    );
    assert.equal(failed.state.status, 'pending');
    assert.equal(failed.state.appointedFrom, null);
    assert.equal(failed.state.nextAction, 'push');
  });
});
