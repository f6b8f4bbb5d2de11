// LwM2M over real UDP: a test client registers with Updraft's CoAP server, is offered the plan's
// upgrade on Object 5 (pull through the Package URI and a block-wise download, or push through a
// block-wise Package write), and the upgrade ends as the client's State, Update Result and
// version say.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import type { TestDevice } from '../../test-support/device-fleet.ts';
import { lwm2mFleet } from '../../test-support/lwm2m-fleet.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('LwM2M over CoAP', { skip: (await skipReason()) ?? false }, () => {
  const fleet = lwm2mFleet({ count: 6, firmwareBytes: 70_000, protocols: ['mqtt', 'http', 'lwm2m'] });
  const { client } = fleet;
  const until = (d: TestDevice, status: string) =>
    eventually(async () => {
      const { state } = await upgradeOf(fleet.f, d);
      return state.status === status ? state : undefined;
    });

  it('pulls: the Package URI downloads block-wise, Update runs at Downloaded, the new version is success', async () => {
    const d = fleet.f.devices[0]!;
    const device = await client(d, { autoDownload: true, installs: '2.0' });
    await device.register();
    const uri = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    assert.match(uri.payload.toString(), new RegExp(`^coap://127\\.0\\.0\\.1:${fleet.port}/fw/`));
    const done = await until(d, 'success');
    assert.equal(done.failureReason, null);
    assert.equal(sha256(device.values.pkg), sha256(fleet.f.firmware), 'the client downloaded the package');
    await device.nextWrite((w) => w.path === '/5/0/2');
    // Afterwards the server resets Object 5 with an empty Package URI.
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length === 0);
  });

  it('pushes to a push-only client: the Package is written block-wise to /5/0/0', async () => {
    const d = fleet.f.devices[1]!;
    const device = await client(d, { deliveryMethod: 1, installs: '2.0' });
    await device.register();
    const written = await device.nextWrite((w) => w.path === '/5/0/0');
    assert.equal(sha256(written.payload), sha256(fleet.f.firmware));
    await until(d, 'success');
  });

  it('fails with the reason of the Update Result (5: integrity check failure)', async () => {
    const d = fleet.f.devices[2]!;
    const device = await client(d);
    await device.register();
    await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    await device.setState(1);
    await eventually(async () =>
      (await upgradeOf(fleet.f, d)).state.status === 'upgrading' ? true : undefined,
    );
    await device.setState(0);
    await device.setResult(5);
    const failed = await until(d, 'failure');
    assert.equal(failed.failureReason, 'check_failed');
  });

  it('a client that registers again mid-download is offered the upgrade again', async () => {
    const d = fleet.f.devices[3]!;
    const device = await client(d);
    await device.register();
    const first = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    await device.setState(1);
    const before = device.writes.length;
    await device.register();
    const again = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0, before);
    assert.equal(again.payload.toString(), first.payload.toString(), 'the same download');
    assert.equal((await upgradeOf(fleet.f, d)).state.status, 'upgrading');
  });

  it('refuses a Register with a wrong signature, an unknown endpoint or no ep (4.03, 4.03, 4.00)', async () => {
    const d = fleet.f.devices[4]!;
    const registered = fleet.f.t.app.lwm2m.registrations();
    await assert.rejects((await client(d, { secret: 'not-the-secret' })).register(), /4\.03/);
    await assert.rejects((await client(d, { endpoint: `${fleet.f.productKey}.nobody` })).register(), /4\.03/);
    await assert.rejects((await client(d, { endpoint: '' })).register(), /4\.00/);
    assert.equal(fleet.f.t.app.lwm2m.registrations(), registered, 'nothing registered');
  });

  it('updates and de-registers; a stale location is 4.04', async () => {
    const d = fleet.f.devices[5]!;
    const device = await client(d, { installs: null });
    await device.register();
    assert.equal(await device.update(['lt=600']), '2.04');
    assert.equal(await device.deregister(), '2.02');
    assert.equal(await device.update(), '4.04');
  });
});
