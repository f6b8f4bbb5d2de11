// Installs confirmed by health (docs/state-machines.md, "Health window"): a plan with a health
// window waits for the device's health report after it runs the target.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minute, pending, run, silentPolicy, upgrading } from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { dueUpgradeEvent } from './due-upgrade-event.ts';
import { isAutomaticallyRetried } from './failure-reason.ts';
import type { UpgradePolicy } from './upgrade-state.ts';

const window = 10 * minute;
const policy: UpgradePolicy = { ...silentPolicy, healthWindowMs: window, retryAttempts: 2 };
const installed = (at = 2 * minute) =>
  run(upgrading(policy), [[{ type: 'progress', percent: 100 }, at]], policy);

describe('health window', () => {
  it('waits in confirming after the device runs the target, with the window as its timer', () => {
    const t = installed();
    assert.equal(t.state.status, 'upgrading');
    assert.equal(t.state.stage, 'confirming');
    assert.equal(t.state.nextAction, 'health');
    assert.equal(t.state.nextActionAt, 2 * minute + window);
    assert.deepEqual(t.effects, [{ type: 'schedule', action: 'health', at: 2 * minute + window }]);
    assert.match(t.log.message, /waiting for its health report/);
    const byVersion = run(
      upgrading(policy),
      [[{ type: 'version_reported', version: '2.0' }, minute]],
      policy,
    );
    assert.equal(byVersion.state.stage, 'confirming');
  });

  it('succeeds when the device reports healthy within the window', () => {
    const t = applyUpgradeEvent(
      installed().state,
      { type: 'health_reported', healthy: true },
      policy,
      5 * minute,
    );
    assert.equal(t.state.status, 'success');
    assert.deepEqual(t.effects, [{ type: 'finished', outcome: 'success', reason: null }]);
  });

  it('fails not_confirmed on an unhealthy report, rolled_back when the device is back on another version', () => {
    const unhealthy = applyUpgradeEvent(
      installed().state,
      { type: 'health_reported', healthy: false, detail: 'no sensor' },
      policy,
      5 * minute,
    );
    assert.equal(unhealthy.state.status, 'failure');
    assert.equal(unhealthy.state.failureReason, 'not_confirmed', 'never retried automatically');
    assert.match(unhealthy.state.failureDetail ?? '', /no sensor/);
    const back = applyUpgradeEvent(
      installed().state,
      { type: 'health_reported', healthy: false, version: '1.0' },
      policy,
      5 * minute,
    );
    assert.equal(back.state.failureReason, 'rolled_back');
    assert.equal(back.state.reportedVersion, '1.0');
    assert.equal(isAutomaticallyRetried('not_confirmed'), false);
    assert.equal(isAutomaticallyRetried('rolled_back'), false);
  });

  it('fails rolled_back when the device reports another version while confirming', () => {
    const t = applyUpgradeEvent(
      installed().state,
      { type: 'version_reported', version: '1.0' },
      policy,
      3 * minute,
    );
    assert.equal(t.state.failureReason, 'rolled_back');
    const same = applyUpgradeEvent(
      installed().state,
      { type: 'version_reported', version: '2.0' },
      policy,
      3 * minute,
    );
    assert.equal(same.accepted, true);
    assert.equal(same.changed, false);
  });

  it('fails not_confirmed when the window ends in silence, and not before', () => {
    const waiting = installed().state;
    assert.equal(dueUpgradeEvent(waiting, 2 * minute + window - 1), null);
    const event = dueUpgradeEvent(waiting, 2 * minute + window);
    assert.deepEqual(event, { type: 'health_window_elapsed' });
    const early = applyUpgradeEvent(waiting, event!, policy, 2 * minute + window - 1);
    assert.equal(early.refusal, 'not_due');
    const t = applyUpgradeEvent(waiting, event!, policy, 2 * minute + window);
    assert.equal(t.state.status, 'failure');
    assert.equal(t.state.failureReason, 'not_confirmed');
    assert.match(t.state.failureDetail ?? '', /no health report since/);
    const stale = applyUpgradeEvent(upgrading(policy), { type: 'health_window_elapsed' }, policy, 3 * window);
    assert.equal(stale.refusal, 'invalid_state', 'no health timer on an install under way');
  });

  it('offers nothing to a check and ignores steps while confirming', () => {
    const waiting = installed().state;
    for (const event of [
      { type: 'checked' },
      { type: 'accepted' },
      { type: 'progress', percent: 100 },
      { type: 'progress', percent: 40, stage: 'downloading' },
    ] as const) {
      const t = applyUpgradeEvent(waiting, event, policy, 3 * minute);
      assert.equal(t.accepted, true, event.type);
      assert.equal(t.changed, false, event.type);
      assert.deepEqual(t.effects, [], event.type);
    }
  });

  it('takes a healthy report before the version as success, and a device already on the target as skipped', () => {
    const early = applyUpgradeEvent(
      upgrading(policy),
      { type: 'health_reported', healthy: true },
      policy,
      minute,
    );
    assert.equal(early.state.status, 'success');
    const skipped = applyUpgradeEvent(
      pending(policy),
      { type: 'version_reported', version: '2.0' },
      policy,
      0,
    );
    assert.equal(skipped.state.status, 'success', 'nothing was installed, nothing to confirm');
  });

  it('confirms nothing in a plan without a window', () => {
    const t = run(upgrading(), [[{ type: 'progress', percent: 100 }, 2 * minute]]);
    assert.equal(t.state.status, 'success');
  });
});
