// A client that answers in SenML CBOR (112, RFC 8428 §6) over real UDP: its version, battery,
// signal and protocols (/5/0/8, asked in TLV) are read, and its State and Update Result
// notifications followed, as from a client answering in plain text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import { lwm2mFleet } from '../../test-support/lwm2m-fleet.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

describe('LwM2M content formats over the wire', { skip: (await skipReason()) ?? false }, () => {
  const fleet = lwm2mFleet({ count: 1, firmwareBytes: 20_000 });

  it('upgrades a client that answers reads and notifies in SenML CBOR', async () => {
    const d = fleet.f.devices[0]!;
    const device = await fleet.client(d, {
      format: 'senml-cbor',
      battery: 64,
      signal: -83,
      // HTTP only: the Package URI is the HTTP device API's, so /5/0/8 was read from SenML CBOR.
      protocols: [2],
      installs: '2.0',
    });
    await device.register();
    const uri = await device.nextWrite((w) => w.path === '/5/0/1' && w.payload.length > 0);
    assert.match(uri.payload.toString(), /\/device\/v1\/download\//);
    const view = (await fleet.f.t.admin.get(`/api/v1/devices/${d.id}`)).json();
    assert.equal(view.battery, 64);
    assert.equal(view.signal, -83);
    // The client downloads (its own business here) and says so in SenML CBOR notifications.
    await device.setState(1);
    await device.setState(2);
    await device.nextWrite((w) => w.path === '/5/0/2');
    const done = await eventually(async () => {
      const { state } = await upgradeOf(fleet.f, d);
      return state.status === 'success' ? state : undefined;
    });
    assert.equal(done.failureReason, null);
  });
});
