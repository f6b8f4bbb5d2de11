// A device refuses a silent plan's offer through the device APIs (docs/device-http.md "Refusing
// an offer", docs/mqtt.md): the SDK's accept returns false (or 'refuse'), the server counts the
// refusal and offers the upgrade again only after the plan's rejection period; 'later' defers
// quietly.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device, type DeviceOptions } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('device SDK: refusing a silent offer', { skip }, () => {
  let f: DeviceFleet;
  let dir: string;
  let mqttUrl: string;
  const open: Device[] = [];
  before(async () => {
    f = await createDeviceFleet({ count: 3, settings: { mqttPort: 0, mqttHost: '127.0.0.1' } });
    mqttUrl = (await f.t.app.startMqtt()).url;
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-refusals-'));
  });
  after(async () => {
    for (const device of open) await device.stop().catch(() => {});
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function start(d: TestDevice, transport: 'http' | 'mqtt', accept: DeviceOptions['accept']) {
    const device = createDevice({
      server: f.base,
      transport,
      ...(transport === 'mqtt' && { mqttUrl }),
      credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
      stateDir: join(dir, d.name),
      modules: { default: { version: '1.0', async install() {} } },
      ...(accept && { accept }),
    });
    open.push(device);
    return device;
  }
  const stateOf = async (d: TestDevice) =>
    (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!;

  it('over HTTP: the refusal reaches the server, which waits out the rejection period', async () => {
    const d = f.devices[0]!;
    const device = start(d, 'http', () => 'refuse');
    const [result] = await device.start();
    assert.equal(result?.outcome, 'deferred');
    const record = await stateOf(d);
    assert.equal(record.state.status, 'pending');
    assert.equal(record.state.refusals, 1);
    assert.equal(record.state.nextAction, 'reoffer');
    assert.deepEqual(await device.checkNow(), [], 'not offered again during the period');
    const log = await f.t.app.services.plans.upgradeLog(record.id);
    assert.ok(log.some((e) => e.event === 'refused' && /the device refused it/.test(e.message)));
  });

  it('over MQTT: a push that accept answers false is refused and counted the same way', async () => {
    const d = f.devices[1]!;
    const device = start(d, 'mqtt', () => false);
    await device.start();
    const record = await eventually(async () => {
      const r = await stateOf(d);
      return r.state.refusals === 1 ? r : undefined;
    });
    assert.equal(record.state.status, 'pending');
    assert.equal(record.state.nextAction, 'reoffer');
  });

  it("'later' defers without telling the server", async () => {
    const d = f.devices[2]!;
    const device = start(d, 'http', () => 'later');
    const [result] = await device.start();
    assert.equal(result?.outcome, 'deferred');
    const record = await stateOf(d);
    assert.equal(record.state.refusals, 0);
    assert.equal(record.state.status, 'pushed');
  });
});
