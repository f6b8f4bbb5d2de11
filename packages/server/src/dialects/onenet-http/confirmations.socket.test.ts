// The device side of manual plans over a real socket: a device (or its gateway) lists the
// upgrades waiting for its confirmation and confirms or rejects them (docs/device-http.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
  testTexts,
} from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

interface Pending {
  upgradeId: number;
  planId: number;
  plan: string;
  module: string;
  target: string;
  type: number;
  since: number;
  deadline: number | null;
  texts: { zh: string; en: string } | null;
  releaseNotes: string;
}

describe('device HTTP API: confirmations of manual plans', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 3, plan: { mode: 'manual' } });
  });
  after(() => f.close());

  async function call(method: string, path: string, device: TestDevice | null, body?: string) {
    const res = await fetch(`${f.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(device && { authorization: f.auth(device) }) },
      ...(body !== undefined && { body }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { errno: number; error: string; data?: { items: Pending[] } };
  }
  const list = (caller: TestDevice, devId?: number) =>
    call('GET', `/device/v1/confirmations${devId === undefined ? '' : `?dev_id=${devId}`}`, caller);
  const decide = (caller: TestDevice, upgradeId: number, decision: string, devId?: number) =>
    call(
      'POST',
      `/device/v1/confirmations/${upgradeId}/${decision}${devId === undefined ? '' : `?dev_id=${devId}`}`,
      caller,
      '{}',
    );
  const checkPath = (d: TestDevice) =>
    `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=true`;
  const recordOf = async (deviceId: number) =>
    (await f.t.app.services.plans.activeUpgradesOfDevice(deviceId))[0];

  it('lists the upgrade waiting for the device, and a confirmation lets the next check offer it', async () => {
    const d = f.devices[0]!;
    assert.equal((await call('GET', checkPath(d), d)).errno, 11, 'held until confirmed');
    const answer = await list(d);
    assert.equal(answer.errno, 0, answer.error);
    const [item] = answer.data!.items;
    const record = (await recordOf(d.id))!;
    assert.deepEqual(item, {
      upgradeId: record.id,
      planId: f.planId,
      plan: 'rollout',
      module: 'default',
      target: '2.0',
      type: 1,
      since: Math.floor(record.state.createdAt / 1000),
      deadline: null,
      texts: testTexts,
      releaseNotes: '',
    });
    assert.equal((await decide(d, record.id, 'confirm')).errno, 0);
    assert.equal((await decide(d, record.id, 'confirm')).errno, 0, 'twice is the same');
    assert.deepEqual((await list(d)).data!.items, []);
    const offered = (await call('GET', checkPath(d), d)) as unknown as {
      errno: number;
      data: Record<string, unknown>;
    };
    assert.equal(offered.errno, 0, 'offered now');
    assert.deepEqual(offered.data['texts'], testTexts, 'the check answer carries the texts');
    assert.equal(offered.data['releaseNotes'], '');
    const log = await f.t.app.services.plans.upgradeLog(record.id);
    assert.ok(log.some((e) => e.event === 'confirmed' && e.actor === `device:${d.id}`));
  });

  it('fails a rejected upgrade with reason rejected and then knows it no more', async () => {
    const d = f.devices[1]!;
    const [item] = (await list(d)).data!.items;
    assert.equal((await decide(d, item!.upgradeId, 'reject')).errno, 0);
    const record = await f.t.app.services.plans.getUpgrade(item!.upgradeId);
    assert.deepEqual([record.state.status, record.state.failureReason], ['failure', 'rejected']);
    assert.equal((await decide(d, item!.upgradeId, 'confirm')).errno, 11);
  });

  it("refuses another device's upgrade, bad credentials and unknown paths without changing anything", async () => {
    const [owner, other] = [f.devices[2]!, f.devices[0]!];
    const record = (await recordOf(owner.id))!;
    assert.equal((await decide(other, record.id, 'reject')).errno, 11);
    assert.equal((await decide(other, record.id, 'reject', owner.id)).errno, 1, 'not its sub-device');
    assert.equal((await call('GET', '/device/v1/confirmations', null)).errno, 1);
    const forged = { ...owner, secret: f.devices[1]!.secret };
    assert.equal((await decide(forged, record.id, 'confirm')).errno, 1);
    assert.equal((await list(owner, -1)).errno, 2);
    assert.equal((await decide(owner, 999_999_999, 'confirm')).errno, 11);
    assert.deepEqual((await recordOf(owner.id))!.state, record.state);
  });

  it('lets a gateway confirm for its own sub-device, refuses another gateway and the sub-device acting up', async () => {
    const { gateway, sub } = f;
    const { plans } = f.t.app.services;
    // The fleet's sub-device plan is silent: nothing to confirm there.
    const silent = (await recordOf(sub.id))!;
    assert.equal((await decide(gateway, silent.id, 'confirm', sub.id)).errno, 17);
    const old = await plans.getPlan(silent.planId);
    await plans.runAction(old.id, 'cancel', 'test');
    const manual = await plans.createPlan(
      {
        name: 'sensors, manual',
        productId: old.productId,
        firmwarePackageId: old.firmwarePackageId,
        target: { kind: 'all' },
        mode: 'manual',
        texts: testTexts,
      },
      'test',
    );
    await plans.publish(manual.id, 'test');

    // A second gateway with a sub-device of its own.
    const admin = f.t.admin;
    const product = (await admin.post('/api/v1/products', { name: 'Gateway 2', nodeType: 'gateway' })).json();
    const created = (await admin.post(`/api/v1/products/${product.id}/devices`, { name: 'gw-2' })).json();
    const stranger: TestDevice = {
      id: created.device.id,
      name: 'gw-2',
      secret: created.secret,
      res: `products/${product.productKey}/devices/gw-2`,
    };

    const pending = await recordOf(sub.id);
    assert.equal(pending?.planId, manual.id);
    assert.equal((await list(stranger, sub.id)).errno, 1);
    assert.equal((await decide(stranger, pending!.id, 'confirm', sub.id)).errno, 1);
    assert.equal((await list(sub, gateway.id)).errno, 1, 'a sub-device does not act for its gateway');
    assert.equal((await recordOf(sub.id))!.state.confirmation, 'awaiting');

    const answer = await list(gateway, sub.id);
    assert.equal(answer.errno, 0, answer.error);
    assert.deepEqual(
      answer.data!.items.map((i) => [i.upgradeId, i.planId, i.plan]),
      [[pending!.id, manual.id, 'sensors, manual']],
    );
    assert.deepEqual((await list(gateway)).data!.items, [], 'the gateway itself has nothing waiting');
    assert.equal((await decide(gateway, pending!.id, 'confirm', sub.id)).errno, 0);
    assert.equal((await recordOf(sub.id))!.state.confirmation, 'confirmed');
    const log = await plans.upgradeLog(pending!.id);
    assert.ok(log.some((e) => e.actor === `device:${sub.id} (gateway ${gateway.id})`));
  });

  it('takes the product-level key for a device of the product that it names', async () => {
    const d = f.devices[2]!;
    const { productId } = await f.t.app.services.plans.getPlan(f.planId);
    const on = await f.t.admin.post(`/api/v1/products/${productId}/access-key`, {});
    assert.equal(on.statusCode, 201, on.body);
    const key: TestDevice = { id: 0, name: '', secret: on.json().accessKey, res: `products/${f.productKey}` };
    try {
      assert.equal((await list(key)).errno, 2, 'dev_id is required');
      assert.equal((await list(key, f.sub.id)).errno, 1, "another product's device");
      const [item] = (await list(key, d.id)).data!.items;
      assert.equal((await decide(key, item!.upgradeId, 'confirm', d.id)).errno, 0);
      const log = await f.t.app.services.plans.upgradeLog(item!.upgradeId);
      assert.ok(log.some((e) => e.event === 'confirmed' && e.actor === `device:${d.id} (product key)`));
    } finally {
      await f.t.admin.delete(`/api/v1/products/${productId}/access-key`);
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await f.t.anonymous.get('/openapi.json')).json();
    assert.ok(doc.paths['/device/v1/confirmations']?.get);
    assert.ok(doc.paths['/device/v1/confirmations/{upgradeId}/confirm']?.post);
    assert.ok(doc.paths['/device/v1/confirmations/{upgradeId}/reject']?.post);
  });
});
