// The component edges of the device-upgrade machine (docs/state-machines.md, "Components"): a
// plan of two components, module firmware then MCU firmware.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minute, pending, run, silentPolicy } from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { componentStatusesOf, countComponents } from './component-status.ts';
import type { UpgradePolicy, UpgradeState } from './upgrade-state.ts';

const twoComponents: UpgradePolicy = {
  ...silentPolicy,
  module: 'default',
  laterComponents: [{ module: 'mcu', targetVersion: '3.0', sourceVersion: null, specifiedVersions: [] }],
};

function onSecond(policy: UpgradePolicy = twoComponents): UpgradeState {
  return run(
    pending(policy),
    [
      [{ type: 'pushed' }, 0],
      [{ type: 'accepted' }, minute],
      [{ type: 'version_reported', version: '2.0' }, 2 * minute],
    ],
    policy,
  ).state;
}

describe('a plan of several components', () => {
  it('goes on to the next component when one succeeds: pending, due ahead of devices not started', () => {
    const t = run(
      pending(twoComponents),
      [
        [{ type: 'pushed' }, 0],
        [{ type: 'accepted' }, minute],
        [{ type: 'version_reported', version: '2.0' }, 2 * minute],
      ],
      twoComponents,
    );
    assert.equal(t.state.status, 'pending');
    assert.equal(t.state.component, 1);
    assert.equal(t.state.skipped, 0);
    assert.equal(t.state.nextAction, 'push');
    assert.equal(t.state.nextActionAt, t.state.createdAt);
    assert.equal(t.state.finishedAt, null);
    assert.deepEqual(t.effects, [{ type: 'schedule', action: 'push', at: t.state.createdAt }]);
    assert.equal(
      t.log.message,
      'component 1 of 2 (default): reported target version 2.0; done; next: component 2 of 2 (mcu)',
    );
  });

  it('also goes on after a bare progress 100 of the first component', () => {
    const t = run(
      pending(twoComponents),
      [
        [{ type: 'pushed' }, 0],
        [{ type: 'progress', percent: 100 }, minute],
      ],
      twoComponents,
    );
    assert.deepEqual([t.state.status, t.state.component], ['pending', 1]);
  });

  it('ends in success when the last component succeeds', () => {
    const t = run(
      onSecond(),
      [
        [{ type: 'pushed' }, 3 * minute],
        [{ type: 'version_reported', version: '3.0' }, 4 * minute],
      ],
      twoComponents,
    );
    assert.equal(t.state.status, 'success');
    assert.equal(t.state.component, 1);
    assert.deepEqual(t.effects, [{ type: 'finished', outcome: 'success', reason: null }]);
    assert.deepEqual(componentStatusesOf(t.state, 2), ['success', 'success']);
  });

  it('skips a later component whose target the device already runs, when it falls due', () => {
    const t = applyUpgradeEvent(onSecond(), { type: 'pushed', version: '3.0' }, twoComponents, 3 * minute);
    assert.equal(t.state.status, 'success');
    assert.equal(t.state.skipped, 0b10);
    assert.equal(t.state.pushCount, 1, 'not pushed');
    assert.deepEqual(componentStatusesOf(t.state, 2), ['success', 'skipped']);
  });

  it('skips the first component too when the device is known to run its target (No Update Required)', () => {
    const t = applyUpgradeEvent(pending(twoComponents), { type: 'pushed', version: '2.0' }, twoComponents, 0);
    assert.deepEqual([t.state.status, t.state.component, t.state.skipped], ['pending', 1, 0b01]);
    // A plan of one: the upgrade ends in success with nothing pushed.
    const one = applyUpgradeEvent(
      pending(),
      { type: 'pushed', version: silentPolicy.targetVersion },
      silentPolicy,
      0,
    );
    assert.deepEqual([one.state.status, one.state.skipped, one.state.pushCount], ['success', 0b1, 0]);
    assert.equal(
      one.effects.some((e) => e.type === 'offer'),
      false,
    );
  });

  it('skips a component the device reports the target of before it was offered', () => {
    const t = applyUpgradeEvent(
      pending(twoComponents),
      { type: 'version_reported', version: '2.0' },
      twoComponents,
      0,
    );
    assert.deepEqual([t.state.status, t.state.component, t.state.skipped], ['pending', 1, 0b01]);
    assert.equal(
      t.log.message,
      'component 1 of 2 (default): reported target version 2.0; skipped; next: component 2 of 2 (mcu)',
    );
  });

  it('ends the upgrade naming the component when a component fails', () => {
    const t = run(
      onSecond(),
      [
        [{ type: 'pushed' }, 3 * minute],
        [{ type: 'failed', reason: 'write_failed', detail: 'flash busy' }, 4 * minute],
      ],
      twoComponents,
    );
    assert.equal(t.state.status, 'failure');
    assert.equal(t.state.failureReason, 'write_failed');
    assert.equal(t.state.failureDetail, 'component 2 of 2 (mcu): flash busy');
    assert.deepEqual(componentStatusesOf(t.state, 2), ['success', 'failure']);
  });

  it('retries the failed component, not the plan from the start', () => {
    const policy = { ...twoComponents, retryAttempts: 1 };
    const failed = run(
      onSecond(policy),
      [
        [{ type: 'pushed' }, 3 * minute],
        [{ type: 'failed', reason: 'download_failed' }, 4 * minute],
      ],
      policy,
    );
    assert.deepEqual(
      [failed.state.status, failed.state.nextAction, failed.state.component],
      ['pending', 'retry', 1],
    );
    const ended = run(
      failed.state,
      [
        [{ type: 'retry_due' }, 10 * minute],
        [{ type: 'failed', reason: 'download_failed' }, 11 * minute],
      ],
      policy,
    );
    assert.deepEqual([ended.state.status, ended.state.failureReason], ['failure', 'retries_exhausted']);
    const retried = applyUpgradeEvent(ended.state, { type: 'operator_retry' }, policy, 12 * minute);
    assert.deepEqual([retried.state.status, retried.state.component], ['pending', 1]);
  });

  it('fails a delta component on another source version, naming it', () => {
    const policy: UpgradePolicy = {
      ...twoComponents,
      laterComponents: [{ module: 'mcu', targetVersion: '3.0', sourceVersion: '2.5', specifiedVersions: [] }],
    };
    const t = applyUpgradeEvent(
      onSecond(policy),
      { type: 'version_reported', version: '2.4' },
      policy,
      3 * minute,
    );
    assert.equal(t.state.failureReason, 'version_mismatch');
    assert.equal(
      t.state.failureDetail,
      'component 2 of 2 (mcu): reported 2.4; the delta package applies to 2.5 only',
    );
  });

  it('fails a full component with specified versions on a version it does not take', () => {
    const policy: UpgradePolicy = { ...silentPolicy, specifiedVersions: ['1.0', '1.1'] };
    const refused = applyUpgradeEvent(
      pending(policy),
      { type: 'version_reported', version: '0.9' },
      policy,
      0,
    );
    assert.equal(refused.state.failureReason, 'version_mismatch');
    assert.equal(refused.state.failureDetail, 'reported 0.9; the package takes 1.0, 1.1 only');
    const taken = applyUpgradeEvent(pending(policy), { type: 'version_reported', version: '1.1' }, policy, 0);
    assert.equal(taken.state.status, 'pending');
  });

  it('keeps a manual plan waiting for its confirmation when the first component is skipped', () => {
    const policy = { ...twoComponents, manual: true };
    const t = applyUpgradeEvent(pending(policy), { type: 'version_reported', version: '2.0' }, policy, 0);
    assert.deepEqual([t.state.status, t.state.component, t.state.confirmation], ['pending', 1, 'awaiting']);
    assert.equal(t.state.nextAction, null);
  });

  it('says which components were never reached when the upgrade ends early', () => {
    const t = run(
      pending(twoComponents),
      [
        [{ type: 'pushed' }, 0],
        [{ type: 'operator_cancel' }, minute],
      ],
      twoComponents,
    );
    assert.deepEqual(componentStatusesOf(t.state, 2), ['cancelled', 'not_reached']);
    assert.deepEqual(componentStatusesOf(onSecond(), 2), ['success', 'pending']);
    assert.deepEqual(componentStatusesOf(pending(twoComponents), 2), ['pending', 'waiting']);
  });

  it('counts each component from records grouped by component, status and skipped', () => {
    const counts = countComponents(
      [
        { component: 0, status: 'pushed', skipped: 0, count: 5 },
        { component: 1, status: 'upgrading', skipped: 0, count: 2 },
        { component: 1, status: 'success', skipped: 0b10, count: 3 },
        { component: 1, status: 'failure', skipped: 0b01, count: 1 },
        { component: 0, status: 'failure', skipped: 0, count: 4 },
      ],
      2,
    );
    assert.deepEqual(
      counts.map((c) => Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0))),
      [
        { pushed: 5, success: 5, skipped: 1, failure: 4 },
        { waiting: 5, upgrading: 2, skipped: 3, failure: 1, not_reached: 4 },
      ],
    );
  });
});
