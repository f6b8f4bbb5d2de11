// What the device decides, over MQTT on the embedded broker: the upgrades of a manual plan that
// its app confirms or rejects through the SDK, and an offer below the plan's battery minimum
// that the SDK defers until the battery is charged.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
  testTexts,
} from '../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device, type DeviceOptions, type Offer } from './index.ts';

const skip = (await skipReason()) ?? false;

async function stateOf(f: DeviceFleet, d: TestDevice) {
  return (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!
    .state;
}

function fleetSuite(name: string, plan: Record<string, unknown>, body: (ctx: Context) => void) {
  describe(name, { skip }, () => {
    const ctx = {} as Context;
    const open: Device[] = [];
    before(async () => {
      ctx.f = await createDeviceFleet({ count: 3, plan, settings: { mqttPort: 0, mqttHost: '127.0.0.1' } });
      const mqttUrl = (await ctx.f.t.app.startMqtt()).url;
      const dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-decisions-'));
      ctx.dir = dir;
      ctx.start = async (d, extra = {}) => {
        const device = createDevice({
          server: ctx.f.base,
          transport: 'mqtt',
          mqttUrl,
          credentials: { productKey: ctx.f.productKey, name: d.name, secret: d.secret },
          stateDir: join(dir, d.name),
          modules: { default: { version: '1.0', async install() {} } },
          ...extra,
        });
        open.push(device);
        await device.start();
        return device;
      };
    });
    after(async () => {
      for (const device of open) await device.stop().catch(() => {});
      await ctx.f?.close();
      if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
    });
    body(ctx);
  });
}

interface Context {
  f: DeviceFleet;
  dir: string;
  start(d: TestDevice, extra?: Partial<DeviceOptions>): Promise<Device>;
}

fleetSuite('device SDK: a manual plan', { mode: 'manual' }, (ctx) => {
  it('lists the waiting upgrade with its texts; once confirmed it is pushed and installed', async () => {
    const d = ctx.f.devices[0]!;
    const offers: Offer[] = [];
    const device = await ctx.start(d, {
      modules: {
        default: {
          version: '1.0',
          async install(update) {
            offers.push(update.offer);
          },
        },
      },
    });
    const [waiting, ...more] = await device.confirmations();
    assert.equal(more.length, 0);
    assert.equal(waiting?.targetVersion, '2.0');
    assert.equal(waiting?.module, 'default');
    assert.deepEqual(waiting?.texts, testTexts);
    assert.equal(waiting?.releaseNotes, '');
    assert.equal(device.results().length, 0, 'nothing is offered before the decision');
    await device.confirm(waiting!.upgradeId);
    await eventually(async () => ((await stateOf(ctx.f, d)).status === 'success' ? true : undefined));
    assert.deepEqual(device.versions(), { default: '2.0' });
    assert.deepEqual(offers[0]?.texts, testTexts, 'the push carries the texts');
    assert.deepEqual(await device.confirmations(), []);
  });

  it('rejects: the upgrade fails with reason rejected, and a second decision is refused', async () => {
    const d = ctx.f.devices[1]!;
    const device = await ctx.start(d);
    const [waiting] = await device.confirmations();
    await device.reject(waiting!.upgradeId);
    const state = await stateOf(ctx.f, d);
    assert.equal(state.status, 'failure');
    assert.equal(state.status === 'failure' && state.failureReason, 'rejected');
    await assert.rejects(device.confirm(waiting!.upgradeId), { code: 'REFUSED', retryable: false });
    assert.deepEqual(device.versions(), { default: '1.0' });
  });
});

fleetSuite('device SDK: a plan with a battery minimum', { minBattery: 30 }, (ctx) => {
  it('defers the pushed offer while the battery is low and takes it once charged', async () => {
    const d = ctx.f.devices[0]!;
    let battery = 12;
    const deferred: string[] = [];
    const device = await ctx.start(d, {
      telemetry: () => ({ battery }),
      onEvent(event) {
        if (event.type === 'deferred') deferred.push(event.reason);
      },
    });
    await eventually(async () => (deferred.length > 0 ? true : undefined));
    assert.match(deferred[0]!, /battery 12% is below 30%/);
    assert.notEqual((await stateOf(ctx.f, d)).status, 'success');
    battery = 80;
    // Reporting the version again has the server push the waiting upgrade once more.
    await device.checkNow();
    await eventually(async () => ((await stateOf(ctx.f, d)).status === 'success' ? true : undefined));
  });
});
