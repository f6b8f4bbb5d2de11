// Quectel's "No Update Required" (issue 15): a targeted device already on the target version ends
// in success without anything offered, and the views count it apart from the devices upgraded:
// the report's outcomes, the per-device rows and the CSV export.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('no update required', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.app.scheduler.stop();
  });
  after(() => t.close());

  it('counts a device already on the target apart from the devices that took the upgrade', async () => {
    const { productId, deviceIds } = await seedFleet(t.app.database, 3, {
      versionOf: (i) => (i === 0 ? '2.0' : '1.0'),
    });
    const packageId = await seedPackage(t.app.database, productId, '2.0');
    const operator = await t.as('operator');
    const plan = (
      await operator.post('/api/v1/plans', {
        name: 'already there',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
      })
    ).json();
    assert.equal((await operator.post(`/api/v1/plans/${plan.id}/publish`, {})).json().status, 'running');
    await t.app.scheduler.tick();
    const [onTarget, upgraded] = deviceIds as [number, number, number];
    const access = t.app.services.deviceAccess;
    // The device on the target says so; another takes the upgrade (OneNET 201: the target runs).
    const first = (await access.deviceById(onTarget))!;
    await access.check(first, { module: 'default', version: '2.0' });
    const second = (await access.deviceById(upgraded))!;
    const offer = await access.check(second, { module: 'default', version: '1.0' });
    assert.equal(offer.kind, 'offer');
    await access.report(second, 'default', { type: 'accepted' });
    await access.report(second, 'default', { type: 'succeeded', setsTargetVersion: true });

    const rows = (await operator.get(`/api/v1/plans/${plan.id}/upgrades`)).json().items as {
      deviceId: number;
      status: string;
      noUpdateRequired: boolean;
    }[];
    const byDevice = new Map(rows.map((r) => [r.deviceId, r]));
    assert.deepEqual(
      [byDevice.get(onTarget), byDevice.get(upgraded)].map((r) => [r?.status, r?.noUpdateRequired]),
      [
        ['success', true],
        ['success', false],
      ],
    );
    const report = (await operator.get(`/api/v1/plans/${plan.id}/report`)).json();
    assert.equal(report.counts.success, 2);
    assert.deepEqual(report.outcomes, { upgraded: 1, noUpdateRequired: 1 });

    const csv = (await operator.get(`/api/v1/plans/${plan.id}/export`)).body.split('\r\n');
    const header = csv[0]!.split(',');
    const column = header.indexOf('noUpdateRequired');
    assert.ok(column > 0, 'the CSV has the column');
    const cellOf = (id: number) => csv.find((line) => line.split(',')[1] === String(id))?.split(',')[column];
    assert.deepEqual([cellOf(onTarget), cellOf(upgraded)], ['true', 'false']);
  });
});
