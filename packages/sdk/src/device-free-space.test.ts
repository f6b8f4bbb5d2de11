// A plan's free-space minimum (issue 15, Quectel's USE_SPACE) end to end: the server hands it to
// the device (OneNET check `space`, ThingsPanel push `minFreeSpace`), a device that reports less
// free space (OneNET check `space=`) is not offered and waits with the reason `space_low`, and the
// SDK defers an offer while its own telemetry says there is not enough room.
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
import { createDevice, type Device, type DeviceEvent, type Offer } from './index.ts';

const skip = (await skipReason()) ?? false;
const minFreeSpace = 1_000_000;

describe('device SDK: the free-space minimum', { skip }, () => {
  let f: DeviceFleet;
  let dir: string;
  let mqttUrl: string;
  const open: Device[] = [];
  before(async () => {
    f = await createDeviceFleet({
      count: 2,
      settings: { mqttPort: 0, mqttHost: '127.0.0.1' },
      plan: { minFreeSpace },
    });
    mqttUrl = (await f.t.app.startMqtt()).url;
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-space-'));
  });
  after(async () => {
    for (const device of open) await device.stop().catch(() => {});
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function start(d: TestDevice, transport: 'http' | 'mqtt', free: { bytes: number }, events: DeviceEvent[]) {
    const device = createDevice({
      server: f.base,
      transport,
      ...(transport === 'mqtt' && { mqttUrl }),
      credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
      stateDir: join(dir, d.name),
      modules: { default: { version: '1.0', async install() {} } },
      telemetry: () => ({ freeSpace: free.bytes }),
      onEvent: (event) => events.push(event),
    });
    open.push(device);
    return device;
  }
  const upgradeOf = async (d: TestDevice) => {
    const res = await f.t.admin.get(`/api/v1/plans/${f.planId}/upgrades?deviceId=${d.id}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().items[0] as { status: string; waitingReason: string | null; refusals: number };
  };

  it('over HTTP: a device with too little room is not offered and waits (space_low), then upgrades', async () => {
    const d = f.devices[0]!;
    const free = { bytes: minFreeSpace - 1 };
    const events: DeviceEvent[] = [];
    const device = start(d, 'http', free, events);
    assert.deepEqual(await device.start(), []);
    const noOffer = events.find((e) => e.type === 'no-offer');
    assert.match(String(noOffer && 'reason' in noOffer && noOffer.reason), /free space/);
    const detail = (await f.t.admin.get(`/api/v1/devices/${d.id}`)).json();
    assert.equal(detail.freeSpace, minFreeSpace - 1);
    const waiting = await upgradeOf(d);
    assert.equal(waiting.waitingReason, 'space_low');

    free.bytes = minFreeSpace;
    const [done] = await device.checkNow();
    assert.equal(done?.outcome, 'success');
    const offer = events.find((e): e is Extract<DeviceEvent, { offer: Offer }> => e.type === 'offer');
    assert.equal(offer?.offer.minFreeSpace, minFreeSpace, 'the check answer carries the minimum');
  });

  it('over MQTT: the push carries the minimum and the SDK defers while there is too little room', async () => {
    const d = f.devices[1]!;
    const free = { bytes: 4096 };
    const events: DeviceEvent[] = [];
    const device = start(d, 'mqtt', free, events);
    await device.start();
    const deferred = await eventually(async () =>
      events.find((e): e is Extract<DeviceEvent, { type: 'deferred' }> => e.type === 'deferred'),
    );
    assert.equal(deferred.offer.minFreeSpace, minFreeSpace);
    assert.match(deferred.reason, /free space 4096 bytes is below 1000000 bytes/);
    await device.idle();
    const record = await upgradeOf(d);
    assert.equal(record.refusals, 0, 'a threshold defers quietly');
    assert.equal(record.status, 'pushed');
  });
});
