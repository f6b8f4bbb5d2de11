// Deferral over real UDP (Object 5 v1.1, protocols.md §4): Severity (/5/0/11) and Maximum Defer
// Period (/5/0/13) are written with the offer to a 1.1 client, not to a 1.0 one; a client that
// defers (Update Result 11, before the download or at Update with the image downloaded) has
// refused the upgrade, which the silent plan offers again after its rejection period.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import type { TestDevice } from '../../test-support/device-fleet.ts';
import type { Lwm2mDevice } from '../../test-support/lwm2m-device.ts';
import { lwm2mFleet } from '../../test-support/lwm2m-fleet.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

const rejectionPeriodSeconds = 900;

describe('LwM2M deferral (Object 5 v1.1)', { skip: (await skipReason()) ?? false }, () => {
  const fleet = lwm2mFleet({ count: 4, firmwareBytes: 20_000, plan: { rejectionPeriodSeconds } });
  const { client } = fleet;
  const offered = (device: Lwm2mDevice, after = 0) =>
    device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0, after);
  const refusedOnce = (d: TestDevice) =>
    eventually(async () => {
      const { state } = await upgradeOf(fleet.f, d);
      return state.refusals === 1 ? state : undefined;
    });

  it("writes Severity 1 and the plan's rejection period as Maximum Defer Period before the Package URI", async () => {
    const device = await client(fleet.f.devices[0]!, { object5Version: '1.1' });
    await device.register();
    await offered(device);
    const paths = device.writes.map((w) => w.path);
    assert.deepEqual(paths.slice(0, 3), ['/5/0/11', '/5/0/13', '/5/0/1']);
    assert.equal(device.values.severity, 1);
    assert.equal(device.values.maxDeferPeriod, rejectionPeriodSeconds);
  });

  it('writes neither to an Object 5 v1.0 client', async () => {
    const device = await client(fleet.f.devices[1]!);
    await device.register();
    await offered(device);
    assert.deepEqual(
      device.writes.map((w) => w.path),
      ['/5/0/1'],
    );
  });

  it('counts a deferral at Update (State 2, Update Result 11) as a refusal, offered again after the rejection period', async () => {
    const d = fleet.f.devices[2]!;
    const device = await client(d, { object5Version: '1.1', autoDownload: true, defers: true });
    await device.register();
    await device.nextWrite((w) => w.path === '/5/0/2');
    const state = await refusedOnce(d);
    assert.equal(state.status, 'pending');
    assert.equal(state.nextAction, 'reoffer');
    assert.equal(state.nextActionAt, fleet.f.t.clock.now() + rejectionPeriodSeconds * 1000);
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
    fleet.f.t.clock.advance(rejectionPeriodSeconds * 1000);
    await device.register();
    await offered(device, before);
  });

  it('counts a deferral before the download (Update Result 11 in Idle) as a refusal', async () => {
    const d = fleet.f.devices[3]!;
    const device = await client(d, { object5Version: '1.1' });
    await device.register();
    await offered(device);
    await device.setResult(11);
    const state = await refusedOnce(d);
    assert.equal(state.status, 'pending');
    assert.equal(state.nextAction, 'reoffer');
  });
});
