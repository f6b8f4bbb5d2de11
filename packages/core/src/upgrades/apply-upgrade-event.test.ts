// One test per edge of the device-upgrade machine, and per refused edge
// (docs/state-machines.md, "Device upgrade"): from pending and from pushed. Upgrading and the
// finished statuses are in apply-upgrade-event-upgrading.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  manualPolicy,
  minute,
  pending,
  pushed,
  refused,
  silentPolicy,
  t,
} from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';

describe('device upgrade from pending', () => {
  it('is pushed by the dispatcher and counts the push', () => {
    const r = applyUpgradeEvent(pending(), { type: 'pushed' }, silentPolicy, t);
    assert.equal(r.state.status, 'pushed');
    assert.equal(r.state.pushCount, 1);
    assert.deepEqual(r.effects, [
      { type: 'notify' },
      { type: 'schedule', action: 'repush', at: t + 10 * minute },
    ]);
  });

  it('refuses a push while awaiting confirmation', () => {
    refused(pending(manualPolicy), { type: 'pushed' }, 'awaiting_confirmation', manualPolicy);
  });

  it('is offered to a device that checks, without counting a push', () => {
    const r = applyUpgradeEvent(pending(), { type: 'checked', signal: -80, battery: 90 }, silentPolicy, t);
    assert.equal(r.state.status, 'pushed');
    assert.equal(r.state.pushCount, 0);
    assert.equal(r.effects[0]?.type, 'offer');
  });

  it('defers a check that reports a battery below the minimum', () => {
    refused(pending(), { type: 'checked', battery: 10 }, 'below_threshold');
  });

  it('defers a check that reports a signal below the minimum', () => {
    refused(pending(), { type: 'checked', signal: -120 }, 'below_threshold');
  });

  it('defers a check that reports less free space than the minimum, and offers it at the minimum', () => {
    const policy = { ...silentPolicy, minFreeSpace: 65_536 };
    const r = applyUpgradeEvent(pending(policy), { type: 'checked', freeSpace: 65_535 }, policy, t);
    assert.equal(r.refusal, 'below_threshold');
    assert.match(r.log.message, /free space 65535 bytes below minimum 65536/);
    const ok = applyUpgradeEvent(pending(policy), { type: 'checked', freeSpace: 65_536 }, policy, t);
    assert.equal(ok.state.status, 'pushed');
    // Without a minimum any free space passes; without a report the minimum is not checked.
    assert.equal(
      applyUpgradeEvent(pending(), { type: 'checked', freeSpace: 0 }, silentPolicy, t).accepted,
      true,
    );
    assert.equal(applyUpgradeEvent(pending(policy), { type: 'checked' }, policy, t).accepted, true);
  });

  it('refuses a check while awaiting confirmation', () => {
    refused(pending(manualPolicy), { type: 'checked' }, 'awaiting_confirmation', manualPolicy);
  });

  it('starts upgrading when the device accepts on its own', () => {
    const r = applyUpgradeEvent(pending(), { type: 'accepted' }, silentPolicy, t);
    assert.equal(r.state.status, 'upgrading');
    assert.equal(r.state.stage, 'downloading');
  });

  it('refuses an acceptance while awaiting confirmation', () => {
    refused(pending(manualPolicy), { type: 'accepted' }, 'awaiting_confirmation', manualPolicy);
  });

  it('starts upgrading on a first progress report', () => {
    const r = applyUpgradeEvent(pending(), { type: 'progress', percent: 5 }, silentPolicy, t);
    assert.equal(r.state.status, 'upgrading');
    assert.equal(r.state.progress, 5);
  });

  it('succeeds on a version report equal to the target', () => {
    const r = applyUpgradeEvent(pending(), { type: 'version_reported', version: '2.0' }, silentPolicy, t);
    assert.equal(r.state.status, 'success');
    assert.deepEqual(r.effects, [{ type: 'finished', outcome: 'success', reason: null }]);
  });

  it('stays pending on another version, waiting to be pushed', () => {
    const r = applyUpgradeEvent(pending(), { type: 'version_reported', version: '1.0' }, silentPolicy, t);
    assert.equal(r.state.status, 'pending');
    assert.equal(r.state.reportedVersion, '1.0');
    assert.equal(r.state.mismatchCount, 0);
  });

  it('fails a device of a delta plan that reports a version other than the source', () => {
    const delta = { ...silentPolicy, sourceVersion: '1.0' };
    const r = applyUpgradeEvent(pending(delta), { type: 'version_reported', version: '0.9' }, delta, t);
    assert.equal(r.state.status, 'failure');
    assert.equal(r.state.failureReason, 'version_mismatch');
  });

  it('fails on a device failure report', () => {
    const r = applyUpgradeEvent(pending(), { type: 'failed', reason: 'low_battery' }, silentPolicy, t);
    assert.equal(r.state.status, 'failure');
    assert.equal(r.state.failureReason, 'low_battery');
  });

  it('is confirmed in manual mode and becomes due for a push', () => {
    const r = applyUpgradeEvent(pending(manualPolicy), { type: 'confirmed' }, manualPolicy, t);
    assert.equal(r.state.status, 'pending');
    assert.equal(r.state.confirmation, 'confirmed');
    assert.equal(r.state.nextAction, 'push');
    assert.equal(r.state.nextActionAt, t);
  });

  it('refuses a confirmation in silent mode', () => {
    refused(pending(), { type: 'confirmed' }, 'not_manual');
  });

  it('fails with reason rejected when rejected', () => {
    const r = applyUpgradeEvent(pending(manualPolicy), { type: 'rejected' }, manualPolicy, t);
    assert.equal(r.state.status, 'failure');
    assert.equal(r.state.failureReason, 'rejected');
    assert.equal(r.state.confirmation, 'rejected');
  });

  it('is cancelled by the operator without a withdrawal', () => {
    const r = applyUpgradeEvent(pending(), { type: 'operator_cancel', actor: 'ops' }, silentPolicy, t);
    assert.equal(r.state.status, 'cancelled');
    assert.equal(r.state.failureReason, 'cancelled_by_operator');
    assert.equal(r.log.actor, 'ops');
    assert.deepEqual(r.effects, [
      { type: 'finished', outcome: 'cancelled', reason: 'cancelled_by_operator' },
    ]);
  });

  it('fails with reason deadline at the deadline', () => {
    const r = applyUpgradeEvent(pending(), { type: 'deadline_reached' }, silentPolicy, t);
    assert.equal(r.state.failureReason, 'deadline');
  });

  it('refuses an operator retry', () => refused(pending(), { type: 'operator_retry' }, 'not_failed'));
  it('refuses a re-push timer', () => refused(pending(), { type: 'repush_due' }, 'invalid_state'));
  it('refuses a timeout', () => refused(pending(), { type: 'timeout_elapsed' }, 'invalid_state'));
  it('refuses a retry timer when no retry is scheduled', () => {
    refused(pending(), { type: 'retry_due' }, 'invalid_state');
  });
  it('refuses a progress report outside 0..100', () => {
    refused(pending(), { type: 'progress', percent: 101 }, 'invalid_event');
    refused(pending(), { type: 'progress', percent: 2.5 }, 'invalid_event');
  });
});

describe('device upgrade from pushed', () => {
  it('starts downloading when the device accepts', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'accepted' }, silentPolicy, t);
    assert.equal(r.state.status, 'upgrading');
    assert.equal(r.state.startedAt, t);
    assert.deepEqual(r.effects, [{ type: 'schedule', action: 'timeout', at: t + 60 * minute }]);
  });

  it('starts upgrading on a progress report', () => {
    const r = applyUpgradeEvent(
      pushed(),
      { type: 'progress', percent: 40, stage: 'downloading' },
      silentPolicy,
      t,
    );
    assert.equal(r.state.status, 'upgrading');
    assert.equal(r.state.stage, 'downloading');
    assert.equal(r.state.progress, 40);
  });

  it('succeeds on progress 100', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'progress', percent: 100 }, silentPolicy, t);
    assert.equal(r.state.status, 'success');
  });

  it('succeeds on a version report equal to the target', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'version_reported', version: '2.0' }, silentPolicy, t);
    assert.equal(r.state.status, 'success');
  });

  it('is pushed again on a mismatching version report', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'version_reported', version: '1.0' }, silentPolicy, t);
    assert.equal(r.state.status, 'pushed');
    assert.equal(r.state.mismatchCount, 1);
    assert.equal(r.state.pushCount, 2);
    assert.equal(r.effects[0]?.type, 'notify');
  });

  it('is pushed again when the push period passes without a reaction', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'repush_due' }, silentPolicy, 10 * minute);
    assert.equal(r.state.pushCount, 2);
    assert.equal(r.state.nextActionAt, 20 * minute);
    assert.equal(r.state.mismatchCount, 0);
  });

  it('refuses a re-push timer before it is due', () => {
    refused(pushed(), { type: 'repush_due' }, 'not_due', silentPolicy, 9 * minute);
  });

  it('offers the upgrade again to a device that checks, without changing', () => {
    const state = pushed();
    const r = applyUpgradeEvent(state, { type: 'checked' }, silentPolicy, t);
    assert.equal(r.state, state);
    assert.equal(r.changed, false);
    assert.deepEqual(r.effects, [{ type: 'offer' }]);
  });

  it('fails on a device failure report', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'failed', reason: 'download_failed' }, silentPolicy, t);
    assert.equal(r.state.status, 'failure');
  });

  it('fails with reason rejected and withdraws the offer when rejected', () => {
    const r = applyUpgradeEvent(pushed(manualPolicy), { type: 'rejected' }, manualPolicy, t);
    assert.equal(r.state.failureReason, 'rejected');
    assert.equal(r.effects[0]?.type, 'withdraw');
  });

  it('treats a second confirmation as a no-op', () => {
    const state = pushed(manualPolicy);
    const r = applyUpgradeEvent(state, { type: 'confirmed' }, manualPolicy, t);
    assert.equal(r.accepted, true);
    assert.equal(r.changed, false);
  });

  it('is cancelled by the operator and the offer withdrawn', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'operator_cancel' }, silentPolicy, t);
    assert.equal(r.state.status, 'cancelled');
    assert.equal(r.effects[0]?.type, 'withdraw');
  });

  it('fails with reason deadline at the deadline and the offer withdrawn', () => {
    const r = applyUpgradeEvent(pushed(), { type: 'deadline_reached' }, silentPolicy, t);
    assert.equal(r.state.failureReason, 'deadline');
    assert.equal(r.effects[0]?.type, 'withdraw');
  });

  it('refuses a second push', () => refused(pushed(), { type: 'pushed' }, 'invalid_state'));
  it('refuses a retry timer', () => refused(pushed(), { type: 'retry_due' }, 'invalid_state'));
  it('refuses a timeout', () => refused(pushed(), { type: 'timeout_elapsed' }, 'invalid_state'));
  it('refuses an operator retry', () => refused(pushed(), { type: 'operator_retry' }, 'not_failed'));
  it('defers a check below the thresholds', () =>
    refused(pushed(), { type: 'checked', battery: 5 }, 'below_threshold'));
});
