// The end-user API through the whole app (docs/enduser-api.md): tokens issued through the
// management API, what an owner's app does with one, and that a token never reaches a device
// it was not issued for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
  testTexts,
} from '../../../test-support/device-fleet.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const hour = 3_600_000;
type Json = Record<string, unknown>;

describe('end-user API', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({
      count: 4,
      plan: { mode: 'manual' },
      firmwareFields: { releaseNotes: 'Bluetooth 5.3' },
    });
  });
  after(() => f.close());

  async function issue(deviceIds: number[], extra: Json = {}) {
    const res = await f.t.admin.post('/api/v1/enduser-tokens', { deviceIds, label: 'owner', ...extra });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Json & { token: string; id: number };
  }
  async function owner(token: string | null, method: string, url: string, payload?: unknown) {
    const res = await f.t.app.http.inject({
      method: method as 'GET',
      url: `/enduserapi/v1${url}`,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      ...(payload !== undefined && { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json() as Json };
  }
  const check = async (d: TestDevice) =>
    (
      await f.t.app.http.inject({
        method: 'GET',
        url: `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=true`,
        headers: { authorization: f.auth(d) },
      })
    ).json() as { errno: number; error: string };
  const upgradeOf = async (d: TestDevice) => (await f.t.app.services.plans.activeUpgradesOfDevice(d.id))[0]!;

  it('issues a token once, lists it without the token, and checks the request', async () => {
    const issued = await issue([f.devices[0]!.id]);
    assert.match(issued.token, /^eut_[A-Za-z0-9_-]{43}$/);
    assert.equal(issued.active, true);
    const list = (await f.t.admin.get('/api/v1/enduser-tokens')).json() as { items: Json[] };
    const listed = list.items.find((t) => t['id'] === issued.id)!;
    assert.deepEqual(listed['deviceIds'], [f.devices[0]!.id]);
    assert.equal('token' in listed, false);
    const unknown = await f.t.admin.post('/api/v1/enduser-tokens', { deviceIds: [999_999] });
    assert.equal(unknown.statusCode, 404);
    const long = await f.t.admin.post('/api/v1/enduser-tokens', { deviceIds: [1], ttlSeconds: 8 * 86_400 });
    assert.equal(long.json().code, 'VALIDATION_FAILED');
    const viewer = await f.t.as('viewer');
    assert.equal(
      (await viewer.post('/api/v1/enduser-tokens', { deviceIds: [f.devices[0]!.id] })).statusCode,
      403,
    );
  });

  it('refuses calls without a valid end-user token, API keys included', async () => {
    for (const token of [null, 'eut_nope', 'upd_abcdefghijkl_0123456789012345678901234567890123456789012']) {
      const answer = await owner(token, 'GET', '/upgrades');
      assert.equal(answer.status, 401);
      assert.equal(answer.body['code'], 'ENDUSER_TOKEN_INVALID');
    }
  });

  it("lists the upgrades waiting for the token's devices with their texts and release notes", async () => {
    const d = f.devices[0]!;
    const { token } = await issue([d.id]);
    const { body } = await owner(token, 'GET', '/upgrades');
    const items = body['items'] as Json[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!['deviceId'], d.id);
    assert.equal(items[0]!['waiting'], true);
    assert.equal(items[0]!['mode'], 'manual');
    assert.deepEqual(items[0]!['texts'], testTexts);
    assert.equal(items[0]!['releaseNotes'], 'Bluetooth 5.3');
    const devices = (await owner(token, 'GET', '/devices')).body['items'] as Json[];
    assert.deepEqual(devices, [{ id: d.id, name: d.name, productId: f.productId, autoUpgrade: false }]);
  });

  it('never reaches a device the token was not issued for', async () => {
    const [mine, theirs] = [f.devices[0]!, f.devices[1]!];
    const { token } = await issue([mine.id]);
    const other = (await upgradeOf(theirs)).id;
    const attempts: [string, string, unknown?][] = [
      ['GET', `/upgrades/${other}`],
      ['POST', `/upgrades/${other}/confirm`],
      ['POST', `/upgrades/${other}/reject`],
      ['POST', `/upgrades/${other}/retry`],
      [
        'POST',
        `/upgrades/${other}/appoint`,
        {
          from: new Date(f.t.clock.now() + hour).toISOString(),
          until: new Date(f.t.clock.now() + 3 * hour).toISOString(),
        },
      ],
      ['GET', `/upgrades?deviceId=${theirs.id}`],
      ['GET', `/devices/${theirs.id}/auto-upgrade`],
      ['PUT', `/devices/${theirs.id}/auto-upgrade`, { enabled: true }],
    ];
    for (const [method, url, payload] of attempts) {
      const answer = await owner(token, method, url, payload);
      assert.equal(answer.status, 404, `${method} ${url}`);
      assert.equal(answer.body['code'], 'NOT_FOUND');
    }
    const record = await upgradeOf(theirs);
    assert.equal(record.state.confirmation, 'awaiting', 'nothing changed on the other device');
    assert.equal(record.state.appointedFrom, null);
    const listed = (await owner(token, 'GET', '/upgrades')).body['items'] as Json[];
    assert.deepEqual(
      listed.map((u) => u['deviceId']),
      [mine.id],
    );
  });

  it('appoints a window: nothing before it, the upgrade at its start', async () => {
    const d = f.devices[1]!;
    const { token } = await issue([d.id]);
    const id = (await upgradeOf(d)).id;
    const at = (ms: number) => new Date(f.t.clock.now() + ms).toISOString();
    const short = await owner(token, 'POST', `/upgrades/${id}/appoint`, {
      from: at(hour),
      until: at(hour + 59 * 60_000),
    });
    assert.equal(short.body['code'], 'APPOINTMENT_INVALID');
    assert.equal((short.body['details'] as Json)['reason'], 'too_short');
    const appointed = await owner(token, 'POST', `/upgrades/${id}/appoint`, {
      from: at(hour),
      until: at(3 * hour),
    });
    assert.equal(appointed.status, 200, JSON.stringify(appointed.body));
    assert.equal(appointed.body['confirmation'], 'confirmed');
    assert.equal(appointed.body['waiting'], false);
    assert.equal((await check(d)).errno, 11, 'not offered before the window');
    f.t.clock.advance(hour + 1000);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
    assert.equal((await upgradeOf(d)).state.status, 'pushed', 'pushed when the window opens');
    assert.equal((await check(d)).errno, 0);
    const log = await f.t.app.services.plans.upgradeLog(id);
    assert.ok(log.some((e) => e.event === 'appointed' && e.actor?.startsWith('enduser:')));
  });

  it('rejects, then retries after the failure', async () => {
    const d = f.devices[2]!;
    const { token } = await issue([d.id]);
    const id = (await upgradeOf(d)).id;
    const rejected = await owner(token, 'POST', `/upgrades/${id}/reject`);
    assert.equal(rejected.body['status'], 'failure');
    assert.equal(rejected.body['failureReason'], 'rejected');
    assert.equal(
      (await owner(token, 'POST', `/upgrades/${id}/reject`)).body['code'],
      'UPGRADE_INVALID_TRANSITION',
    );
    const retried = await owner(token, 'POST', `/upgrades/${id}/retry`);
    assert.equal(retried.body['status'], 'pending');
    assert.equal(retried.body['waiting'], true, 'a rejected manual upgrade awaits a decision again');
    const confirmed = await owner(token, 'POST', `/upgrades/${id}/confirm`);
    assert.equal(confirmed.body['confirmation'], 'confirmed');
    assert.equal((await check(d)).errno, 0);
  });

  it('confirms by itself what waits on a device whose auto-upgrade switch is on', async () => {
    const d = f.devices[3]!;
    const { token } = await issue([d.id]);
    assert.deepEqual((await owner(token, 'GET', `/devices/${d.id}/auto-upgrade`)).body, { enabled: false });
    const on = await owner(token, 'PUT', `/devices/${d.id}/auto-upgrade`, { enabled: true });
    assert.deepEqual(on.body, { enabled: true });
    const record = await upgradeOf(d);
    assert.equal(record.state.confirmation, 'confirmed');
    const log = await f.t.app.services.plans.upgradeLog(record.id);
    assert.ok(log.some((e) => e.event === 'confirmed' && e.actor === 'auto-upgrade'));
  });

  it('refuses a revoked or expired token', async () => {
    const d = f.devices[0]!;
    const revoked = await issue([d.id]);
    assert.equal((await owner(revoked.token, 'GET', '/devices')).status, 200);
    assert.equal((await f.t.admin.delete(`/api/v1/enduser-tokens/${revoked.id}`)).statusCode, 204);
    assert.equal((await owner(revoked.token, 'GET', '/devices')).body['code'], 'ENDUSER_TOKEN_INVALID');
    const stored = (await f.t.admin.get(`/api/v1/enduser-tokens/${revoked.id}`)).json();
    assert.equal(stored.active, false);
    const short = await issue([d.id], { ttlSeconds: 60 });
    f.t.clock.advance(61_000);
    assert.equal((await owner(short.token, 'GET', '/devices')).body['code'], 'ENDUSER_TOKEN_INVALID');
  });
});
