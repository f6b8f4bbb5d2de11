// An offline device's pushed record gives its place under the cap back after one push period
// (or slotReleaseMs when the plan never pushes again) instead of being pushed again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minute, pending, pushed, run, silentPolicy, upgrading } from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { isDeviceOffline, slotHoldMs, slotReleaseMs } from './slot-release.ts';

const released = { type: 'slot_released' } as const;
const period = silentPolicy.pushPeriodMs!;

describe('slot release', () => {
  it('takes a record pushed one push period ago back to pending, due at once', () => {
    const t = applyUpgradeEvent(pushed(), released, silentPolicy, period);
    assert.equal(t.accepted, true);
    assert.equal(t.state.status, 'pending');
    assert.equal(t.state.nextAction, 'push');
    assert.equal(t.state.nextActionAt, period);
    assert.equal(t.state.pushCount, 1, 'the push it had is still counted');
    assert.match(t.log.message, /offline/);
  });

  it('refuses a record pushed more recently, so a stale claim changes nothing', () => {
    const t = applyUpgradeEvent(pushed(), released, silentPolicy, period - 1);
    assert.equal(t.accepted, false);
    assert.equal(t.refusal, 'not_due');
  });

  it('holds the place for slotReleaseMs in a plan that never pushes again', () => {
    const policy = { ...silentPolicy, pushPeriodMs: null };
    assert.equal(slotHoldMs(policy), slotReleaseMs);
    const state = pushed(policy);
    assert.equal(applyUpgradeEvent(state, released, policy, slotReleaseMs - 1).refusal, 'not_due');
    assert.equal(applyUpgradeEvent(state, released, policy, slotReleaseMs).state.status, 'pending');
  });

  it('refuses a record that is not pushed', () => {
    for (const state of [pending(), upgrading()]) {
      const t = applyUpgradeEvent(state, released, silentPolicy, 100 * period);
      assert.equal(t.refusal, 'invalid_state', state.status);
    }
  });

  it('leaves the record to be pushed again, and offered when the device checks', () => {
    const back = applyUpgradeEvent(pushed(), released, silentPolicy, period).state;
    const checked = run(back, [[{ type: 'checked' }, period + minute]]);
    assert.equal(checked.state.status, 'pushed');
    assert.ok(checked.effects.some((e) => e.type === 'offer'));
  });

  it('counts a device offline when not connected and not seen for 15 minutes', () => {
    const now = 100 * minute;
    assert.equal(isDeviceOffline({ online: false, lastSeenAt: null }, now), true);
    assert.equal(isDeviceOffline({ online: false, lastSeenAt: now - 15 * minute }, now), true);
    assert.equal(isDeviceOffline({ online: false, lastSeenAt: now - 14 * minute }, now), false);
    assert.equal(isDeviceOffline({ online: true, lastSeenAt: null }, now), false);
  });
});
