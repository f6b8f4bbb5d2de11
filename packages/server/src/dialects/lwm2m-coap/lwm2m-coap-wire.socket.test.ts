// The LwM2M dialect's edges over real UDP: what is not CoAP or not LwM2M is answered (or dropped)
// and changes nothing; the lifetime drives the online flag; an LwM2M 1.0 client, which has no
// Cancel, is reset with an empty Package URI when its upgrade is cancelled.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { Agent, type IncomingMessage } from 'coap';
import { upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import {
  type Lwm2mDevice,
  type Lwm2mDeviceOptions,
  startLwm2mDevice,
} from '../../test-support/lwm2m-device.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

describe('LwM2M over CoAP, the edges', { skip: (await skipReason()) ?? false }, () => {
  let f: DeviceFleet;
  let port: number;
  const open: Lwm2mDevice[] = [];
  before(async () => {
    f = await createDeviceFleet({
      count: 3,
      firmwareBytes: 5_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
    });
    await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
    port = (await f.t.app.startCoap()).port;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await f?.close();
  });
  async function client(d: TestDevice, options: Partial<Lwm2mDeviceOptions> = {}) {
    const device = await startLwm2mDevice({
      server: { address: '127.0.0.1', port },
      endpoint: `${f.productKey}.${d.name}`,
      secret: d.secret,
      version: '1.0',
      now: () => f.t.clock.now(),
      ...options,
    });
    open.push(device);
    return device;
  }
  const online = async (d: TestDevice) =>
    (await f.t.admin.get(`/api/v1/devices/${d.id}`)).json().online as boolean;

  it('drops datagrams that are not CoAP and answers a Register whose payload is not link format with 4.15', async () => {
    const socket = createSocket('udp4');
    for (const garbage of [Buffer.from([0xff, 0x00]), Buffer.from('not coap at all'), Buffer.alloc(0)]) {
      await new Promise<void>((resolve) => socket.send(garbage, port, '127.0.0.1', () => resolve()));
    }
    socket.close();
    const before = f.t.app.lwm2m.registrations();
    const agent = new Agent({ type: 'udp4' });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = agent.request({
        hostname: '127.0.0.1',
        port,
        method: 'POST',
        pathname: '/rd',
        query: `ep=${f.productKey}.${f.devices[0]!.name}&lt=60`,
      });
      req.setOption('Content-Format', 'application/json');
      req.on('response', resolve);
      req.on('error', reject);
      req.end(Buffer.from('{"objects":[5]}'));
    });
    agent.close();
    assert.equal(res.code, '4.15');
    assert.equal(f.t.app.lwm2m.registrations(), before, 'nothing registered');
    // The server still answers: a real registration goes through.
    const device = await client(f.devices[0]!, { installs: null });
    await device.register();
    assert.equal(await device.deregister(), '2.02');
  });

  it('puts the device online at Register and offline when its lifetime runs out without an Update', async () => {
    const d = f.devices[1]!;
    const device = await client(d, { lifetime: 60, installs: null });
    await device.register();
    assert.equal(await online(d), true);
    f.t.clock.advance(61_000);
    await f.t.app.lwm2m.sweep();
    assert.equal(await online(d), false);
    assert.equal(await device.update(), '4.04', 'the registration is gone: the client registers again');
  });

  it('resets an LwM2M 1.0 client with an empty Package URI when its upgrade is cancelled', async () => {
    const d = f.devices[2]!;
    const device = await client(d, { lwm2mVersion: '1.0', installs: null });
    await device.register();
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    await device.setState(1);
    await eventually(async () => ((await upgradeOf(f, d)).state.status === 'upgrading' ? true : undefined));
    await f.t.app.services.plans.actOnUpgrade((await upgradeOf(f, d)).id, 'operator_cancel', 'test');
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length === 0);
    assert.equal(device.writes.filter((w) => w.path === '/5/0/10').length, 0, 'no Cancel on 1.0');
    assert.equal((await upgradeOf(f, d)).state.status, 'cancelled');
  });
});

describe('LwM2M queue mode', { skip: (await skipReason()) ?? false }, () => {
  let f: DeviceFleet;
  let device: Lwm2mDevice | undefined;
  before(async () => {
    f = await createDeviceFleet({
      count: 1,
      firmwareBytes: 5_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
    });
    await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
  });
  after(async () => {
    await device?.close();
    await f?.close();
  });

  it('holds a push for a UQ client until its next Update', async () => {
    const { port } = await f.t.app.startCoap();
    const d = f.devices[0]!;
    device = await startLwm2mDevice({
      server: { address: '127.0.0.1', port },
      endpoint: `${f.productKey}.${d.name}`,
      secret: d.secret,
      version: '1.0',
      binding: 'UQ',
      lwm2mVersion: '1.0',
      installs: null,
      now: () => f.t.clock.now(),
    });
    await device.register();
    // Right after its Register the client is awake: what waits for it is written at once.
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    const writes = device.writes.length;
    // The engine pushes again (a push period): the client sleeps, so the write waits.
    const upgrade = await upgradeOf(f, d);
    await f.t.app.pushes.notifier.notify([{ deviceId: d.id, upgradeId: upgrade.id, planId: f.planId }]);
    await eventually(async () => (f.t.app.lwm2m.held(d.id) === 1 ? true : undefined));
    assert.equal(device.writes.length, writes, 'nothing written while the client sleeps');
    assert.equal(await device.update(), '2.04');
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0, writes);
    assert.equal(f.t.app.lwm2m.held(d.id), 0);
  });
});

describe('LwM2M Update Results 2 to 9 over the wire', { skip: (await skipReason()) ?? false }, () => {
  let f: DeviceFleet;
  const open: Lwm2mDevice[] = [];
  let port: number;
  before(async () => {
    f = await createDeviceFleet({
      count: 8,
      firmwareBytes: 2_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
    });
    await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
    port = (await f.t.app.startCoap()).port;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await f?.close();
  });

  const reasons: Record<number, string> = {
    2: 'download_failed',
    3: 'download_failed',
    4: 'download_failed',
    5: 'check_failed',
    6: 'version_mismatch',
    7: 'download_failed',
    8: 'write_failed',
    9: 'download_failed',
  };
  for (const [i, result] of [2, 3, 4, 5, 6, 7, 8, 9].entries()) {
    it(`Update Result ${result} fails the upgrade as ${reasons[result]} and resets Object 5`, async () => {
      const d = f.devices[i]!;
      const device = await startLwm2mDevice({
        server: { address: '127.0.0.1', port },
        endpoint: `${f.productKey}.${d.name}`,
        secret: d.secret,
        version: '1.0',
        installs: null,
        now: () => f.t.clock.now(),
      });
      open.push(device);
      await device.register();
      await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
      await device.setState(1);
      await eventually(async () => ((await upgradeOf(f, d)).state.status === 'upgrading' ? true : undefined));
      await device.setState(0);
      await device.setResult(result);
      const failed = await eventually(async () => {
        const { state } = await upgradeOf(f, d);
        return state.status === 'failure' ? state : undefined;
      });
      assert.equal(failed.failureReason, reasons[result]);
      await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length === 0);
    });
  }
});
