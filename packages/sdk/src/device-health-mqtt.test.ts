// Installs confirmed by health over ThingsPanel MQTT (docs/mqtt.md, "Health after the install"):
// the SDK against a real Updraft server and its embedded broker, with a plan's health window. A
// device that confirms succeeds; one that reports itself unhealthy rolls back and the server
// records rolled_back with the version it is back on.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { createDevice, type Device } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('device SDK over MQTT: installs confirmed by health', { skip }, () => {
  let f: DeviceFleet;
  let mqttUrl: string;
  let dir: string;
  const open: Device[] = [];
  before(async () => {
    f = await createDeviceFleet({
      count: 2,
      settings: { mqttPort: 0, mqttHost: '127.0.0.1' },
      plan: { healthWindowSeconds: 600 },
    });
    mqttUrl = (await f.t.app.startMqtt()).url;
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-health-mqtt-'));
  });
  after(async () => {
    for (const device of open) await device.stop().catch(() => {});
    await f?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function stateOf(d: TestDevice) {
    return (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!
      .state;
  }
  const ended = (d: TestDevice) =>
    eventually(async () => {
      const state = await stateOf(d);
      return state.status === 'success' || state.status === 'failure' ? state : undefined;
    });

  /** Device `d` whose image is a file; the install keeps the previous one for the rollback. */
  async function start(d: TestDevice, healthy: boolean) {
    const image = join(dir, `${d.name}.img`);
    await writeFile(image, '1.0');
    const device = createDevice({
      server: f.base,
      transport: 'mqtt',
      mqttUrl,
      credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
      stateDir: join(dir, d.name),
      modules: {
        default: {
          version: '1.0',
          async install({ path }) {
            await writeFile(`${image}.previous`, await readFile(image));
            await writeFile(image, await readFile(path));
          },
          async rollback() {
            await writeFile(image, await readFile(`${image}.previous`));
          },
          currentVersion: async () => ((await readFile(image)).equals(f.firmware) ? '2.0' : '1.0'),
        },
      },
      confirmHealth: async () => healthy,
    });
    open.push(device);
    await device.start();
    return { device, image: () => readFile(image, 'utf8') };
  }

  it('offers the window in the push and succeeds once the device reports healthy', async () => {
    const d = f.devices[0]!;
    const { device } = await start(d, true);
    const state = await ended(d);
    await device.idle();
    assert.equal(state.status, 'success');
    assert.deepEqual(device.versions(), { default: '2.0' });
    assert.deepEqual(
      device.results().map((r) => r.outcome),
      ['success'],
    );
  });

  it('fails a device that reports itself unhealthy with rolled_back, back on the old image', async () => {
    const d = f.devices[1]!;
    const { device, image } = await start(d, false);
    const state = await ended(d);
    await device.idle();
    assert.equal(state.status, 'failure');
    assert.equal(state.failureReason, 'rolled_back');
    assert.match(state.failureDetail ?? '', /back on 1\.0/);
    assert.deepEqual(device.versions(), { default: '1.0' });
    assert.equal(await image(), '1.0');
  });
});
