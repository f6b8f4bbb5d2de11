import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyUpgradeEvent, createUpgradeState, type DeviceEvent, type UpgradePolicy } from '@updraft/core';
import { type CanonicalEvent, engineEventOf } from './canonical-events.ts';

describe('canonical device events as the engine sees them (one row each)', () => {
  const rows: [CanonicalEvent, DeviceEvent][] = [
    [{ type: 'accepted' }, { type: 'accepted' }],
    [{ type: 'confirmed' }, { type: 'confirmed' }],
    [
      { type: 'confirmed', actor: 'device:7' },
      { type: 'confirmed', actor: 'device:7' },
    ],
    [
      { type: 'rejected', actor: 'device:7' },
      { type: 'rejected', actor: 'device:7' },
    ],
    [{ type: 'refused' }, { type: 'refused' }],
    [
      { type: 'refused', reason: 'battery low' },
      { type: 'refused', reason: 'battery low' },
    ],
    [
      { type: 'downloading', percent: 40 },
      { type: 'progress', stage: 'downloading', percent: 40 },
    ],
    [{ type: 'downloaded' }, { type: 'progress', stage: 'downloaded', percent: 100 }],
    [{ type: 'installing' }, { type: 'progress', stage: 'installing', percent: 0 }],
    [
      { type: 'installing', percent: 60 },
      { type: 'progress', stage: 'installing', percent: 60 },
    ],
    [
      { type: 'progress', percent: 30 },
      { type: 'progress', percent: 30 },
    ],
    [{ type: 'succeeded' }, { type: 'progress', percent: 100 }],
    [
      { type: 'succeeded', setsTargetVersion: true },
      { type: 'progress', percent: 100 },
    ],
    [{ type: 'health_confirmed' }, { type: 'health_reported', healthy: true }],
    [
      { type: 'health_failed', version: '1.0', detail: 'watchdog' },
      { type: 'health_reported', healthy: false, version: '1.0', detail: 'watchdog' },
    ],
    [{ type: 'health_failed' }, { type: 'health_reported', healthy: false }],
    [
      { type: 'failed', reason: 'check_failed' },
      { type: 'failed', reason: 'check_failed' },
    ],
    [
      { type: 'failed', reason: 'write_failed', detail: 'flash' },
      { type: 'failed', reason: 'write_failed', detail: 'flash' },
    ],
    [
      { type: 'version_reported', version: '2.0' },
      { type: 'version_reported', version: '2.0' },
    ],
    [
      { type: 'version_reported', version: '1.0', signal: -80, battery: 55 },
      { type: 'version_reported', version: '1.0', signal: -80, battery: 55 },
    ],
  ];
  for (const [canonical, engine] of rows) {
    it(`maps ${JSON.stringify(canonical)}`, () => assert.deepEqual(engineEventOf(canonical), engine));
  }

  it('makes succeeded and health confirmed a success for an upgrading record', () => {
    const policy: UpgradePolicy = {
      targetVersion: '2.0',
      sourceVersion: null,
      manual: false,
      retryAttempts: 0,
      retryIntervalMs: 60_000,
      minSignal: null,
      minBattery: null,
      upgradeTimeoutMs: 3_600_000,
      pushPeriodMs: null,
      maxRepushes: 3,
      rejectionPeriodMs: 7_200_000,
    };
    const start = createUpgradeState(0, { manual: false });
    const upgrading = applyUpgradeEvent(
      start,
      engineEventOf({ type: 'downloading', percent: 10 }),
      policy,
      1,
    );
    for (const type of ['succeeded', 'health_confirmed'] as const) {
      const done = applyUpgradeEvent(upgrading.state, engineEventOf({ type }), policy, 2);
      assert.equal(done.state.status, 'success', type);
    }
  });
});
