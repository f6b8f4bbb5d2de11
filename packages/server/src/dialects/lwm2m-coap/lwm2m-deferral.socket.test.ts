// Deferral over real UDP (Object 5 v1.1, protocols.md §4): Severity (/5/0/11) and Maximum Defer
// Period (/5/0/13) are written with the offer to a 1.1 client, not to a 1.0 one; a client that
// defers (Update Result 11, before the download or at Update with the image downloaded) has
// refused the upgrade, which the silent plan offers again after its rejection period.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import {
  type Lwm2mDevice,
  type Lwm2mDeviceOptions,
  startLwm2mDevice,
} from '../../test-support/lwm2m-device.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

const rejectionPeriodSeconds = 900;

describe('LwM2M deferral (Object 5 v1.1)', { skip: (await skipReason()) ?? false }, () => {
  let f: DeviceFleet;
  let port: number;
  const open: Lwm2mDevice[] = [];
  before(async () => {
    f = await createDeviceFleet({
      count: 4,
      firmwareBytes: 20_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
      plan: { rejectionPeriodSeconds },
    });
    const patched = await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
    assert.equal(patched.statusCode, 200, patched.body);
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
  const offered = (device: Lwm2mDevice, after = 0) =>
    device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0, after);
  const refusedOnce = (d: TestDevice) =>
    eventually(async () => {
      const { state } = await upgradeOf(f, d);
      return state.refusals === 1 ? state : undefined;
    });

  it("writes Severity 1 and the plan's rejection period as Maximum Defer Period before the Package URI", async () => {
    const device = await client(f.devices[0]!, { object5Version: '1.1' });
    await device.register();
    await offered(device);
    const paths = device.writes.map((w) => w.path);
    assert.deepEqual(paths.slice(0, 3), ['/5/0/11', '/5/0/13', '/5/0/1']);
    assert.equal(device.values.severity, 1);
    assert.equal(device.values.maxDeferPeriod, rejectionPeriodSeconds);
  });

  it('writes neither to an Object 5 v1.0 client', async () => {
    const device = await client(f.devices[1]!);
    await device.register();
    await offered(device);
    assert.deepEqual(
      device.writes.map((w) => w.path),
      ['/5/0/1'],
    );
  });

  it('counts a deferral at Update (State 2, Update Result 11) as a refusal, offered again after the rejection period', async () => {
    const d = f.devices[2]!;
    const device = await client(d, { object5Version: '1.1', autoDownload: true, defers: true });
    await device.register();
    await device.nextWrite((w) => w.path === '/5/0/2');
    const state = await refusedOnce(d);
    assert.equal(state.status, 'pending');
    assert.equal(state.nextAction, 'reoffer');
    assert.equal(state.nextActionAt, f.t.clock.now() + rejectionPeriodSeconds * 1000);
    // Object 5 goes back to Idle and the image is dropped.
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length === 0);
    // Registering again within the period brings no offer; after it, the offer comes again.
    const before = device.writes.length;
    await device.register();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      device.writes.slice(before).filter((w) => w.path === '/5/0/1' && w.payload.length > 0).length,
      0,
    );
    f.t.clock.advance(rejectionPeriodSeconds * 1000);
    await device.register();
    await offered(device, before);
  });

  it('counts a deferral before the download (Update Result 11 in Idle) as a refusal', async () => {
    const d = f.devices[3]!;
    const device = await client(d, { object5Version: '1.1' });
    await device.register();
    await offered(device);
    await device.setResult(11);
    const state = await refusedOnce(d);
    assert.equal(state.status, 'pending');
    assert.equal(state.nextAction, 'reoffer');
  });
});
