// A device refuses a silent plan's offer (canonical `refused`): it is not failed but offered
// again once the plan's rejection period is over (core rejection-period.ts), by push and in
// answer to its check; its check meanwhile is answered "no task" with the reason, and the
// plan's report counts the refusal. The clock is the test's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const period = 600;

describe('refusals under the rejection period', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 2, plan: { rejectionPeriodSeconds: period } });
  });
  after(() => f?.close());

  const upgradeOf = async (deviceId: number) =>
    (await f.t.admin.get(`/api/v1/plans/${f.planId}/upgrades?deviceId=${deviceId}`)).json().items[0];

  it('waits out the period, then pushes again and answers the check with the upgrade', async () => {
    const access = f.t.app.services.deviceAccess;
    const device = (await access.deviceById(f.devices[0]!.id))!;
    assert.equal((await upgradeOf(device.id)).status, 'pushed');

    const reported = await access.report(device, 'default', { type: 'refused', reason: 'user busy' });
    assert.equal(reported.problem, null);
    const refused = await upgradeOf(device.id);
    assert.equal(refused.status, 'pending');
    assert.equal(refused.refusals, 1);
    assert.equal(refused.nextAction, 'reoffer');
    assert.equal(Date.parse(refused.nextActionAt), f.t.clock.now() + period * 1000);

    const early = await access.check(device, { module: 'default', version: '1.0' });
    assert.deepEqual(early, { kind: 'none', reason: 'refusal_wait' });
    // A scheduler pass inside the period changes nothing.
    f.t.clock.advance(period * 1000 - 1);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    assert.equal((await upgradeOf(device.id)).status, 'pending');

    const report = (await f.t.admin.get(`/api/v1/plans/${f.planId}/report`)).json();
    assert.deepEqual(report.refusals, { devices: 1, total: 1, waiting: 1 });

    f.t.clock.advance(1);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    const again = await upgradeOf(device.id);
    assert.equal(again.status, 'pushed');
    assert.equal(again.pushCount, 2);
    const offered = await access.check(device, { module: 'default', version: '1.0' });
    assert.equal(offered.kind, 'offer');
    const after = (await f.t.admin.get(`/api/v1/plans/${f.planId}/report`)).json();
    assert.deepEqual(after.refusals, { devices: 1, total: 1, waiting: 0 });
  });

  it('shows the refusals in the CSV export', async () => {
    const csv = (await f.t.admin.get(`/api/v1/plans/${f.planId}/export?format=csv`)).body;
    const [header, ...rows] = csv.trim().split('\r\n');
    const column = header!.split(',').indexOf('refusals');
    assert.ok(column > 0);
    const counts = rows.map((r) => r.split(',')[column]).sort();
    assert.deepEqual(counts, ['0', '1']);
  });
});
