import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const monday = Date.UTC(2026, 10, 30, 9);

describe('reports API', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    // The tests tick the scheduler by hand.
    await t.app.scheduler.stop();
    t.clock.set(monday);
  });
  after(() => t.close());

  /** A running plan over `count` devices of a new product, every device pushed. */
  async function pushedFleet(count: number) {
    const { productId } = await seedFleet(t.app.database, count);
    const firmwarePackageId = await seedPackage(t.app.database, productId, '2.0');
    const operator = await t.as('operator');
    const plan = (
      await operator.post('/api/v1/plans', {
        name: 'fleet report',
        productId,
        firmwarePackageId,
        target: { kind: 'all' },
        retry: { attempts: 0 },
      })
    ).json();
    assert.equal((await operator.post(`/api/v1/plans/${plan.id}/publish`, {})).json().status, 'running');
    await t.app.scheduler.tick();
    const pushed = (await operator.get(`/api/v1/plans/${plan.id}/upgrades?status=pushed`)).json();
    return { productId, deviceIds: (pushed.items as { deviceId: number }[]).map((u) => u.deviceId) };
  }
  const succeed = (deviceId: number) => ({
    deviceId,
    event: { type: 'version_reported' as const, version: '2.0' },
  });
  const fail = (deviceId: number) => ({
    deviceId,
    event: { type: 'failed' as const, reason: 'check_failed' as const, detail: 'md5' },
  });

  it('answers every day of the window with nothing ended while the fleet is empty', async () => {
    const viewer = await t.as('viewer');
    const empty = await viewer.get('/api/v1/reports/completions');
    assert.equal(empty.statusCode, 200, empty.body);
    const { items, total } = empty.json();
    assert.equal(items.length, 30, 'thirty days by default');
    assert.deepEqual(items.at(-1), { day: '2026-11-30', success: 0, failure: 0, successRate: null });
    assert.equal(items[0].day, '2026-11-01');
    assert.deepEqual(total, { success: 0, failure: 0, successRate: null });
  });

  it('counts successes and failures per UTC day, for the fleet or one product', async () => {
    const viewer = await t.as('viewer');
    const { upgrades } = t.app.services;
    const a = await pushedFleet(4);
    const b = await pushedFleet(2);
    t.clock.set(Date.UTC(2026, 11, 1, 23, 59));
    await upgrades.reportDeviceEvents([
      succeed(a.deviceIds[0]!),
      fail(a.deviceIds[1]!),
      fail(b.deviceIds[0]!),
    ]);
    t.clock.set(Date.UTC(2026, 11, 2, 0, 1));
    await upgrades.reportDeviceEvents([succeed(a.deviceIds[2]!), succeed(a.deviceIds[3]!)]);

    const fleet = (await viewer.get('/api/v1/reports/completions?days=3')).json();
    assert.deepEqual(fleet.items, [
      { day: '2026-11-30', success: 0, failure: 0, successRate: null },
      { day: '2026-12-01', success: 1, failure: 2, successRate: 1 / 3 },
      { day: '2026-12-02', success: 2, failure: 0, successRate: 1 },
    ]);
    assert.deepEqual(fleet.total, { success: 3, failure: 2, successRate: 0.6 });

    const one = (await viewer.get(`/api/v1/reports/completions?days=2&productId=${b.productId}`)).json();
    assert.deepEqual(one.items, [
      { day: '2026-12-01', success: 0, failure: 1, successRate: 0 },
      { day: '2026-12-02', success: 0, failure: 0, successRate: null },
    ]);
    assert.equal((await viewer.get('/api/v1/reports/completions?productId=999999')).statusCode, 404);
  });

  it('refuses a window outside 1 to 366 days and anonymous callers', async () => {
    const viewer = await t.as('viewer');
    for (const days of ['0', '367', 'week']) {
      const refused = await viewer.get(`/api/v1/reports/completions?days=${days}`);
      assert.equal(refused.statusCode, 400, days);
      assert.equal(refused.json().code, 'VALIDATION_FAILED', days);
    }
    assert.equal((await t.anonymous.get('/api/v1/reports/completions')).statusCode, 401);
  });
});
