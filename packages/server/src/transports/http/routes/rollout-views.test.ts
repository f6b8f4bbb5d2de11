// Why each device of a plan waits (GET /plans/:id/upgrades waitingReason, deviceOnline,
// deviceLastSeenAt) and the reported version a device gave outside the upgrade's own events
// (issue 19: "Reported version is always –", "devices sit in Pending or Pushed with no reason").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

interface Row {
  deviceName: string;
  deviceId: number;
  status: string;
  waitingReason: string | null;
  deviceOnline: boolean;
  deviceLastSeenAt: string | null;
  reportedVersion: string | null;
}

describe('the rollout as the plan views show it', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.app.scheduler.stop();
  });
  after(() => t.close());

  it('says why each device waits: plan not running, cap full, offline, low battery, wrong version, pushed', async () => {
    const { productId } = await seedFleet(t.app.database, 6);
    const packageId = await seedPackage(t.app.database, productId, '2.0');
    const { db } = t.app.database;
    const operator = await t.as('operator');
    const plan = (
      await operator.post('/api/v1/plans', {
        name: 'why they wait',
        productId,
        firmwarePackageId: packageId,
        specifiedVersions: ['1.0'],
        target: { kind: 'all' },
        concurrency: 1,
        minBattery: 20,
      })
    ).json();
    const rows = async (): Promise<Map<number, Row>> => {
      const page = (await operator.get(`/api/v1/plans/${plan.id}/upgrades`)).json();
      return new Map((page.items as Row[]).map((r) => [r.deviceId, r]));
    };
    assert.equal((await operator.post(`/api/v1/plans/${plan.id}/publish`, {})).json().status, 'running');
    await t.app.scheduler.tick();
    const enrolled = [...(await rows()).values()];
    const pushedId = enrolled.find((r) => r.status === 'pushed')!.deviceId;
    const [off, weak, older, ...capped] = enrolled
      .filter((r) => r.status === 'pending')
      .map((r) => r.deviceId);
    assert.equal(capped.length, 2, 'one device is pushed (cap 1), five wait');
    await db
      .updateTable('devices')
      .set({ online: 0, last_seen_at: Date.UTC(2026, 0, 1) })
      .where('id', '=', off!)
      .execute();
    await db.updateTable('devices').set({ battery: 5 }).where('id', '=', weak!).execute();
    // Enrolled on 1.0, the device then reports 0.9, which the package does not take.
    await db.updateTable('device_versions').set({ version: '0.9' }).where('device_id', '=', older!).execute();
    const byDevice = await rows();
    const reason = (id: number | undefined) => byDevice.get(id!)?.waitingReason;
    assert.deepEqual([pushedId, off, weak, older, ...capped].map(reason), [
      'awaiting_device',
      'offline',
      'battery_low',
      'wrong_version',
      'cap_full',
      'cap_full',
    ]);
    const offline = byDevice.get(off!)!;
    assert.equal(offline.deviceOnline, false);
    assert.equal(offline.deviceLastSeenAt, '2026-01-01T00:00:00.000Z');
    assert.equal(byDevice.get(pushedId)!.deviceOnline, true);
    // The device's own report stands in until the upgrade's events carry a version.
    assert.equal(byDevice.get(older!)!.reportedVersion, '0.9');
    assert.equal(byDevice.get(pushedId)!.reportedVersion, '1.0');

    // A paused plan: every device that has not begun waits for it.
    await operator.post(`/api/v1/plans/${plan.id}/pause`, {});
    for (const row of (await rows()).values()) assert.equal(row.waitingReason, 'plan_not_running');
    await operator.post(`/api/v1/plans/${plan.id}/resume`, {});

    // The pushed device begins: it waits no more.
    await t.app.services.upgrades.reportDeviceEvents([
      { deviceId: pushedId, event: { type: 'progress', percent: 40, stage: 'downloading' } },
    ]);
    assert.equal((await rows()).get(pushedId)!.waitingReason, null);
    const csv = (await operator.get(`/api/v1/plans/${plan.id}/export`)).body;
    const header = csv.split('\r\n')[0]!.split(',');
    assert.ok(header.includes('waitingReason') && header.includes('deviceOnline'), header.join(','));
    const line = csv.split('\r\n').find((l) => l.includes(`,${byDevice.get(weak!)!.deviceName},`));
    assert.ok(line, csv);
    const cells = line.split(',');
    assert.equal(cells[header.indexOf('waitingReason')], 'battery_low');
    assert.equal(cells[header.indexOf('reportedVersion')], '1.0');
  });

  it('keeps the rollout as it happened across a retry: failures ever, first-attempt rate, reasons', async () => {
    const { productId, deviceIds } = await seedFleet(t.app.database, 3);
    const packageId = await seedPackage(t.app.database, productId, '2.0');
    const operator = await t.as('operator');
    const plan = (
      await operator.post('/api/v1/plans', {
        name: 'history kept',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
      })
    ).json();
    await operator.post(`/api/v1/plans/${plan.id}/publish`, {});
    await t.app.scheduler.tick();
    const [a, b, c] = deviceIds;
    const { upgrades } = t.app.services;
    await upgrades.reportDeviceEvents([
      { deviceId: a!, event: { type: 'version_reported', version: '2.0' } },
      { deviceId: b!, event: { type: 'failed', reason: 'check_failed', detail: 'md5' } },
      { deviceId: c!, event: { type: 'failed', reason: 'download_failed' } },
    ]);
    const report = async () => (await operator.get(`/api/v1/plans/${plan.id}/report`)).json();
    const before = await report();
    assert.deepEqual(before.history, {
      devicesFailed: 2,
      failedAttempts: 2,
      firstAttemptSuccesses: 1,
      firstAttemptSuccessRate: 1 / 3,
      failureReasons: [
        { reason: 'check_failed', count: 1 },
        { reason: 'download_failed', count: 1 },
      ],
    });
    const retried = await operator.post(`/api/v1/plans/${plan.id}/upgrades/retry`, {});
    assert.equal(retried.json().affected, 2, retried.body);
    await t.app.scheduler.tick();
    await upgrades.reportDeviceEvents([
      { deviceId: b!, event: { type: 'version_reported', version: '2.0' } },
      { deviceId: c!, event: { type: 'version_reported', version: '2.0' } },
    ]);
    const after = await report();
    assert.equal(after.counts.failure, 0);
    assert.equal(after.summary.successRate, 1);
    assert.deepEqual(after.failureReasons, [], 'the current failures are none');
    assert.deepEqual(after.history, { ...before.history }, 'the history stays');
  });
});
