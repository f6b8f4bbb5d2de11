// Shared by the upgrade tests: a policy and records in each status, built through events.
import assert from 'node:assert/strict';
import { applyUpgradeEvent } from '../upgrades/apply-upgrade-event.ts';
import {
  createUpgradeState,
  type UpgradeEvent,
  type UpgradePolicy,
  type UpgradeRefusal,
  type UpgradeState,
  type UpgradeTransition,
} from '../upgrades/upgrade-state.ts';

export const minute = 60_000;

export const silentPolicy: UpgradePolicy = {
  targetVersion: '2.0',
  sourceVersion: null,
  manual: false,
  retryAttempts: 0,
  retryIntervalMs: 5 * minute,
  minSignal: -110,
  minBattery: 20,
  upgradeTimeoutMs: 60 * minute,
  pushPeriodMs: 10 * minute,
  maxRepushes: 3,
  rejectionPeriodMs: 120 * minute,
};

export const manualPolicy: UpgradePolicy = { ...silentPolicy, manual: true };

/** Apply events in order, asserting each is accepted; returns the last transition. */
export function run(
  state: UpgradeState,
  events: readonly (readonly [UpgradeEvent, number])[],
  policy: UpgradePolicy = silentPolicy,
): UpgradeTransition {
  let current: UpgradeTransition | null = null;
  let s = state;
  for (const [event, now] of events) {
    current = applyUpgradeEvent(s, event, policy, now);
    assert.equal(current.accepted, true, `${event.type} refused: ${current.log.message}`);
    s = current.state;
  }
  assert.ok(current !== null);
  return current;
}

export function pending(policy: UpgradePolicy = silentPolicy): UpgradeState {
  return createUpgradeState(0, { manual: policy.manual });
}

export function pushed(policy: UpgradePolicy = silentPolicy): UpgradeState {
  const start = policy.manual
    ? run(pending(policy), [[{ type: 'confirmed' }, 0]], policy).state
    : pending(policy);
  return run(start, [[{ type: 'pushed' }, 0]], policy).state;
}

export function upgrading(policy: UpgradePolicy = silentPolicy): UpgradeState {
  return run(pushed(policy), [[{ type: 'accepted' }, minute]], policy).state;
}

export function succeeded(): UpgradeState {
  return run(upgrading(), [[{ type: 'progress', percent: 100 }, 2 * minute]]).state;
}

export function failed(): UpgradeState {
  return run(upgrading(), [[{ type: 'failed', reason: 'download_failed' }, 2 * minute]]).state;
}

export function cancelled(): UpgradeState {
  return run(upgrading(), [[{ type: 'operator_cancel', actor: 'ops' }, 2 * minute]]).state;
}

/** The time of the machine tests' events: half an hour in. */
export const t = 30 * minute;

/** The event is refused with `refusal`: the record, its effects and its status stay as they were. */
export function refused(
  state: UpgradeState,
  event: UpgradeEvent,
  refusal: UpgradeRefusal,
  policy: UpgradePolicy = silentPolicy,
  now = t,
) {
  const result = applyUpgradeEvent(state, event, policy, now);
  assert.equal(result.accepted, false);
  assert.equal(result.refusal, refusal);
  assert.equal(result.state, state);
  assert.deepEqual(result.effects, []);
  assert.equal(result.log.from, result.log.to);
  assert.ok(result.log.message.length > 0);
}
