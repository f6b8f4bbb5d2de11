// Push windows and rejection periods end to end, on the test's clock: a real server (SQLite, or
// PostgreSQL with UPDRAFT_TEST_DB=postgres) on a loopback port and SDK devices over HTTP. The
// server reads time only through its clock, which the test moves; the devices check when told.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hourIn, nextWindowOpening } from '@updraft/core';
import { createDevice, type Device } from '@updraft/sdk';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../packages/server/src/test-support/device-fleet.ts';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('push windows and rejection periods end to end (SDK devices over HTTP)', { skip }, () => {
  let dir: string;
  const fleets: DeviceFleet[] = [];
  const devices: Device[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'updraft-windows-'));
  });
  after(async () => {
    for (const d of devices) await d.stop();
    for (const f of fleets) await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  function sdkDevice(f: DeviceFleet, d: TestDevice) {
    const installed: Buffer[] = [];
    const device = createDevice({
      server: f.base,
      transport: 'http',
      credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
      stateDir: join(dir, `${f.productKey}-${d.name}`),
      modules: {
        default: {
          version: '1.0',
          async install({ path }) {
            installed.push(await readFile(path));
          },
        },
      },
    });
    devices.push(device);
    return { device, installed };
  }
  const upgradeOf = async (f: DeviceFleet, deviceId: number) =>
    (await f.t.admin.get(`/api/v1/plans/${f.planId}/upgrades?deviceId=${deviceId}`)).json().items[0];
  const tick = (f: DeviceFleet) => f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);

  it('a window that opens while devices wait: nothing before it, the upgrade once it is open', async () => {
    // The window opens at the next hour of the zone (at most an hour ahead of the test clock,
    // within the SDK's one-hour request signatures) and lasts an hour.
    const zone = 'Asia/Kolkata';
    const hour = hourIn(zone, Date.now());
    const pushWindow = { fromHour: (hour + 1) % 24, toHour: (hour + 2) % 24 };
    const f = await createDeviceFleet({ count: 2, plan: { timeZone: zone, pushWindow } });
    fleets.push(f);
    const sessions = f.devices.map((d) => sdkDevice(f, d));
    for (const { device } of sessions) assert.deepEqual(await device.start(), [], 'no task yet');
    for (const d of f.devices) assert.equal((await upgradeOf(f, d.id)).status, 'pending');

    f.t.clock.set(nextWindowOpening({ timeZone: zone, pushWindow }, f.t.clock.now())!);
    await tick(f);
    for (const { device, installed } of sessions) {
      const results = await device.checkNow();
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['success'],
      );
      assert.deepEqual(installed[0], f.firmware);
    }
    for (const d of f.devices) {
      const upgrade = await upgradeOf(f, d.id);
      assert.equal(upgrade.status, 'success');
      assert.equal(upgrade.pushCount, 1, 'pushed when the window opened');
    }
  });

  it('a refusal re-offered after its period: no task meanwhile, then the upgrade', async () => {
    const f = await createDeviceFleet({ count: 1, plan: { rejectionPeriodSeconds: 600 } });
    fleets.push(f);
    const d = f.devices[0]!;
    const access = f.t.app.services.deviceAccess;
    // The device refuses the pushed offer (the canonical event every dialect maps its refusal to).
    const refused = await access.report((await access.deviceById(d.id))!, 'default', {
      type: 'refused',
      reason: 'user busy',
    });
    assert.equal(refused.problem, null);
    const { device, installed } = sdkDevice(f, d);
    assert.deepEqual(await device.start(), [], 'not offered during the rejection period');
    const waiting = await upgradeOf(f, d.id);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.refusals, 1);

    f.t.clock.advance(600_000);
    await tick(f);
    assert.equal((await upgradeOf(f, d.id)).status, 'pushed', 'pushed again after the period');
    const results = await device.checkNow();
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['success'],
    );
    assert.deepEqual(installed[0], f.firmware);
    const done = await upgradeOf(f, d.id);
    assert.equal(done.status, 'success');
    assert.equal(done.refusals, 1);
    const report = (await f.t.admin.get(`/api/v1/plans/${f.planId}/report`)).json();
    assert.deepEqual(report.refusals, { devices: 1, total: 1, waiting: 0 });
  });
});
