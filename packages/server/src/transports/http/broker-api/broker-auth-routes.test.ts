// The endpoints an external broker calls about Updraft's devices (docs/mqtt.md): EMQX 5's HTTP
// authentication and authorization, and mosquitto-go-auth's HTTP backend, through inject().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createQuectelPassword } from '@updraft/protocol';
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

const token = 'broker-token-for-tests';

describe('broker auth endpoints (EMQX and mosquitto-go-auth shapes)', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof fleetOf>>['a'];
  let b: Awaited<ReturnType<typeof fleetOf>>['b'];
  before(async () => {
    t = await createTestApp({ mqttUrl: 'mqtt://updraft:service-secret@127.0.0.1:1', mqttAuthToken: token });
    ({ a, b } = await fleetOf(t));
  });
  after(() => t?.close());
  const post = (url: string, payload: Record<string, unknown>) =>
    t.anonymous.request({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}` } });

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

  it('EMQX authorization: the ThingsPanel v1 topics of the device, its device_number being its username', async () => {
    const ask = async (username: string, topic: string, action: string) =>
      (await post('/broker/v1/emqx/authorize', { username, topic, action })).json().result;
    assert.equal(await ask(a.username, `ota/devices/inform/${a.username}`, 'subscribe'), 'allow');
    assert.equal(await ask(a.username, `ota/devices/infrom/${a.username}`, 'subscribe'), 'allow');
    assert.equal(await ask(a.username, `ota/devices/progress/${a.username}`, 'publish'), 'allow');
    assert.equal(
      await ask(a.username, 'ota/devices/progress', 'publish'),
      'allow',
      'a rewrite names the sender',
    );
    assert.equal(await ask(a.username, `ota/devices/inform/${b.username}`, 'subscribe'), 'deny');
    assert.equal(await ask(a.username, `ota/devices/infrom/${b.username}`, 'subscribe'), 'deny');
    assert.equal(await ask(a.username, `ota/devices/progress/${b.username}`, 'publish'), 'deny');
    assert.equal(await ask(a.username, `ota/devices/inform/${a.username}`, 'publish'), 'deny');
    const acl = async (topic: string, acc: number) =>
      (await post('/broker/v1/go-auth/acl', { username: a.username, topic, acc })).statusCode;
    assert.equal(await acl(`ota/devices/inform/${a.username}`, 4), 200);
    assert.equal(await acl(`ota/devices/progress/${a.username}`, 2), 200);
    assert.equal(await acl(`ota/devices/progress/${b.username}`, 2), 403);
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
      url: `/broker/v1/go-auth/acl?token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        username: a.username,
        topic: `ota/up/${a.username}/progress`,
        acc: '2',
      }).toString(),
    });
    assert.equal(form.statusCode, 200);
  });

  it('Quectel devices: sign-in by client id without a username, and their q/ topics', async () => {
    const product = (
      await t.admin.post('/api/v1/products', { name: 'Quectel', protocols: ['quectel'] })
    ).json();
    const { secret } = (
      await t.admin.post(`/api/v1/products/${product.id}/devices`, {
        name: 'q-1',
        versions: { default: '1.0' },
      })
    ).json();
    const clientid = `qd${product.productKey}q-1`;
    const signed = createQuectelPassword(clientid, secret, Math.floor(t.clock.now() / 1000) + 600);
    for (const password of [secret, signed]) {
      const ok = await post('/broker/v1/emqx/authenticate', { username: '', password, clientid });
      assert.deepEqual(ok.json(), { result: 'allow', is_superuser: false });
    }
    const wrong = await post('/broker/v1/emqx/authenticate', { username: '', password: 'nope', clientid });
    assert.deepEqual(wrong.json(), { result: 'deny' });
    assert.equal(
      (await post('/broker/v1/go-auth/user', { username: '', password: secret, clientid })).statusCode,
      200,
    );
    const other = `qd${product.productKey}q-2`;
    const ask = async (topic: string, action: string) =>
      (await post('/broker/v1/emqx/authorize', { username: '', clientid, topic, action })).json().result;
    assert.equal(await ask(`q/1/d/${clientid}/+`, 'subscribe'), 'allow');
    assert.equal(await ask(`q/2/d/${clientid}/ota`, 'publish'), 'allow');
    assert.equal(await ask(`q/2/d/${clientid}/bus`, 'publish'), 'allow');
    assert.equal(await ask(`q/1/d/${other}/+`, 'subscribe'), 'deny');
    assert.equal(await ask(`q/2/d/${other}/ota`, 'publish'), 'deny');
    assert.equal(await ask('q/1/d/#', 'subscribe'), 'deny');
    assert.equal(await ask(`q/1/d/${clientid}/ota`, 'publish'), 'deny');
    const acl = async (topic: string, acc: number) =>
      (await post('/broker/v1/go-auth/acl', { username: '', clientid, topic, acc })).statusCode;
    assert.equal(await acl(`q/1/d/${clientid}/+`, 4), 200);
    assert.equal(await acl(`q/2/d/${other}/ota`, 2), 403);
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
    t = await createTestApp({
      mqttUrl: 'mqtt://updraft:service-secret@127.0.0.1:1',
      mqttAuthToken: 'broker-token',
    });
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

describe('broker auth endpoints: only for an external broker, bound client ids, limited sign-ins', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof fleetOf>>['a'];
  let b: Awaited<ReturnType<typeof fleetOf>>['b'];
  before(async () => {
    t = await createTestApp({ mqttUrl: 'mqtt://updraft:service-secret@127.0.0.1:1', mqttAuthToken: token });
    ({ a, b } = await fleetOf(t));
  });
  after(() => t?.close());
  const authenticate = (payload: Record<string, unknown>) =>
    t.anonymous.request({
      method: 'POST',
      url: '/broker/v1/emqx/authenticate',
      payload,
      headers: { authorization: `Bearer ${token}` },
    });

  it('do not exist on the embedded broker', async () => {
    const embedded = await createTestApp();
    try {
      const res = await embedded.anonymous.post('/broker/v1/emqx/authenticate', {
        username: 'x',
        password: 'y',
      });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'ROUTE_NOT_FOUND');
      const spec = (await embedded.anonymous.get('/openapi.json')).json();
      assert.ok(!Object.keys(spec.paths).some((p) => p.startsWith('/broker/')));
    } finally {
      await embedded.close();
    }
  });

  it('refuses a device whose client id is not its own', async () => {
    const own = await authenticate({
      username: a.username,
      password: a.secret,
      clientid: `${a.username}~x1`,
    });
    assert.deepEqual(own.json(), { result: 'allow', is_superuser: false });
    const exact = await authenticate({ username: a.username, password: a.secret, clientid: a.username });
    assert.equal(exact.json().result, 'allow');
    for (const clientid of [b.username, `${b.username}~x1`, `${a.username}-x1`, 'mqttjs_1234']) {
      const other = await authenticate({ username: a.username, password: a.secret, clientid });
      assert.deepEqual(other.json(), { result: 'deny' }, clientid);
    }
  });

  it('limits sign-in questions per device name: 429 and deny past the limit', async () => {
    let limited: Awaited<ReturnType<typeof authenticate>> | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await authenticate({ username: b.username, password: `guess-${i}` });
      if (res.statusCode === 429) limited = res;
      else assert.deepEqual(res.json(), { result: 'deny' });
    }
    assert.ok(limited, 'the guesses met a limit');
    assert.equal(limited.json().result, 'deny');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    // The right secret is refused too while the name is limited; other devices are not held.
    assert.equal((await authenticate({ username: b.username, password: b.secret })).statusCode, 429);
    assert.equal((await authenticate({ username: a.username, password: a.secret })).json().result, 'allow');
  });
});
