// Properties over random event sequences: the machine never leaves its state space, finished
// records stay finished (but for an operator retry of a failure), counters never go down, and
// repeated events are no-ops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyUpgradeEvent } from './apply-upgrade-event.ts';
import { failureReasons } from './failure-reason.ts';
import {
  createUpgradeState,
  type UpgradeEvent,
  type UpgradePolicy,
  type UpgradeState,
} from './upgrade-state.ts';
import { isTerminalUpgradeStatus, upgradeStages, upgradeStatuses } from './upgrade-status.ts';

const policyArb: fc.Arbitrary<UpgradePolicy> = fc.record({
  targetVersion: fc.constant('2.0'),
  sourceVersion: fc.constantFrom(null, '1.0'),
  manual: fc.boolean(),
  retryAttempts: fc.integer({ min: 0, max: 3 }),
  retryIntervalMs: fc.integer({ min: 0, max: 1000 }),
  minSignal: fc.constantFrom(null, -100),
  minBattery: fc.constantFrom(null, 20),
  upgradeTimeoutMs: fc.integer({ min: 1, max: 1000 }),
  pushPeriodMs: fc.constantFrom(null, 1, 500),
  rejectionPeriodMs: fc.constantFrom(1, 700),
  maxRepushes: fc.integer({ min: 0, max: 3 }),
});

const eventArb: fc.Arbitrary<UpgradeEvent> = fc.oneof(
  fc.constantFrom<UpgradeEvent>(
    { type: 'pushed' },
    { type: 'accepted' },
    { type: 'confirmed' },
    { type: 'rejected' },
    { type: 'operator_retry' },
    { type: 'operator_cancel' },
    { type: 'timeout_elapsed' },
    { type: 'deadline_reached' },
    { type: 'retry_due' },
    { type: 'repush_due' },
  ),
  fc.record({
    type: fc.constant('version_reported' as const),
    version: fc.constantFrom('1.0', '2.0', '0.9'),
    battery: fc.constantFrom(undefined, 5, 80),
  }),
  fc.record({ type: fc.constant('checked' as const), signal: fc.constantFrom(undefined, -120, -60) }),
  fc.record({
    type: fc.constant('progress' as const),
    percent: fc.integer({ min: -5, max: 105 }),
    stage: fc.constantFrom(undefined, ...upgradeStages),
  }),
  fc.record({ type: fc.constant('failed' as const), reason: fc.constantFrom(...failureReasons) }),
);

const stepsArb = fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 600 })), { maxLength: 40 });

function assertInStateSpace(s: UpgradeState, policy: UpgradePolicy): void {
  assert.ok(upgradeStatuses.includes(s.status));
  assert.ok(s.stage === null || s.status === 'upgrading', 'stage only while upgrading');
  assert.ok(Number.isInteger(s.progress) && s.progress >= 0 && s.progress <= 100);
  assert.equal(s.failureReason !== null, s.status === 'failure' || s.status === 'cancelled');
  assert.equal(s.finishedAt !== null, isTerminalUpgradeStatus(s.status));
  assert.equal(s.nextAction === null, s.nextActionAt === null);
  if (isTerminalUpgradeStatus(s.status)) assert.equal(s.nextAction, null);
  if (s.status === 'upgrading') assert.equal(s.nextAction, 'timeout');
  assert.equal(s.confirmation === 'none', !policy.manual);
  assert.ok(s.mismatchCount <= policy.maxRepushes + 1);
  assert.ok(s.autoRetries <= policy.retryAttempts);
  assert.ok(s.attempts >= 1 && s.pushCount >= 0);
  if (s.status === 'success') assert.equal(s.progress, 100);
}

function replay(
  policy: UpgradePolicy,
  steps: readonly (readonly [UpgradeEvent, number])[],
  check: (before: UpgradeState, event: UpgradeEvent, now: number) => void,
): void {
  let state = createUpgradeState(0, { manual: policy.manual });
  let now = 0;
  for (const [event, delta] of steps) {
    now += delta;
    check(state, event, now);
    state = applyUpgradeEvent(state, event, policy, now).state;
  }
}

describe('device upgrade properties', () => {
  it('never leaves the state space on random event sequences', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        replay(policy, steps, (before, event, now) => {
          assertInStateSpace(applyUpgradeEvent(before, event, policy, now).state, policy);
        });
      }),
    );
  });

  it('keeps finished records unchanged except for an operator retry of a failure, and a timeout the device says it outlived', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        replay(policy, steps, (before, event, now) => {
          if (!isTerminalUpgradeStatus(before.status)) return;
          const r = applyUpgradeEvent(before, event, policy, now);
          if (before.status === 'failure' && event.type === 'operator_retry') {
            assert.equal(r.state.status, 'pending');
          } else if (r.state.status === 'success' && before.status === 'failure') {
            // Reconciliation: only a timeout gives way, and only to the device's word of success.
            assert.ok(before.failureReason === 'timeout' || before.lastFailureReason === 'timeout');
            assert.ok(event.type === 'progress' || event.type === 'version_reported');
          } else {
            assert.equal(r.state, before);
            assert.deepEqual(r.effects, []);
            assert.equal(r.log.message.length > 0, true);
          }
        });
      }),
    );
  });

  it('never decreases attempts, pushes or the update time, and resets per-attempt counters only with a new attempt', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        replay(policy, steps, (before, event, now) => {
          const after = applyUpgradeEvent(before, event, policy, now).state;
          assert.ok(after.attempts >= before.attempts);
          assert.ok(after.pushCount >= before.pushCount);
          assert.ok(after.updatedAt >= before.updatedAt);
          if (after.attempts === before.attempts) assert.ok(after.mismatchCount >= before.mismatchCount);
          if (event.type !== 'operator_retry') assert.ok(after.autoRetries >= before.autoRetries);
        });
      }),
    );
  });

  it('leaves the state untouched when it refuses an event', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, (policy, steps) => {
        replay(policy, steps, (before, event, now) => {
          const r = applyUpgradeEvent(before, event, policy, now);
          if (!r.accepted || !r.changed) assert.equal(r.state, before);
          if (!r.accepted) assert.deepEqual(r.effects, []);
        });
      }),
    );
  });

  it('treats a repeated event as a no-op, except mismatching version reports which count', () => {
    fc.assert(
      fc.property(policyArb, stepsArb, eventArb, (policy, steps, event) => {
        fc.pre(!(event.type === 'version_reported' && event.version !== '2.0'));
        fc.pre(event.type !== 'operator_retry');
        replay(policy, steps, (before, _ignored, now) => {
          const once = applyUpgradeEvent(before, event, policy, now).state;
          const twice = applyUpgradeEvent(once, event, policy, now);
          assert.equal(
            twice.changed,
            false,
            `${event.type} from ${once.status} changed again: ${twice.log.message}`,
          );
        });
      }),
    );
  });
});
