// One test per edge of the device-upgrade machine, and per refused edge
// (docs/state-machines.md, "Device upgrade"): from upgrading and from the finished statuses.
// Pending and pushed are in apply-upgrade-event.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelled,
  failed,
  minute,
  refused,
  silentPolicy,
  succeeded,
  t,
  upgrading,
} from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import type { UpgradeEvent } from './upgrade-state.ts';

describe('device upgrade from upgrading', () => {
  it('records advancing progress and restarts the timeout', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'progress', percent: 30 }, silentPolicy, t);
    assert.equal(r.state.progress, 30);
    assert.equal(r.state.nextActionAt, t + 60 * minute);
  });

  it('moves from downloading to downloaded on download progress 100', () => {
    const r = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 100, stage: 'downloading' },
      silentPolicy,
      t,
    );
    assert.equal(r.state.status, 'upgrading');
    assert.equal(r.state.stage, 'downloaded');
  });

  it('moves on to installing and starts its percentage from the reported value', () => {
    const downloaded = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 100, stage: 'downloaded' },
      silentPolicy,
      t,
    );
    const r = applyUpgradeEvent(
      downloaded.state,
      { type: 'progress', percent: 10, stage: 'installing' },
      silentPolicy,
      t,
    );
    assert.equal(r.state.stage, 'installing');
    assert.equal(r.state.progress, 10);
  });

  it('ignores a progress regression', () => {
    const at50 = applyUpgradeEvent(upgrading(), { type: 'progress', percent: 50 }, silentPolicy, t).state;
    const r = applyUpgradeEvent(at50, { type: 'progress', percent: 20 }, silentPolicy, t + 1);
    assert.equal(r.accepted, true);
    assert.equal(r.changed, false);
    assert.equal(r.state, at50);
  });

  it('ignores a report of an earlier stage', () => {
    const installing = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 5, stage: 'installing' },
      silentPolicy,
      t,
    ).state;
    const r = applyUpgradeEvent(
      installing,
      { type: 'progress', percent: 90, stage: 'downloading' },
      silentPolicy,
      t + 1,
    );
    assert.equal(r.changed, false);
  });

  it('does not succeed on installing 100 alone', () => {
    const r = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 100, stage: 'installing' },
      silentPolicy,
      t,
    );
    assert.equal(r.state.status, 'upgrading');
  });

  it('succeeds on progress 100', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'progress', percent: 100 }, silentPolicy, t);
    assert.equal(r.state.status, 'success');
    assert.equal(r.state.finishedAt, t);
    assert.equal(r.state.nextAction, null);
  });

  it('succeeds on a version report equal to the target', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'version_reported', version: '2.0' }, silentPolicy, t);
    assert.equal(r.state.status, 'success');
  });

  it('goes back to pushed with a re-push on a mismatching version report', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'version_reported', version: '1.0' }, silentPolicy, t);
    assert.equal(r.state.status, 'pushed');
    assert.equal(r.state.stage, null);
    assert.equal(r.state.mismatchCount, 1);
  });

  it('fails with reason timeout when stuck past the timeout, withdrawing the offer', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'timeout_elapsed' }, silentPolicy, 61 * minute);
    assert.equal(r.state.failureReason, 'timeout');
    assert.equal(r.effects[0]?.type, 'withdraw');
  });

  it('refuses a timeout before it is due', () => {
    refused(upgrading(), { type: 'timeout_elapsed' }, 'not_due', silentPolicy, 60 * minute);
  });

  it('fails on a device failure report', () => {
    const r = applyUpgradeEvent(
      upgrading(),
      { type: 'failed', reason: 'write_failed', detail: 'flash' },
      silentPolicy,
      t,
    );
    assert.equal(r.state.failureReason, 'write_failed');
    assert.equal(r.state.failureDetail, 'flash');
  });

  it('fails with reason deadline at the deadline', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'deadline_reached' }, silentPolicy, t);
    assert.equal(r.state.failureReason, 'deadline');
  });

  it('is cancelled by the operator and the offer withdrawn', () => {
    const downloaded = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 100, stage: 'downloaded' },
      silentPolicy,
      t,
    ).state;
    assert.equal(downloaded.stage, 'downloaded');
    const r = applyUpgradeEvent(downloaded, { type: 'operator_cancel' }, silentPolicy, t);
    assert.equal(r.state.status, 'cancelled');
    assert.equal(r.state.stage, null, 'a finished record has no stage');
    assert.equal(r.effects[0]?.type, 'withdraw');
  });

  it('treats a repeated acceptance as a no-op', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'accepted' }, silentPolicy, t);
    assert.equal(r.accepted, true);
    assert.equal(r.changed, false);
  });

  it('offers the upgrade again to a device that checks so that it can resume', () => {
    const r = applyUpgradeEvent(upgrading(), { type: 'checked', battery: 1 }, silentPolicy, t);
    assert.deepEqual(r.effects, [{ type: 'offer' }]);
  });

  it('refuses a rejection once upgrading', () => refused(upgrading(), { type: 'rejected' }, 'invalid_state'));
  it('refuses a push', () => refused(upgrading(), { type: 'pushed' }, 'invalid_state'));
  it('refuses a re-push timer', () => refused(upgrading(), { type: 'repush_due' }, 'invalid_state'));
  it('refuses an operator retry', () => refused(upgrading(), { type: 'operator_retry' }, 'not_failed'));
});

describe('finished device upgrades', () => {
  const deviceEvents: UpgradeEvent[] = [
    { type: 'pushed' },
    { type: 'checked' },
    { type: 'accepted' },
    { type: 'progress', percent: 50 },
    { type: 'version_reported', version: '2.0' },
    { type: 'failed', reason: 'failed' },
    { type: 'confirmed' },
    { type: 'rejected' },
    { type: 'operator_cancel' },
    { type: 'timeout_elapsed' },
    { type: 'deadline_reached' },
    { type: 'retry_due' },
    { type: 'repush_due' },
  ];
  for (const [name, make] of [
    ['success', succeeded],
    ['failure', failed],
    ['cancelled', cancelled],
  ] as const) {
    it(`ignore every event but an operator retry in ${name}, with a log line`, () => {
      for (const event of deviceEvents) refused(make(), event, 'finished');
    });
  }

  it('go back to pending for a new attempt on an operator retry from failure', () => {
    const r = applyUpgradeEvent(failed(), { type: 'operator_retry', actor: 'ops' }, silentPolicy, t);
    assert.equal(r.state.status, 'pending');
    assert.equal(r.state.attempts, 2);
    assert.equal(r.state.failureReason, null);
    assert.equal(r.state.lastFailureReason, 'download_failed');
    assert.equal(r.state.nextAction, 'push');
    assert.equal(r.log.actor, 'ops');
  });

  it('refuse an operator retry from success', () =>
    refused(succeeded(), { type: 'operator_retry' }, 'not_failed'));
  it('refuse an operator retry from cancelled', () =>
    refused(cancelled(), { type: 'operator_retry' }, 'not_failed'));
});
