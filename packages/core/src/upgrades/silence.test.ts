// An upgrade under way that nothing was heard of for two push periods is offered again, as a
// re-push: the device's last progress, the last offer and the device's last sign of life count
// as heard; the timeout still fails a device that stays silent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minute, pending, pushed, run, silentPolicy, upgrading } from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { silenceMs, silentOfferAt } from './silence.ts';

const silent = { type: 'silence_elapsed' } as const;
// upgrading(): pushed at 0, accepted at one minute; the silence is two push periods (20 minutes).
const silence = silenceMs(silentPolicy)!;
const started = minute;
/** Offered again after the silence, then the device reports `version` a minute later. */
const answerAfterSilence = (version: string) =>
  applyUpgradeEvent(
    applyUpgradeEvent(upgrading(), silent, silentPolicy, started + silence).state,
    { type: 'version_reported', version },
    silentPolicy,
    22 * minute,
  );

describe('silence of an upgrade under way', () => {
  it('lasts two push periods, and never in a plan that does not re-push', () => {
    assert.equal(silence, 20 * minute);
    assert.equal(silenceMs({ pushPeriodMs: null }), null);
    const policy = { ...silentPolicy, pushPeriodMs: null };
    const t = applyUpgradeEvent(upgrading(policy), silent, policy, 59 * minute);
    assert.equal(t.refusal, 'invalid_state');
  });

  it('offers the upgrade again once nothing was heard for the silence, and changes nothing else', () => {
    const before = upgrading();
    const t = applyUpgradeEvent(before, silent, silentPolicy, started + silence);
    assert.equal(t.accepted, true);
    assert.deepEqual(t.effects, [{ type: 'notify' }]);
    assert.equal(t.state.status, 'upgrading');
    assert.equal(t.state.stage, before.stage);
    assert.equal(t.state.pushCount, before.pushCount + 1);
    assert.equal(t.state.offeredAt, started + silence);
    assert.equal(t.state.nextAction, 'timeout');
    assert.equal(
      t.state.nextActionAt,
      before.nextActionAt,
      'the timeout still counts from the last progress',
    );
    assert.equal(t.state.mismatchCount, 0, 'not a mismatch');
    assert.match(t.log.message, /nothing heard since .*; offered again \(push 2\)/);
  });

  it('refuses before the silence is over, counted from the last progress', () => {
    assert.equal(
      applyUpgradeEvent(upgrading(), silent, silentPolicy, started + silence - 1).refusal,
      'not_due',
    );
    const progressed = run(upgrading(), [
      [{ type: 'progress', percent: 40, stage: 'downloading' }, 15 * minute],
    ]);
    const t = applyUpgradeEvent(progressed.state, silent, silentPolicy, started + silence);
    assert.equal(t.refusal, 'not_due', 'a download making progress is not offered again');
    assert.equal(
      applyUpgradeEvent(progressed.state, silent, silentPolicy, 15 * minute + silence).accepted,
      true,
    );
  });

  it('counts the device’s last sign of life (a download request) as heard', () => {
    const seenAt = 10 * minute;
    const early = applyUpgradeEvent(upgrading(), { ...silent, seenAt }, silentPolicy, started + silence);
    assert.equal(early.refusal, 'not_due');
    assert.equal(silentOfferAt(upgrading(), silentPolicy, seenAt), seenAt + silence);
    const due = applyUpgradeEvent(upgrading(), { ...silent, seenAt }, silentPolicy, seenAt + silence);
    assert.equal(due.accepted, true);
  });

  it('offers again every silence while nothing comes, until the upgrade timeout fails it', () => {
    let state = upgrading();
    const offers: number[] = [];
    for (let now = started; now < started + silentPolicy.upgradeTimeoutMs; now += minute) {
      const t = applyUpgradeEvent(state, silent, silentPolicy, now);
      if (t.accepted) offers.push(now);
      state = t.state;
    }
    assert.deepEqual(offers, [started + silence, started + 2 * silence]);
    const timedOut = applyUpgradeEvent(
      state,
      { type: 'timeout_elapsed' },
      silentPolicy,
      started + silentPolicy.upgradeTimeoutMs,
    );
    assert.equal(timedOut.state.status, 'failure');
    assert.equal(timedOut.state.failureReason, 'timeout');
  });

  it('ends in success when the device answers the offer with the target version', () => {
    assert.equal(answerAfterSilence('2.0').state.status, 'success');
  });

  it('goes on as before when a device still downloading reports its next step', () => {
    const offered = applyUpgradeEvent(upgrading(), silent, silentPolicy, started + silence).state;
    const t = run(offered, [[{ type: 'progress', percent: 50, stage: 'downloading' }, 22 * minute]]);
    assert.equal(t.state.status, 'upgrading');
    assert.equal(t.state.nextActionAt, 22 * minute + silentPolicy.upgradeTimeoutMs);
    assert.equal(
      applyUpgradeEvent(t.state, silent, silentPolicy, 22 * minute + silence - 1).refusal,
      'not_due',
    );
  });

  it('leaves the re-push rule alone: a mismatching version still counts and re-pushes', () => {
    const t = answerAfterSilence('1.0');
    assert.equal(t.state.status, 'pushed');
    assert.equal(t.state.mismatchCount, 1);
  });

  it('refuses records that are not upgrading on their timeout timer', () => {
    const healthPolicy = { ...silentPolicy, healthWindowMs: 5 * minute };
    const confirming = run(
      upgrading(healthPolicy),
      [[{ type: 'progress', percent: 100 }, 2 * minute]],
      healthPolicy,
    );
    assert.equal(confirming.state.nextAction, 'health');
    for (const [state, policy] of [
      [pending(), silentPolicy],
      [pushed(), silentPolicy],
      [confirming.state, healthPolicy],
    ] as const) {
      const t = applyUpgradeEvent(state, silent, policy, 100 * minute);
      assert.equal(t.refusal, 'invalid_state', `${state.status} ${state.nextAction}`);
    }
  });
});
