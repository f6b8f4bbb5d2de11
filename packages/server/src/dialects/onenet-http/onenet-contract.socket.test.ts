// OneNET's contract details over a real socket (protocols.md §2.4, §2.5): `type` picks the
// module, manuf/model must fit the product (errno 8), a paused plan is "suspended" on D1
// (errno 19), progress and result codes only in the task states that take them, and repeated
// results after the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

type Envelope = { errno: number; error: string; data?: Record<string, unknown> };

function client(f: DeviceFleet) {
  async function call(method: string, path: string, device: TestDevice, body?: unknown): Promise<Envelope> {
    const res = await fetch(`${f.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: f.auth(device) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as Envelope;
  }
  /** A check with OneNET's required parameters; `query` adds to them or overrides them. */
  const check = (d: TestDevice, query = 'type=1&version=1.0', prefix = '/ota/south') => {
    const params = new URLSearchParams({ dev_id: String(d.id), manuf: '100', model: '10001', cdn: 'true' });
    for (const [key, value] of new URLSearchParams(query)) params.set(key, value);
    return call('GET', `${prefix}/check?${params}`, d);
  };
  return {
    call,
    check,
    async offer(d: TestDevice) {
      const answer = await check(d);
      assert.equal(answer.errno, 0, answer.error);
      return String(answer.data!['token']);
    },
    tokenCheck: (d: TestDevice, token: string) =>
      call('GET', `/ota/south/download/${token}/check?dev_id=${d.id}`, d),
    step: async (d: TestDevice, token: string, step: number) =>
      (await call('POST', `/ota/south/device/download/${token}/progress?dev_id=${d.id}`, d, { step })).errno,
    result: async (d: TestDevice, token: string, result: number, prefix = '/ota/south') =>
      (await call('POST', `${prefix}/report?dev_id=${d.id}&token=${token}`, d, { result })).errno,
    async state(d: TestDevice) {
      const page = await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 });
      return page.items[0]!.state;
    },
  };
}

describe('OneNET contract details (silent plan, no retries)', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({ count: 6 });
    c = client(f);
  });
  after(() => f.close());

  it('takes steps only while downloading, and 1xx codes not after step 100; refused calls change nothing', async () => {
    const d = f.devices[0]!;
    const token = await c.offer(d);
    // protocols.md §2.4 (4): before the token check the task is "to be upgraded".
    const pushed = await c.state(d);
    assert.equal(await c.step(d, token, 10), 17);
    assert.deepEqual(await c.state(d), pushed, 'a step before the token check changes nothing');
    assert.equal((await c.tokenCheck(d, token)).errno, 0);
    assert.equal(await c.step(d, token, 50), 0);
    assert.equal(await c.step(d, token, 100), 0);
    const upgrading = await c.state(d);
    assert.equal(upgrading.stage, 'downloaded');
    assert.equal(await c.step(d, token, 60), 17);
    assert.equal(await c.step(d, token, 104), 17);
    assert.equal(await c.result(d, token, 104), 21);
    assert.equal(await c.result(d, token, 107, '/ota'), 21);
    assert.equal((await c.tokenCheck(d, token)).errno, 17);
    assert.deepEqual(await c.state(d), upgrading, 'nothing changed');
    // Step 100 again and 101 (the documented sequence, §2.9) restate "upgrading".
    assert.equal(await c.step(d, token, 100), 0);
    assert.equal(await c.step(d, token, 101), 0);
    assert.equal(await c.step(d, token, 201), 0);
    assert.equal((await c.state(d)).status, 'success');
    // §2.4 (4): 201 sets the device's version to the target.
    const read = await c.call('GET', `/ota/device/version?dev_id=${d.id}`, d);
    assert.deepEqual(read.data, { f_version: '2.0' });
  });

  it('writes the target version on a success told again when a crash lost its first write', async () => {
    const d = f.devices[5]!;
    const token = await c.offer(d);
    assert.equal((await c.tokenCheck(d, token)).errno, 0);
    assert.equal(await c.step(d, token, 201), 0);
    assert.equal((await c.state(d)).status, 'success');
    // A crash between the success's commit and the version's write (the device's answer lost
    // with it): the version row is what it was before.
    const { db } = f.t.testDatabase.database;
    await db
      .updateTable('device_versions')
      .set({ version: '1.0' })
      .where('device_id', '=', d.id)
      .where('module', '=', 'default')
      .execute();
    const version = async () => (await c.call('GET', `/ota/device/version?dev_id=${d.id}`, d)).data;
    assert.deepEqual(await version(), { f_version: '1.0' });
    // The device reports its success again: answered as a repeat, and the version is its target.
    assert.equal(await c.step(d, token, 201), 0);
    assert.deepEqual(await version(), { f_version: '2.0' });
    assert.equal((await c.state(d)).status, 'success');
  });

  it('answers a repeated end result with errno 0 and a different one with errno 20', async () => {
    const d = f.devices[1]!;
    const token = await c.offer(d);
    assert.equal((await c.tokenCheck(d, token)).errno, 0);
    assert.equal(await c.result(d, token, 205), 0);
    const failed = await c.state(d);
    assert.equal(failed.status, 'failure');
    assert.equal(await c.result(d, token, 205), 0);
    assert.equal(await c.step(d, token, 205), 0);
    assert.equal(await c.result(d, token, 206), 20, 'another failure reason');
    assert.equal(await c.result(d, token, 201), 20);
    assert.equal(await c.step(d, token, 50), 20);
    assert.deepEqual(await c.state(d), failed, 'nothing changed');
  });

  it('picks the module from type when none is named: 2 is the sota module', async () => {
    const d = f.devices[2]!;
    // The product has no sota module yet: no task of this type.
    const none = await c.check(d, 'type=2&version=3.1');
    assert.equal(none.errno, 11);
    assert.match(none.error, /sota/);
    const added = await f.t.admin.post(`/api/v1/products/${f.productId}/modules`, { name: 'sota' });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal((await c.check(d, 'type=2&version=3.1')).errno, 11, 'no plan on sota');
    const read = await c.call('GET', `/ota/device/version?dev_id=${d.id}`, d);
    assert.deepEqual(read.data, { f_version: '1.0', s_version: '3.1' });
    assert.equal((await c.state(d)).status, 'pushed', 'the default module upgrade is untouched');
    assert.equal((await c.call('GET', `/ota/south/tasking?dev_id=${d.id}&type=2`, d)).errno, 4);
    // type=1 (and ?module=) still reach the default module's plan.
    assert.equal((await c.check(d, 'type=1&version=1.0')).errno, 0);
    assert.equal((await c.check(d, 'type=2&module=default&version=1.0')).errno, 0);
  });

  it('answers errno 8 when manuf or model is not the module’s, and fails the attempt', async () => {
    const [d, fits] = [f.devices[3]!, f.devices[4]!];
    // The product's manufacturer and model are descriptive: never compared.
    const product = await f.t.admin.patch(`/api/v1/products/${f.productId}`, {
      manufacturer: 'Acme',
      model: 'M1',
    });
    assert.equal(product.statusCode, 200, product.body);
    const patched = await f.t.admin.patch(`/api/v1/products/${f.productId}/modules/default`, {
      manufacturerCode: '101',
      modelCode: '10101',
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().manufacturerCode, '101');
    // Module codes are remembered for 30 s.
    f.t.clock.advance(31_000);
    assert.equal((await c.check(fits, 'type=1&version=1.0&manuf=101&model=10101')).errno, 0);
    // Another module of the product keeps its own codes (none): any claim fits it.
    assert.notEqual((await c.check(d, 'type=2&version=3.1&manuf=102&model=10201')).errno, 8);
    const wrong = await c.check(d, 'type=1&version=1.0&manuf=101&model=10201');
    assert.equal(wrong.errno, 8);
    assert.match(wrong.error, /model 10201 is not the module's 10101/);
    const state = await c.state(d);
    assert.equal(state.status, 'failure');
    assert.equal((await c.check(d, 'type=1&version=1.0&manuf=102', '/ota')).errno, 8);
    const bad = await f.t.admin.patch(`/api/v1/products/${f.productId}/modules/default`, {
      modelCode: 'a b',
    });
    assert.equal(bad.statusCode, 400);
  });
});

describe('OneNET contract details (paused plan, retries)', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({
      count: 2,
      plan: { concurrency: 1, retry: { attempts: 2, intervalSeconds: 600 } },
    });
    c = client(f);
  });
  after(() => f.close());

  it('answers a failure while the retry waits like the end: the same result 0, another 20', async () => {
    const pushed: TestDevice[] = [];
    for (const d of f.devices) if ((await c.state(d)).status === 'pushed') pushed.push(d);
    const d = pushed[0]!;
    const token = await c.offer(d);
    assert.equal((await c.tokenCheck(d, token)).errno, 0);
    assert.equal(await c.step(d, token, 106), 0);
    const waiting = await c.state(d);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.nextAction, 'retry');
    assert.equal(await c.step(d, token, 106), 0);
    assert.equal(await c.result(d, token, 201), 20);
    assert.equal(await c.step(d, token, 30), 20);
    assert.equal((await c.tokenCheck(d, token)).errno, 20);
    assert.deepEqual(await c.state(d), waiting, 'nothing changed');
  });

  it('answers a check in a paused plan with errno 19 on D1 and 11 on D2', async () => {
    const pending: TestDevice[] = [];
    for (const d of f.devices) {
      const state = await c.state(d);
      if (state.status === 'pending' && state.nextAction !== 'retry') pending.push(d);
    }
    const d = pending[0]!;
    await f.t.app.services.plans.runAction(f.planId, 'pause', 'test');
    const d1 = await c.check(d, 'type=1&version=1.0', '/ota');
    assert.equal(d1.errno, 19);
    assert.match(d1.error, /suspended/);
    assert.equal((await c.check(d)).errno, 11);
    await f.t.app.services.plans.runAction(f.planId, 'resume', 'test');
    assert.notEqual((await c.check(d, 'type=1&version=1.0', '/ota')).errno, 19);
  });
});
