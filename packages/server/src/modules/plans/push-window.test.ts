// A plan's daily push window and its "push actively" switch, on the test's clock: outside the
// window nothing is pushed and a device that asks is told there is no task yet (outside_window);
// when the window opens the waiting devices are pushed; a plan that does not push actively
// offers its upgrade only to devices that ask.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hourIn, nextWindowOpening } from '@updraft/core';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('push window and push actively', { skip }, () => {
  const fleets: DeviceFleet[] = [];
  after(async () => {
    for (const f of fleets) await f.close();
  });
  const upgradeOf = async (f: DeviceFleet, deviceId: number) =>
    (await f.t.admin.get(`/api/v1/plans/${f.planId}/upgrades?deviceId=${deviceId}`)).json().items[0];

  it('pushes nothing outside the window, answers a check "no task yet", and pushes when it opens', async () => {
    // The window opens two hours after the test clock's hour (the fleet's clock starts at the
    // wall clock; everything after reads only the manual clock).
    const hour = hourIn('Asia/Shanghai', Date.now());
    const pushWindow = { fromHour: (hour + 2) % 24, toHour: (hour + 4) % 24 };
    const f = await createDeviceFleet({ count: 2, plan: { timeZone: 'Asia/Shanghai', pushWindow } });
    fleets.push(f);
    const plan = (await f.t.admin.get(`/api/v1/plans/${f.planId}`)).json();
    assert.equal(plan.timeZone, 'Asia/Shanghai');
    assert.deepEqual(plan.pushWindow, pushWindow);
    const access = f.t.app.services.deviceAccess;
    const [a, b] = await Promise.all(f.devices.map((d) => access.deviceById(d.id)));
    assert.equal((await upgradeOf(f, a!.id)).status, 'pending', 'nothing pushed outside the window');
    assert.deepEqual(await access.check(a!, { module: 'default', version: '1.0' }), {
      kind: 'none',
      reason: 'outside_window',
    });

    const opens = nextWindowOpening({ timeZone: 'Asia/Shanghai', pushWindow }, f.t.clock.now())!;
    f.t.clock.set(opens - 1);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    assert.equal((await upgradeOf(f, b!.id)).status, 'pending');
    f.t.clock.set(opens);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    const pushed = await upgradeOf(f, b!.id);
    assert.equal(pushed.status, 'pushed');
    assert.equal(pushed.pushCount, 1);
    // Inside the window a device that did not react is pushed again every push period.
    f.t.clock.advance(600_000);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    assert.equal((await upgradeOf(f, b!.id)).pushCount, 2);
    const offered = await access.check(a!, { module: 'default', version: '1.0' });
    assert.equal(offered.kind, 'offer');
  });

  it('refuses a window without a time zone, a zone Intl does not know and a window of no hours', async () => {
    const f = fleets[0]!;
    const body = {
      name: 'w',
      productId: f.productId,
      firmwarePackageId: f.packageId,
      target: { kind: 'all' },
    };
    const issues = async (extra: Record<string, unknown>) => {
      const res = await f.t.admin.post('/api/v1/plans', { ...body, ...extra });
      assert.equal(res.statusCode, 400);
      return res.json().details.issues.map((i: { path: string; code: string }) => `${i.path}:${i.code}`);
    };
    assert.deepEqual(await issues({ pushWindow: { fromHour: 9, toHour: 17 } }), ['timeZone:required']);
    assert.deepEqual(await issues({ timeZone: 'Mars/Olympus' }), ['timeZone:invalid_value']);
    assert.deepEqual(await issues({ timeZone: 'UTC', pushWindow: { fromHour: 9, toHour: 9 } }), [
      'pushWindow.toHour:invalid_value',
    ]);
  });

  it('with push actively off, pushes nothing and offers the upgrade to a device that asks', async () => {
    const f = await createDeviceFleet({ count: 1, plan: { pushActively: false } });
    fleets.push(f);
    const access = f.t.app.services.deviceAccess;
    const device = (await access.deviceById(f.devices[0]!.id))!;
    f.t.clock.advance(3_600_000);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    const waiting = await upgradeOf(f, device.id);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.pushCount, 0);
    const offered = await access.check(device, { module: 'default', version: '1.0' });
    assert.equal(offered.kind, 'offer');
    const after = await upgradeOf(f, device.id);
    assert.equal(after.status, 'pushed');
    assert.equal(after.nextAction, null, 'no re-push timer');
  });
});
