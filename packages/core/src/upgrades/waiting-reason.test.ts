// Why a device waits: each reason on its own and the order in which they win.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failed,
  manualPolicy,
  minute,
  pending,
  pushed,
  run,
  silentPolicy,
  succeeded,
  upgrading,
} from '../test-support/upgrade-fixtures.ts';
import type { UpgradePolicy } from './upgrade-state.ts';
import { type WaitingContext, waitingReason } from './waiting-reason.ts';

const device = { online: true, lastSeenAt: null, signal: -70, battery: 80, version: '1.0' };
const context = (
  over: Partial<WaitingContext> = {},
  policy: UpgradePolicy = silentPolicy,
): WaitingContext => ({
  planStatus: 'running',
  policy,
  device,
  concurrency: 10,
  busy: 0,
  now: minute,
  ...over,
});

describe('waitingReason', () => {
  it('is null for records that do not wait', () => {
    for (const state of [upgrading(), succeeded(), failed()])
      assert.equal(waitingReason(state, context()), null);
  });

  it('says queued for a due pending record and awaiting_device once pushed', () => {
    assert.equal(waitingReason(pending(), context()), 'queued');
    assert.equal(waitingReason(pushed(), context()), 'awaiting_device');
  });

  it('names the plan that does not run, before anything else', () => {
    for (const planStatus of ['draft', 'scheduled', 'paused'] as const) {
      const offline = { ...device, online: false };
      assert.equal(waitingReason(pending(), context({ planStatus, device: offline })), 'plan_not_running');
    }
  });

  it('names an awaiting confirmation of a manual plan', () => {
    assert.equal(waitingReason(pending(manualPolicy), context({}, manualPolicy)), 'awaiting_confirmation');
  });

  it("names the owner's appointed window until it opens", () => {
    const appointed = { ...pending(), appointedFrom: 10 * minute, appointedUntil: 70 * minute };
    assert.equal(waitingReason(appointed, context({ now: 5 * minute })), 'appointment_wait');
    assert.equal(waitingReason(appointed, context({ now: 10 * minute })), 'queued');
  });

  it('names the rejection period after the device refused, until it is over', () => {
    const refused = { ...pending(), nextAction: 'reoffer' as const, nextActionAt: 10 * minute };
    assert.equal(waitingReason(refused, context({ now: 5 * minute })), 'rejection_wait');
    assert.equal(waitingReason(refused, context({ now: 10 * minute })), 'queued');
  });

  it('names a wait for the automatic retry, until it is due', () => {
    const policy = { ...silentPolicy, retryAttempts: 2 };
    const retrying = run(
      upgrading(policy),
      [[{ type: 'failed', reason: 'download_failed' }, 2 * minute]],
      policy,
    ).state;
    assert.equal(retrying.status, 'pending');
    assert.equal(waitingReason(retrying, context({ now: 3 * minute }, policy)), 'retry_wait');
    assert.equal(waitingReason(retrying, context({ now: 8 * minute }, policy)), 'queued');
  });

  it('names a version the package does not take, and not the target version', () => {
    const policy = { ...silentPolicy, specifiedVersions: ['1.1'] };
    assert.equal(waitingReason(pending(), context({}, policy)), 'wrong_version');
    assert.equal(
      waitingReason(pending(), context({ device: { ...device, version: '1.1' } }, policy)),
      'queued',
    );
    const delta = { ...silentPolicy, sourceVersion: '1.1' };
    assert.equal(waitingReason(pending(), context({}, delta)), 'wrong_version');
  });

  it('names an offline device, then low battery, then low signal', () => {
    assert.equal(waitingReason(pushed(), context({ device: { ...device, online: false } })), 'offline');
    // A device that polls over HTTP is never connected; seen within 15 minutes it is not offline.
    const polled = { ...device, online: false, lastSeenAt: 0 };
    assert.equal(waitingReason(pushed(), context({ device: polled, now: 14 * minute })), 'awaiting_device');
    assert.equal(waitingReason(pushed(), context({ device: polled, now: 15 * minute })), 'offline');
    assert.equal(
      waitingReason(pending(), context({ device: { ...device, signal: -120, battery: 5 } })),
      'battery_low',
    );
    assert.equal(waitingReason(pending(), context({ device: { ...device, signal: -120 } })), 'signal_low');
    assert.equal(
      waitingReason(pending(), context({ device: { ...device, signal: null, battery: null } })),
      'queued',
    );
  });

  it("names free space below the plan's minimum after battery and signal", () => {
    const policy = { ...silentPolicy, minFreeSpace: 4096 };
    const low = { ...device, freeSpace: 4095 };
    assert.equal(waitingReason(pending(policy), context({ device: low }, policy)), 'space_low');
    assert.equal(
      waitingReason(pending(policy), context({ device: { ...low, battery: 5 } }, policy)),
      'battery_low',
    );
    assert.equal(
      waitingReason(pending(policy), context({ device: { ...device, freeSpace: 4096 } }, policy)),
      'queued',
    );
    assert.equal(
      waitingReason(pending(policy), context({ device: { ...device, freeSpace: null } }, policy)),
      'queued',
    );
    assert.equal(waitingReason(pending(), context({ device: low })), 'queued', 'no minimum');
  });

  it('names a full concurrency cap for a pending record only', () => {
    assert.equal(waitingReason(pending(), context({ busy: 10 })), 'cap_full');
    assert.equal(waitingReason(pending(), context({ busy: 9 })), 'queued');
    assert.equal(waitingReason(pending(), context({ busy: undefined })), 'queued');
    assert.equal(waitingReason(pushed(), context({ busy: 10 })), 'awaiting_device');
  });
});
