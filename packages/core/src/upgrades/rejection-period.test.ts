// The effective period of a rejection (protocols.md §3.1): a device that refuses a silent plan's
// offer is offered it again after the period instead of failing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  manualPolicy,
  minute,
  pending,
  pushed,
  silentPolicy,
  upgrading,
} from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { dueUpgradeEvent } from './due-upgrade-event.ts';
import { isWaitingAfterRefusal, reofferAt } from './rejection-period.ts';

const period = silentPolicy.rejectionPeriodMs;

describe('rejection period', () => {
  it('takes a refused offer back to pending until the period is over, counting the refusal', () => {
    const t = applyUpgradeEvent(pushed(), { type: 'refused', reason: 'busy' }, silentPolicy, minute);
    assert.equal(t.accepted, true);
    assert.equal(t.state.status, 'pending');
    assert.equal(t.state.refusals, 1);
    assert.equal(t.state.nextAction, 'reoffer');
    assert.equal(reofferAt(t.state), minute + period);
    assert.deepEqual(t.effects, [{ type: 'schedule', action: 'reoffer', at: minute + period }]);
    assert.match(t.log.message, /refused by the device \(busy\) \(refusal 1\)/);
  });

  it('offers nothing to a check before the period is over, and offers it once it is', () => {
    const refused = applyUpgradeEvent(pushed(), { type: 'refused' }, silentPolicy, minute).state;
    const early = applyUpgradeEvent(refused, { type: 'checked' }, silentPolicy, minute + period - 1);
    assert.equal(early.accepted, false);
    assert.equal(early.refusal, 'refusal_wait');
    assert.equal(isWaitingAfterRefusal(refused, minute + period - 1), true);
    const late = applyUpgradeEvent(refused, { type: 'checked' }, silentPolicy, minute + period);
    assert.equal(late.state.status, 'pushed');
    assert.deepEqual(late.effects[0], { type: 'offer' });
  });

  it('has the scheduler push it again when the period is over, and not before', () => {
    const refused = applyUpgradeEvent(pushed(), { type: 'refused' }, silentPolicy, minute).state;
    assert.equal(dueUpgradeEvent(refused, minute + period - 1), null);
    const event = dueUpgradeEvent(refused, minute + period);
    assert.deepEqual(event, { type: 'pushed' });
    const early = applyUpgradeEvent(refused, { type: 'pushed' }, silentPolicy, minute + period - 1);
    assert.equal(early.refusal, 'refusal_wait');
    const t = applyUpgradeEvent(refused, event!, silentPolicy, minute + period);
    assert.equal(t.state.status, 'pushed');
    assert.equal(t.state.pushCount, 2);
    assert.equal(t.state.refusals, 1, 'the count stays');
  });

  it('counts a repeated refusal during the period once and keeps the period', () => {
    const refused = applyUpgradeEvent(pushed(), { type: 'refused' }, silentPolicy, minute).state;
    const again = applyUpgradeEvent(refused, { type: 'refused' }, silentPolicy, 2 * minute);
    assert.equal(again.accepted, true);
    assert.equal(again.changed, false);
    assert.equal(reofferAt(again.state), minute + period);
  });

  it('counts a second refusal of the next offer', () => {
    const first = applyUpgradeEvent(pushed(), { type: 'refused' }, silentPolicy, minute).state;
    const offered = applyUpgradeEvent(first, { type: 'pushed' }, silentPolicy, minute + period).state;
    const second = applyUpgradeEvent(offered, { type: 'refused' }, silentPolicy, minute + period + 1);
    assert.equal(second.state.refusals, 2);
    assert.equal(reofferAt(second.state), minute + 2 * period + 1);
  });

  it('lets a device that changes its mind start during the period', () => {
    const refused = applyUpgradeEvent(pushed(), { type: 'refused' }, silentPolicy, minute).state;
    const t = applyUpgradeEvent(refused, { type: 'accepted' }, silentPolicy, 2 * minute);
    assert.equal(t.state.status, 'upgrading');
  });

  it('takes a refusal of an accepted offer before any download progress (Quectel 2 then 3)', () => {
    const t = applyUpgradeEvent(upgrading(), { type: 'refused' }, silentPolicy, 5 * minute);
    assert.equal(t.accepted, true);
    assert.equal(t.state.status, 'pending');
    assert.equal(t.state.startedAt, null);
    assert.equal(t.state.refusals, 1);
    assert.equal(reofferAt(t.state), 5 * minute + period);
  });

  it('refuses a refusal once the download has progressed, or while installing', () => {
    const downloading = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 10 },
      silentPolicy,
      2 * minute,
    ).state;
    const t = applyUpgradeEvent(downloading, { type: 'refused' }, silentPolicy, 5 * minute);
    assert.equal(t.accepted, false);
    assert.equal(t.refusal, 'invalid_state');
    const installing = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 0, stage: 'installing' },
      silentPolicy,
      2 * minute,
    ).state;
    assert.equal(
      applyUpgradeEvent(installing, { type: 'refused' }, silentPolicy, 5 * minute).refusal,
      'invalid_state',
    );
  });

  it('takes a refusal of a downloaded image before its install (LwM2M defers at Update)', () => {
    const downloaded = applyUpgradeEvent(
      upgrading(),
      { type: 'progress', percent: 100, stage: 'downloaded' },
      silentPolicy,
      2 * minute,
    ).state;
    assert.equal(downloaded.stage, 'downloaded');
    const t = applyUpgradeEvent(downloaded, { type: 'refused' }, silentPolicy, 5 * minute);
    assert.equal(t.accepted, true);
    assert.equal(t.state.status, 'pending');
    assert.equal(t.state.refusals, 1);
    assert.equal(reofferAt(t.state), 5 * minute + period);
  });

  it("ends a manual plan's downloaded upgrade that the device puts off as rejected", () => {
    const accepted = applyUpgradeEvent(
      pushed(manualPolicy),
      { type: 'confirmed' },
      manualPolicy,
      minute,
    ).state;
    const started = applyUpgradeEvent(accepted, { type: 'accepted' }, manualPolicy, minute).state;
    const downloaded = applyUpgradeEvent(
      started,
      { type: 'progress', percent: 100, stage: 'downloaded' },
      manualPolicy,
      2 * minute,
    ).state;
    assert.equal(downloaded.stage, 'downloaded');
    const t = applyUpgradeEvent(downloaded, { type: 'refused' }, manualPolicy, 3 * minute);
    assert.equal(t.state.status, 'failure');
    assert.equal(t.state.failureReason, 'rejected');
  });

  it('takes a refusal of a pending record that was never offered', () => {
    const t = applyUpgradeEvent(pending(), { type: 'refused' }, silentPolicy, minute);
    assert.equal(t.state.status, 'pending');
    assert.equal(t.state.nextAction, 'reoffer');
  });

  it('treats a refusal in a manual plan as a rejection: it ends in failure', () => {
    const t = applyUpgradeEvent(pushed(manualPolicy), { type: 'refused' }, manualPolicy, minute);
    assert.equal(t.state.status, 'failure');
    assert.equal(t.state.failureReason, 'rejected');
    assert.equal(t.state.refusals, 0);
  });
});
