// OneNET Studio's device API over a real socket (protocols.md §2.10): both prefixes and token
// versions, the check's task and its codes, the tid download with OneNET's ranges and
// Ota-Errno, status steps under Studio's task rules, the task status, versions, and who may act
// for whom (a gateway for its sub-device, a product key for its product).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createOneNetToken, oneNetStudioTokenVersion } from '@updraft/protocol';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

interface Answer {
  code: number;
  msg: string;
  data?: Record<string, unknown>;
  request_id: string;
}

const skip = (await skipReason()) ?? false;
const texts = { zh: '修复蓝牙断连', en: 'Fixes Bluetooth drops' };

describe('OneNET Studio device API (fuse-ota)', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    // A silent plan with upgrade texts: the check answers them (Updraft's extension fields).
    f = await createDeviceFleet({ count: 8, firmwareBytes: 20_000, plan: { texts } });
  });
  after(() => f.close());

  const keyOf = (d: TestDevice) => d.res.split('/')[1]!;
  const studioAuth = (d: TestDevice, res = d.res, key = d.secret) =>
    createOneNetToken(key, res, Math.floor(f.t.clock.now() / 1000) + 3600, 'sha1', oneNetStudioTokenVersion);
  async function call(
    method: string,
    path: string,
    authorization: string | null,
    body?: unknown,
  ): Promise<Answer> {
    const res = await fetch(`${f.base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(authorization !== null && { authorization }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as Answer;
    assert.match(answer.request_id, /^[0-9a-f]{32}$/);
    return answer;
  }
  const at = (d: TestDevice, prefix = '/fuse-ota') => `${prefix}/${keyOf(d)}/${d.name}`;
  async function task(d: TestDevice) {
    const answer = await call('GET', `${at(d)}/check?type=1&version=1.0`, studioAuth(d));
    assert.equal(answer.code, 0, answer.msg);
    return answer.data as { tid: number; status: number; token: string; target: string };
  }
  const step = (d: TestDevice, tid: number, value: unknown) =>
    call('POST', `${at(d)}/${tid}/status`, studioAuth(d), { step: value });
  const taskStatus = async (d: TestDevice, tid: number) =>
    (await call('GET', `${at(d)}/${tid}/check`, studioAuth(d))).data?.['status'];
  const download = (d: TestDevice, tid: number, headers: Record<string, string> = {}, query = '') =>
    fetch(`${f.base}${at(d)}/${tid}/download${query}`, {
      headers: { authorization: studioAuth(d), ...headers },
    });

  it("answers a check with Studio's task fields and Updraft's, under /fuse-ota and /ota, either token version", async () => {
    const d = f.devices[0]!;
    const answer = await call('GET', `${at(d)}/check?type=1&version=1.0`, studioAuth(d));
    assert.equal(answer.code, 0);
    assert.equal(answer.msg, 'succ');
    const data = answer.data!;
    assert.equal(data['target'], '2.0');
    assert.equal(typeof data['tid'], 'number');
    assert.equal(data['size'], f.firmware.length);
    assert.equal(data['md5'], md5(f.firmware));
    assert.equal(data['status'], 1, 'to be upgraded');
    assert.equal(data['type'], 1);
    assert.match(String(data['token']), /^ota_/);
    assert.equal((data['files'] as unknown[]).length, 1);
    // Studio's answer has no field for them: Updraft's texts, release notes and free-space minimum.
    assert.deepEqual(data['texts'], texts);
    assert.equal(typeof data['releaseNotes'], 'string');
    assert.equal(data['space'], 0, 'no free-space minimum');
    const older = await call('GET', `${at(d, '/ota')}/check?type=1&version=1.0`, f.auth(d));
    assert.equal(older.code, 0, 'the studio-ota base with a 2018-10-31 token');
    assert.equal(older.data?.['tid'], data['tid']);
    const byId = await call('GET', `/fuse-ota/${f.productId}/${d.name}/check?type=1&version=1.0`, f.auth(d));
    assert.equal(byId.code, 0, 'pro_id may be the numeric product id');
  });

  it('refuses a missing or forged token and a device the signer may not act for, with one answer', async () => {
    const [d, other] = [f.devices[1]!, f.devices[2]!];
    const path = `${at(d)}/check?type=1&version=1.0`;
    assert.equal((await call('GET', path, null)).code, 1);
    const forged = await call('GET', path, studioAuth(d, d.res, Buffer.alloc(32).toString('base64')));
    const foreign = await call('GET', path, studioAuth(other));
    assert.equal(forged.code, 1);
    assert.deepEqual([foreign.code, foreign.msg], [forged.code, forged.msg]);
    const ghost = await call('GET', `/fuse-ota/${keyOf(d)}/nobody/check?type=1&version=1.0`, studioAuth(d));
    assert.deepEqual([ghost.code, ghost.msg], [forged.code, forged.msg]);
  });

  it('takes and answers versions; refuses bad parameters; answers 12012 and 12013 when there is no task', async () => {
    const d = f.devices[3]!;
    assert.equal((await call('POST', `${at(d)}/version`, studioAuth(d), { f_version: '1.0' })).code, 0);
    assert.deepEqual((await call('GET', `${at(d)}/version`, studioAuth(d))).data, { f_version: '1.0' });
    const bad = await call('POST', `${at(d)}/version`, studioAuth(d), { f_version: 'a b' });
    assert.equal(bad.code, 27);
    assert.equal((await call('GET', `${at(d)}/check?version=1.0`, studioAuth(d))).code, 2);
    assert.equal((await call('GET', `${at(d)}/check?type=1`, studioAuth(d))).code, 2);
    assert.equal((await call('GET', `${at(d)}/check?type=1&version=a%20b`, studioAuth(d))).code, 27);
    const noSota = await call('GET', `${at(d)}/check?type=2&version=1.0`, studioAuth(d));
    assert.equal(noSota.code, 12012, 'no sota module: no task of type 2');
    const current = await call('GET', `${at(d)}/check?type=1&version=2.0`, studioAuth(d));
    assert.deepEqual([current.code, current.msg.startsWith('task succ')], [12013, true]);
    // Reporting the target completed the upgrade.
    const page = await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 });
    assert.equal(page.items[0]!.state.status, 'success');
  });

  it('serves the task by tid with OneNET ranges and Ota-Errno 0; refuses other tasks with their digit', async () => {
    const [d, other] = [f.devices[4]!, f.devices[5]!];
    const { tid } = await task(d);
    const whole = await download(d, tid);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('ota-errno'), '0');
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), f.firmware);
    for (const range of ['100-199', 'bytes=100-199']) {
      const part = await download(d, tid, { range });
      assert.equal(part.status, 206, range);
      assert.equal(part.headers.get('content-range'), `bytes 100-199/${f.firmware.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), f.firmware.subarray(100, 200));
    }
    const past = await download(d, tid, { range: `${f.firmware.length + 5}-` });
    assert.equal(past.status, 206, 'OneNET: a start past the end means 0');
    assert.equal(Number(past.headers.get('content-length')), f.firmware.length);
    const { tid: otherTid } = await task(other);
    for (const [res, digit] of [
      [await download(d, otherTid), '2'],
      [await download(d, tid, {}, '?file=2'), '2'],
      [await download(d, 999_999_999), '2'],
      [await fetch(`${f.base}${at(d)}/${tid}/download`), '6'],
    ] as const) {
      assert.equal(res.headers.get('ota-errno'), digit);
      assert.equal(res.headers.get('content-length'), null);
      assert.equal(await res.text(), digit);
    }
  });

  it('starts on the first step, moves through download and install, succeeds on 201 and sets the version', async () => {
    const d = f.devices[6]!;
    const { tid } = await task(d);
    assert.equal((await step(d, tid, 0)).code, 0, 'no token check: the first step starts the task');
    assert.equal(await taskStatus(d, tid), 2);
    assert.equal((await step(d, tid, '55')).code, 0, 'a step as digits');
    assert.equal((await step(d, tid, 'x')).code, 24);
    assert.equal((await step(d, tid, 209)).code, 24);
    assert.equal((await step(d, tid, 101)).code, 0);
    assert.equal(await taskStatus(d, tid), 3);
    assert.equal((await step(d, tid, 50)).code, 17, 'no download step once installing');
    assert.equal((await step(d, tid, 201)).code, 0);
    assert.equal(await taskStatus(d, tid), 4);
    assert.equal((await step(d, tid, 201)).code, 0, 'the same result again');
    assert.equal((await step(d, tid, 205)).code, 20, 'another result after the end');
    assert.equal((await download(d, tid)).headers.get('ota-errno'), '5', 'the task is over');
    const versions = await call('GET', `${at(d)}/version`, studioAuth(d));
    assert.equal(versions.data?.['f_version'], '2.0');
    const other = f.devices[7]!;
    assert.equal((await step(other, tid, 50)).code, 4, "another device's task");
    assert.equal((await step(d, 999_999_999, 50)).code, 12012);
    assert.equal((await call('GET', `${at(d)}/999999999/check`, studioAuth(d))).code, 12012);
  });

  it('fails on a failure code, cancels, and refuses what comes after', async () => {
    const [failing, cancelled] = [f.devices[7]!, f.devices[5]!];
    const a = await task(failing);
    assert.equal((await step(failing, a.tid, 205)).code, 0);
    assert.equal(await taskStatus(failing, a.tid), 5);
    const b = await task(cancelled);
    assert.equal((await step(cancelled, b.tid, 10)).code, 0);
    await f.t.app.services.plans.actOnUpgrade(b.tid, 'operator_cancel', 'test');
    assert.equal(await taskStatus(cancelled, b.tid), 6);
    assert.equal((await step(cancelled, b.tid, 20)).code, 22);
    assert.equal((await download(cancelled, b.tid)).headers.get('ota-errno'), '5');
  });

  it('lets a gateway act for its own sub-device by path, and a product key for its product', async () => {
    const sub = f.sub;
    const viaGateway = await call('GET', `${at(sub)}/check?type=1&version=1.0`, studioAuth(f.gateway));
    assert.equal(viaGateway.code, 0, viaGateway.msg);
    const tid = Number(viaGateway.data?.['tid']);
    const res = await fetch(`${f.base}${at(sub)}/${tid}/download`, {
      headers: { authorization: studioAuth(f.gateway) },
    });
    assert.equal(res.headers.get('ota-errno'), '0');
    const notHers = await call('GET', `${at(f.devices[0]!)}/check?type=1&version=1.0`, studioAuth(f.gateway));
    assert.equal(notHers.code, 1);

    const productKey = (await f.t.admin.post(`/api/v1/products/${f.productId}/access-key`, {})).json()
      .accessKey as string;
    try {
      const d = f.devices[0]!;
      const byProduct = await call(
        'GET',
        `${at(d)}/check?type=1&version=1.0`,
        studioAuth(d, `products/${keyOf(d)}`, productKey),
      );
      assert.equal(byProduct.code, 0, byProduct.msg);
      const otherProduct = await call(
        'GET',
        `${at(sub)}/check?type=1&version=1.0`,
        studioAuth(d, `products/${keyOf(d)}`, productKey),
      );
      assert.equal(otherProduct.code, 1);
    } finally {
      await f.t.admin.delete(`/api/v1/products/${f.productId}/access-key`);
    }
  });
});
