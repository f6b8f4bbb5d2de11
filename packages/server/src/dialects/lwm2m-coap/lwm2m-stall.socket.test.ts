// Lost news of an upgrade (stall-check.ts) over real UDP: a client whose notification never
// arrives, or that took a Package URI and did nothing, or that installed without registering
// again. Once the upgrade has been quiet for the stall time (the test clock moves past it), the
// dialect's sweep reads the client's Object 5 and takes the lost step, and the upgrade ends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import type { TestDevice } from '../../test-support/device-fleet.ts';
import { lwm2mFleet } from '../../test-support/lwm2m-fleet.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { defaultStallMs } from './stall-check.ts';

describe('LwM2M upgrades whose news was lost', { skip: (await skipReason()) ?? false }, () => {
  const fleet = lwm2mFleet({ count: 3, firmwareBytes: 5_000 });

  const { client } = fleet;
  const status = async (d: TestDevice) => (await upgradeOf(fleet.f, d)).state.status;
  /** The stall time passes and the dialect sweeps (as its timer does every few seconds). */
  async function quietFor(ms: number) {
    fleet.f.t.clock.advance(ms);
    await fleet.f.t.app.lwm2m.sweep();
  }

  it('executes Update for a client whose Downloaded notification was lost', async () => {
    const d = fleet.f.devices[0]!;
    const device = await client(d, {
      autoDownload: true,
      installs: '2.0',
      loses: (path, value) => path === '/5/0/3' && value === 2,
    });
    await device.register();
    await eventually(async () => (device.values.state === 2 ? true : undefined));
    // Without the notification the server waits: no Update yet, however often it sweeps.
    await quietFor(defaultStallMs - 1000);
    assert.equal(
      device.writes.some((w) => w.path === '/5/0/2'),
      false,
      'no Update before the stall time',
    );
    await quietFor(2000);
    await device.nextWrite((w) => w.path === '/5/0/2');
    await eventually(async () => ((await status(d)) === 'success' ? true : undefined));
  });

  it('writes the Package URI again to a client that took it and stayed Idle', async () => {
    const d = fleet.f.devices[1]!;
    const device = await client(d, { autoDownload: false, installs: '2.0' });
    await device.register();
    const first = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    const seen = device.writes.length;
    await quietFor(defaultStallMs + 1000);
    const again = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0, seen);
    assert.equal(again.payload.toString(), first.payload.toString(), 'the same offer');
    assert.equal(await status(d), 'pushed', 'offered, not taken up');
  });

  it('judges the version of a client that installed and did not register again', async () => {
    const d = fleet.f.devices[2]!;
    const device = await client(d, { autoDownload: true, installs: '2.0', registersAfterInstall: false });
    await device.register();
    await device.nextWrite((w) => w.path === '/5/0/2');
    await eventually(async () =>
      device.values.version === '2.0' && device.values.state === 0 ? true : undefined,
    );
    assert.equal(await status(d), 'upgrading', 'nothing told the server yet');
    await quietFor(defaultStallMs + 1000);
    await eventually(async () => ((await status(d)) === 'success' ? true : undefined));
  });
});
