// The rules of issue 3 across several events: re-push (protocols.md §1.7), automatic retries,
// thresholds, timeout, deadline, manual confirmation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  manualPolicy,
  minute,
  pending,
  pushed,
  run,
  silentPolicy,
  upgrading,
} from '../test-support/upgrade-fixtures.ts';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { dueUpgradeEvent } from './due-upgrade-event.ts';
import type { UpgradeEvent, UpgradePolicy, UpgradeState } from './upgrade-state.ts';

const mismatch: UpgradeEvent = { type: 'version_reported', version: '1.0' };

function report(state: UpgradeState, times: number, policy: UpgradePolicy = silentPolicy): UpgradeState {
  let s = state;
  for (let i = 0; i < times; i++) s = applyUpgradeEvent(s, mismatch, policy, (i + 1) * minute).state;
  return s;
}

describe('re-push rule', () => {
  it('re-pushes on each of the first three mismatching version reports', () => {
    const s = report(pushed(), 3);
    assert.equal(s.status, 'pushed');
    assert.equal(s.pushCount, 4);
    assert.equal(s.mismatchCount, 3);
  });

  it('fails a device on its fourth mismatching version report', () => {
    const s = report(pushed(), 4);
    assert.equal(s.status, 'failure');
    assert.equal(s.failureReason, 'version_mismatch');
    assert.equal(s.pushCount, 4);
  });

  it('gives a new initial push and three re-pushes after an operator retry', () => {
    const failed = report(pushed(), 4);
    const retried = run(failed, [
      [{ type: 'operator_retry' }, 10 * minute],
      [{ type: 'pushed' }, 10 * minute],
    ]).state;
    assert.equal(retried.mismatchCount, 0);
    assert.equal(report(retried, 3).status, 'pushed');
    assert.equal(report(retried, 4).status, 'failure');
  });

  it('does not count a mismatch while the record is still pending', () => {
    assert.equal(report(pending(), 5).mismatchCount, 0);
  });

  it('does not count a mismatch reported with a battery below the minimum', () => {
    const r = applyUpgradeEvent(pushed(), { ...mismatch, battery: 5 }, silentPolicy, minute);
    assert.equal(r.state.mismatchCount, 0);
    assert.deepEqual(r.effects, []);
  });

  it('honours a different re-push limit from the policy', () => {
    const policy = { ...silentPolicy, maxRepushes: 0 };
    assert.equal(report(pushed(policy), 1, policy).status, 'failure');
  });

  it('keeps re-pushing on the push period without limit', () => {
    let s = pushed();
    for (let i = 1; i <= 5; i++) s = run(s, [[{ type: 'repush_due' }, i * 10 * minute]]).state;
    assert.equal(s.pushCount, 6);
    assert.equal(s.status, 'pushed');
  });

  it('sets no re-push timer when the policy has no push period', () => {
    const policy = { ...silentPolicy, pushPeriodMs: null };
    const s = pushed(policy);
    assert.equal(s.nextAction, null);
    assert.equal(dueUpgradeEvent(s, Number.MAX_SAFE_INTEGER), null);
  });
});

describe('automatic retries', () => {
  const policy: UpgradePolicy = { ...silentPolicy, retryAttempts: 2, retryIntervalMs: 5 * minute };

  it('sends a failed attempt back to pending until now plus the interval', () => {
    const s = run(
      upgrading(policy),
      [[{ type: 'failed', reason: 'download_failed' }, 20 * minute]],
      policy,
    ).state;
    assert.equal(s.status, 'pending');
    assert.equal(s.nextAction, 'retry');
    assert.equal(s.nextActionAt, 25 * minute);
    assert.equal(s.attempts, 2);
    assert.equal(s.lastFailureReason, 'download_failed');
    assert.equal(s.failureReason, null);
  });

  it('refuses the retry timer, a push and a check before the interval has passed', () => {
    const s = run(
      upgrading(policy),
      [[{ type: 'failed', reason: 'download_failed' }, 20 * minute]],
      policy,
    ).state;
    assert.equal(applyUpgradeEvent(s, { type: 'retry_due' }, policy, 24 * minute).refusal, 'not_due');
    assert.equal(applyUpgradeEvent(s, { type: 'pushed' }, policy, 24 * minute).refusal, 'retry_wait');
    assert.equal(applyUpgradeEvent(s, { type: 'checked' }, policy, 24 * minute).refusal, 'retry_wait');
    assert.equal(dueUpgradeEvent(s, 24 * minute), null);
    assert.deepEqual(dueUpgradeEvent(s, 25 * minute), { type: 'retry_due' });
  });

  it('pushes again when the retry is due', () => {
    const s = run(
      upgrading(policy),
      [[{ type: 'failed', reason: 'download_failed' }, 20 * minute]],
      policy,
    ).state;
    const r = applyUpgradeEvent(s, { type: 'retry_due' }, policy, 25 * minute);
    assert.equal(r.state.status, 'pushed');
    assert.equal(r.effects[0]?.type, 'notify');
  });

  it('ends with retries_exhausted when the retry limit ends it, keeping the cause', () => {
    let s = upgrading(policy);
    let now = 10 * minute;
    for (let i = 0; i < 2; i++) {
      s = run(s, [[{ type: 'failed', reason: 'check_failed' }, now]], policy).state;
      now += 5 * minute;
      s = run(
        s,
        [
          [{ type: 'retry_due' }, now],
          [{ type: 'accepted' }, now],
        ],
        policy,
      ).state;
    }
    const r = applyUpgradeEvent(s, { type: 'failed', reason: 'check_failed' }, policy, now + minute);
    assert.equal(r.state.status, 'failure');
    assert.equal(r.state.failureReason, 'retries_exhausted');
    assert.equal(r.state.lastFailureReason, 'check_failed');
    assert.equal(r.state.attempts, 3);
    assert.deepEqual(r.effects, [{ type: 'finished', outcome: 'failure', reason: 'retries_exhausted' }]);
  });

  it('keeps the device reason when no retry strategy is configured', () => {
    const s = run(upgrading(), [[{ type: 'failed', reason: 'check_failed' }, minute]]).state;
    assert.equal(s.failureReason, 'check_failed');
  });

  for (const reason of ['rejected', 'deadline', 'cancelled_by_operator', 'retries_exhausted'] as const) {
    it(`never retries a failure with reason ${reason} automatically`, () => {
      const s = run(upgrading(policy), [[{ type: 'failed', reason }, minute]], policy).state;
      assert.equal(s.status, 'failure');
      assert.equal(s.failureReason, reason);
    });
  }

  it('retries a timeout automatically', () => {
    const s = run(upgrading(policy), [[{ type: 'timeout_elapsed' }, 61 * minute]], policy).state;
    assert.equal(s.status, 'pending');
    assert.equal(s.lastFailureReason, 'timeout');
  });

  it('ends a record waiting for its retry with reason deadline at the deadline', () => {
    const s = run(upgrading(policy), [[{ type: 'failed', reason: 'download_failed' }, minute]], policy).state;
    const r = applyUpgradeEvent(s, { type: 'deadline_reached' }, policy, 2 * minute);
    assert.equal(r.state.failureReason, 'deadline');
    assert.deepEqual(r.effects, [{ type: 'finished', outcome: 'failure', reason: 'deadline' }]);
  });

  it('gives a fresh retry budget after an operator retry', () => {
    const exhausted = { ...policy, retryAttempts: 1 };
    let s = run(upgrading(exhausted), [[{ type: 'failed', reason: 'failed' }, minute]], exhausted).state;
    s = run(
      s,
      [
        [{ type: 'retry_due' }, 6 * minute],
        [{ type: 'failed', reason: 'failed' }, 7 * minute],
      ],
      exhausted,
    ).state;
    assert.equal(s.failureReason, 'retries_exhausted');
    s = run(
      s,
      [
        [{ type: 'operator_retry' }, 8 * minute],
        [{ type: 'failed', reason: 'failed' }, 9 * minute],
      ],
      exhausted,
    ).state;
    assert.equal(s.status, 'pending');
    assert.equal(s.autoRetries, 1);
  });
});

describe('timeout', () => {
  it('is measured from the last advancing progress report', () => {
    const s = run(upgrading(), [[{ type: 'progress', percent: 10 }, 50 * minute]]).state;
    assert.equal(
      applyUpgradeEvent(s, { type: 'timeout_elapsed' }, silentPolicy, 100 * minute).refusal,
      'not_due',
    );
    assert.deepEqual(dueUpgradeEvent(s, 110 * minute), { type: 'timeout_elapsed' });
  });

  it('is not extended by a duplicate progress report', () => {
    const s = run(upgrading(), [[{ type: 'progress', percent: 10 }, 50 * minute]]).state;
    const again = applyUpgradeEvent(s, { type: 'progress', percent: 10 }, silentPolicy, 90 * minute).state;
    assert.equal(again.nextActionAt, 110 * minute);
  });
});

describe('manual mode', () => {
  it('creates the record awaiting confirmation with no timer', () => {
    const s = pending(manualPolicy);
    assert.equal(s.confirmation, 'awaiting');
    assert.equal(dueUpgradeEvent(s, Number.MAX_SAFE_INTEGER), null);
  });

  it('lets a confirmed record be pushed by the scheduler', () => {
    const s = run(pending(manualPolicy), [[{ type: 'confirmed', actor: 'app' }, minute]], manualPolicy).state;
    assert.deepEqual(dueUpgradeEvent(s, minute), { type: 'pushed' });
  });

  it('asks for a new confirmation after an operator retry of a rejected upgrade', () => {
    const s = run(
      pending(manualPolicy),
      [
        [{ type: 'rejected' }, minute],
        [{ type: 'operator_retry' }, 2 * minute],
      ],
      manualPolicy,
    ).state;
    assert.equal(s.status, 'pending');
    assert.equal(s.confirmation, 'awaiting');
    assert.equal(s.nextAction, null);
  });

  it('keeps the confirmation across an operator retry of another failure', () => {
    const s = run(
      pushed(manualPolicy),
      [
        [{ type: 'failed', reason: 'download_failed' }, minute],
        [{ type: 'operator_retry' }, 2 * minute],
      ],
      manualPolicy,
    ).state;
    assert.equal(s.confirmation, 'confirmed');
    assert.equal(s.nextAction, 'push');
  });

  it('treats a device rejection in silent mode as a final rejection', () => {
    const s = run(pushed(), [[{ type: 'rejected' }, minute]]).state;
    assert.equal(s.failureReason, 'rejected');
    assert.equal(s.confirmation, 'none');
  });
});

describe('thresholds', () => {
  it('offers the upgrade when signal and battery equal the minimums', () => {
    const r = applyUpgradeEvent(
      pending(),
      { type: 'checked', signal: -110, battery: 20 },
      silentPolicy,
      minute,
    );
    assert.equal(r.state.status, 'pushed');
  });

  it('offers the upgrade when the device reports neither value', () => {
    assert.equal(
      applyUpgradeEvent(pending(), { type: 'checked' }, silentPolicy, minute).state.status,
      'pushed',
    );
  });

  it('ignores the values when the policy sets no minimum', () => {
    const policy = { ...silentPolicy, minSignal: null, minBattery: null };
    const r = applyUpgradeEvent(
      pending(policy),
      { type: 'checked', signal: -140, battery: 0 },
      policy,
      minute,
    );
    assert.equal(r.state.status, 'pushed');
  });
});

describe('late and reordered reports (issue 14)', () => {
  const retrying: UpgradePolicy = { ...silentPolicy, retryAttempts: 2 };
  const failedWaitingForRetry = () =>
    run(upgrading(retrying), [[{ type: 'failed', reason: 'download_failed' }, 2 * minute]], retrying).state;

  it('ignores a step of the failed attempt while the record waits for its automatic retry', () => {
    const before = failedWaitingForRetry();
    assert.equal(before.nextAction, 'retry');
    for (const event of [
      { type: 'progress', percent: 40 },
      { type: 'accepted' },
    ] as const satisfies readonly UpgradeEvent[]) {
      const t = applyUpgradeEvent(before, event, retrying, 3 * minute);
      assert.equal(t.accepted, true);
      assert.equal(t.state, before, `${event.type} changed the record`);
      assert.match(t.log.message, /ignored until the retry/);
    }
  });

  it('still takes a success reported while the record waits for its retry', () => {
    const t = applyUpgradeEvent(
      failedWaitingForRetry(),
      { type: 'progress', percent: 100 },
      retrying,
      3 * minute,
    );
    assert.equal(t.state.status, 'success');
  });

  it('turns a timeout into success when the device says it finished, and no other failure', () => {
    const timedOut = run(upgrading(), [[{ type: 'timeout_elapsed' }, 62 * minute]]).state;
    assert.equal(timedOut.failureReason, 'timeout');
    for (const event of [
      { type: 'progress', percent: 100 },
      { type: 'version_reported', version: '2.0' },
    ] as const satisfies readonly UpgradeEvent[]) {
      const t = applyUpgradeEvent(timedOut, event, silentPolicy, 70 * minute);
      assert.equal(t.state.status, 'success', event.type);
      assert.equal(t.state.failureReason, null);
      assert.match(t.log.message, /reconciled/);
    }
    const stillFailed = applyUpgradeEvent(
      timedOut,
      { type: 'progress', percent: 50 },
      silentPolicy,
      70 * minute,
    );
    assert.equal(stillFailed.refusal, 'finished');
    const written = run(upgrading(), [[{ type: 'failed', reason: 'write_failed' }, 2 * minute]]).state;
    const t = applyUpgradeEvent(written, { type: 'progress', percent: 100 }, silentPolicy, 3 * minute);
    assert.equal(t.refusal, 'finished', "a device's own failure is not reconciled away");
  });
});
