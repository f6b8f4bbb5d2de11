// Fixes found by a conformance check of OneNET's device API (protocols.md §2.4): a check names
// every required parameter (errno 2 without one), versions are what packages accept (1 to 50
// characters), /ota/devInfo takes its documented JSON body on a GET, and a paused plan tells the
// devices that have not started "task suspended" (D1 errno 19) while those under way go on.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

interface Envelope {
  errno: number;
  error: string;
  data?: Record<string, unknown>;
}

describe('OneNET device API conformance', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 6 });
  });
  after(() => f.close());

  async function call(method: string, path: string, d: TestDevice, body?: unknown): Promise<Envelope> {
    const res = await fetch(`${f.base}${path}`, {
      method,
      headers: { authorization: f.auth(d), 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as Envelope;
  }
  const params = { manuf: '100', model: '10001', type: '1', version: '1.0', cdn: 'true' };
  const checkPath = (d: TestDevice, prefix = '/ota/south', over: Record<string, string | undefined> = {}) => {
    const query = new URLSearchParams({ dev_id: String(d.id) });
    for (const [key, value] of Object.entries({ ...params, ...over }))
      if (value !== undefined) query.set(key, value);
    return `${prefix}/check?${query}`;
  };
  const stateOf = async (d: TestDevice) =>
    (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!.state;

  it('answers a check that lacks manuf, model, type, version or cdn with errno 2, naming it', async () => {
    const d = f.devices[0]!;
    const before = await stateOf(d);
    for (const prefix of ['/ota/south', '/ota']) {
      for (const name of ['manuf', 'model', 'type', 'version', 'cdn']) {
        const answer = await call('GET', checkPath(d, prefix, { [name]: undefined }), d);
        assert.equal(answer.errno, 2, `${prefix} without ${name}: ${answer.error}`);
        assert.match(answer.error, new RegExp(name));
        const empty = await call('GET', checkPath(d, prefix, { [name]: '' }), d);
        assert.equal(empty.errno, 2, `${prefix} with an empty ${name}`);
      }
      assert.equal((await call('GET', checkPath(d, prefix, { cdn: 'yes' }), d)).errno, 2);
    }
    assert.deepEqual(await stateOf(d), before, 'nothing changed');
    assert.equal((await call('GET', checkPath(d), d)).errno, 0, 'with every parameter it is offered');
  });

  it('takes versions of 21 to 50 characters, as packages do, and refuses longer ones with errno 27', async () => {
    const d = f.devices[1]!;
    const long = `1.0.${'a'.repeat(46)}`;
    assert.equal(long.length, 50);
    const reported = await call('POST', `/ota/device/version?dev_id=${d.id}`, d, { f_version: long });
    assert.equal(reported.errno, 0, reported.error);
    const detail = await f.t.app.services.devices.getDeviceDetail(d.id);
    assert.equal(detail.versions.find((v) => v.module === 'default')?.version, long);
    const checked = await call('GET', checkPath(d, '/ota/south', { version: long }), d);
    assert.equal(checked.errno, 0, checked.error);
    assert.equal(checked.data!['target'], '2.0');
    const tooLong = `${long}b`;
    assert.equal((await call('GET', checkPath(d, '/ota', { version: tooLong }), d)).errno, 27);
    assert.equal(
      (await call('POST', `/ota/device/version?dev_id=${d.id}`, d, { f_version: tooLong })).errno,
      27,
    );
  });

  /** A GET with a body, which fetch() will not send. */
  function getWithBody(path: string, d: TestDevice, body: string): Promise<Envelope> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${f.base}${path}`,
        {
          method: 'GET',
          headers: {
            authorization: f.auth(d),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers GET /ota/devInfo with its documented JSON body {pid, authInfo}', async () => {
    const d = f.devices[2]!;
    const found = await getWithBody(
      '/ota/devInfo',
      d,
      JSON.stringify({ pid: f.productId, authInfo: d.name }),
    );
    assert.equal(found.errno, 0, found.error);
    assert.deepEqual(found.data, { dev_id: String(d.id) });
    const asText = await getWithBody(
      '/ota/devInfo',
      d,
      JSON.stringify({ pid: String(f.productId), authInfo: d.name }),
    );
    assert.deepEqual(asText.data, { dev_id: String(d.id) });
    assert.equal((await getWithBody('/ota/devInfo', d, '{"pid": ')).errno, 2);
    assert.equal((await getWithBody('/ota/devInfo', d, JSON.stringify({ pid: f.productId }))).errno, 2);
    const huge = JSON.stringify({ pid: f.productId, authInfo: d.name, pad: 'x'.repeat(5000) });
    assert.equal((await getWithBody('/ota/devInfo', d, huge)).errno, 2);
    // The query form still works, and a foreign device is still errno 1.
    assert.equal((await call('GET', `/ota/devInfo?pid=${f.productId}&authInfo=${d.name}`, d)).errno, 0);
    const other = JSON.stringify({ pid: f.productId, authInfo: f.devices[3]!.name });
    assert.equal((await getWithBody('/ota/devInfo', d, other)).errno, 1);
  });

  it('tells a device that has not started "task suspended" while the plan is paused; one under way goes on', async () => {
    const [waiting, started] = [f.devices[4]!, f.devices[5]!];
    const offered = await call('GET', checkPath(waiting), waiting);
    assert.equal(offered.errno, 0);
    const waitingToken = String(offered.data!['token']);
    const goes = await call('GET', checkPath(started), started);
    const startedToken = String(goes.data!['token']);
    assert.equal((await call('GET', `/ota/south/download/${startedToken}/check`, started)).errno, 0);
    assert.equal((await stateOf(waiting)).status, 'pushed');
    assert.equal((await stateOf(started)).status, 'upgrading');

    await f.t.app.services.plans.runAction(f.planId, 'pause', 'test');
    const d1 = await call('GET', checkPath(waiting, '/ota'), waiting);
    assert.equal(d1.errno, 19, d1.error);
    assert.equal((await call('GET', checkPath(waiting), waiting)).errno, 11, 'D2 has no 19: no task now');
    assert.equal((await call('GET', `/ota/download/${waitingToken}/check`, waiting)).errno, 19);
    assert.equal((await call('GET', `/ota/south/download/${waitingToken}/check`, waiting)).errno, 17);
    assert.equal((await stateOf(waiting)).status, 'pushed', 'nothing changed');

    // The device under way is offered its upgrade again and reports on.
    const again = await call('GET', checkPath(started, '/ota'), started);
    assert.equal(again.errno, 0, again.error);
    const token = String(again.data!['token']);
    const step = await call('POST', `/ota/south/device/download/${token}/progress`, started, { step: 40 });
    assert.equal(step.errno, 0, step.error);
    assert.equal((await stateOf(started)).progress, 40);

    await f.t.app.services.plans.runAction(f.planId, 'resume', 'test');
    assert.equal((await call('GET', `/ota/download/${waitingToken}/check`, waiting)).errno, 0);
    assert.equal((await stateOf(waiting)).status, 'upgrading');
  });
});
