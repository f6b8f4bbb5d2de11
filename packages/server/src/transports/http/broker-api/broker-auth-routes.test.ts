// The endpoints an external broker calls about Updraft's devices (docs/mqtt.md): EMQX 5's HTTP
// authentication and authorization, and mosquitto-go-auth's HTTP backend, through inject().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';

async function fleetOf(t: TestApp) {
  const product = (await t.admin.post('/api/v1/products', { name: 'Meter' })).json();
  const register = async (name: string) => {
    const { device, secret } = (
      await t.admin.post(`/api/v1/products/${product.id}/devices`, { name, versions: { default: '1.0' } })
    ).json();
    return { id: device.id as number, username: `${product.productKey}.${name}`, secret: secret as string };
  };
  return { a: await register('a-1'), b: await register('b-1') };
}

describe('broker auth endpoints (EMQX and mosquitto-go-auth shapes)', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof fleetOf>>['a'];
  let b: Awaited<ReturnType<typeof fleetOf>>['b'];
  before(async () => {
    t = await createTestApp({ mqttUrl: 'mqtt://updraft:service-secret@127.0.0.1:1' });
    ({ a, b } = await fleetOf(t));
  });
  after(() => t?.close());
  const post = (url: string, payload: Record<string, unknown>) =>
    t.anonymous.request({ method: 'POST', url, payload });

  it('EMQX authentication: allows a device with its secret, denies a wrong one, ignores strangers', async () => {
    const ok = await post('/broker/v1/emqx/authenticate', { username: a.username, password: a.secret });
    assert.deepEqual(ok.json(), { result: 'allow', is_superuser: false });
    const wrong = await post('/broker/v1/emqx/authenticate', { username: a.username, password: 'nope' });
    assert.deepEqual(wrong.json(), { result: 'deny' });
    const stranger = await post('/broker/v1/emqx/authenticate', { username: 'dashboard', password: 'x' });
    assert.deepEqual(stranger.json(), { result: 'ignore' });
    const service = await post('/broker/v1/emqx/authenticate', {
      username: 'updraft',
      password: 'service-secret',
    });
    assert.deepEqual(service.json(), { result: 'allow', is_superuser: true });
    const badService = await post('/broker/v1/emqx/authenticate', { username: 'updraft', password: 'x' });
    assert.deepEqual(badService.json(), { result: 'deny' });
  });

  it("EMQX authorization: a device's own topics only", async () => {
    const ask = async (username: string, topic: string, action: string) =>
      (await post('/broker/v1/emqx/authorize', { username, topic, action })).json().result;
    assert.equal(await ask(a.username, `ota/up/${a.username}/inform`, 'publish'), 'allow');
    assert.equal(await ask(a.username, `ota/up/${a.username}/progress`, 'publish'), 'allow');
    assert.equal(await ask(a.username, `ota/device/inform/${a.username}`, 'subscribe'), 'allow');
    assert.equal(await ask(a.username, `ota/up/${b.username}/progress`, 'publish'), 'deny');
    assert.equal(await ask(a.username, `ota/device/inform/${b.username}`, 'subscribe'), 'deny');
    assert.equal(await ask(a.username, 'ota/device/inform/#', 'subscribe'), 'deny');
    assert.equal(await ask(a.username, `ota/device/inform/${a.username}`, 'publish'), 'deny');
    assert.equal(await ask('dashboard', 'anything', 'publish'), 'ignore');
    assert.equal(await ask('updraft', '$share/g/ota/up/+/inform', 'subscribe'), 'allow');
  });

  it('mosquitto-go-auth: user, superuser and ACL checks as status codes, in JSON or form parameters', async () => {
    assert.equal(
      (await post('/broker/v1/go-auth/user', { username: a.username, password: a.secret })).statusCode,
      200,
    );
    const refused = await post('/broker/v1/go-auth/user', { username: a.username, password: 'nope' });
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(refused.json(), { ok: false, error: 'bad username or password' });
    assert.equal((await post('/broker/v1/go-auth/superuser', { username: a.username })).statusCode, 403);
    assert.equal((await post('/broker/v1/go-auth/superuser', { username: 'updraft' })).statusCode, 200);

    const acl = async (topic: string, acc: number) =>
      (await post('/broker/v1/go-auth/acl', { username: a.username, topic, acc })).statusCode;
    assert.equal(await acl(`ota/up/${a.username}/inform`, 2), 200);
    assert.equal(await acl(`ota/device/inform/${a.username}`, 4), 200);
    assert.equal(await acl(`ota/device/inform/${a.username}`, 1), 200);
    assert.equal(await acl(`ota/device/inform/${b.username}`, 4), 403);
    assert.equal(await acl(`ota/up/${b.username}/inform`, 2), 403);
    assert.equal(await acl(`ota/up/${a.username}/inform`, 3), 403, 'read and write needs both');
    assert.equal(await acl(`ota/up/${a.username}/inform`, 9), 403);

    const form = await t.anonymous.request({
      method: 'POST',
      url: '/broker/v1/go-auth/acl',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        username: a.username,
        topic: `ota/up/${a.username}/progress`,
        acc: '2',
      }).toString(),
    });
    assert.equal(form.statusCode, 200);
  });

  it('answers a malformed question with 400, not a sign-in', async () => {
    const res = await post('/broker/v1/emqx/authenticate', { username: a.username });
    assert.equal(res.statusCode, 400);
  });
});

describe('broker auth endpoints with UPDRAFT_MQTT_AUTH_TOKEN', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof fleetOf>>['a'];
  before(async () => {
    t = await createTestApp({ mqttAuthToken: 'broker-token' });
    ({ a } = await fleetOf(t));
  });
  after(() => t?.close());

  it('refuses callers without the token, by header or query', async () => {
    const body = { username: a.username, password: a.secret };
    const none = await t.anonymous.request({
      method: 'POST',
      url: '/broker/v1/emqx/authenticate',
      payload: body,
    });
    assert.equal(none.statusCode, 401);
    const wrong = await t.anonymous.request({
      method: 'POST',
      url: '/broker/v1/emqx/authenticate',
      headers: { authorization: 'Bearer nope' },
      payload: body,
    });
    assert.equal(wrong.statusCode, 401);
    const header = await t.anonymous.request({
      method: 'POST',
      url: '/broker/v1/emqx/authenticate',
      headers: { authorization: 'Bearer broker-token' },
      payload: body,
    });
    assert.deepEqual(header.json(), { result: 'allow', is_superuser: false });
    const query = await t.anonymous.request({
      method: 'POST',
      url: '/broker/v1/go-auth/user?token=broker-token',
      payload: body,
    });
    assert.equal(query.statusCode, 200);
  });
});
