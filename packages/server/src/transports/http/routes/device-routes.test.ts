import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('devices API', { skip }, () => {
  let t: TestApp;
  let meter: number;
  let gatewayProduct: number;
  let sensor: number;

  const product = async (name: string, nodeType: string) =>
    (await t.admin.post('/api/v1/products', { name, nodeType })).json().id as number;
  const register = (productId: number, body: unknown) =>
    t.admin.post(`/api/v1/products/${productId}/devices`, body);
  async function refused(productId: number, body: unknown, code: string, status = 400) {
    const res = await register(productId, body);
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().code, code, res.body);
    return res.json();
  }
  const names = (res: { json(): { items: { name: string }[] } }) => res.json().items.map((d) => d.name);

  before(async () => {
    t = await createTestApp();
    meter = await product('meter', 'direct');
    gatewayProduct = await product('hub', 'gateway');
    sensor = await product('sensor', 'subdevice');
    await t.admin.post(`/api/v1/products/${meter}/modules`, { name: 'MCU', kind: 'mcu' });
  });
  after(() => t.close());

  it('registers a device and shows its secret once, never on reading', async () => {
    const res = await register(meter, {
      name: 'm-1',
      tags: ['north', 'b:2'],
      versions: { default: '1.0', MCU: 'a1' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const { device, secret } = res.json();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(device.tags, ['north', 'b:2']);
    assert.equal(device.online, false);
    const read = await t.admin.get(`/api/v1/devices/${device.id}`);
    assert.equal(read.statusCode, 200);
    assert.ok(!read.body.includes(secret));
    assert.ok(!read.body.includes('secret'));
    assert.deepEqual(
      read.json().versions.map((v: { module: string; version: string }) => [v.module, v.version]),
      [
        ['MCU', 'a1'],
        ['default', '1.0'],
      ],
    );
    assert.equal(read.json().subDevices, 0);
    const list = await t.admin.get(`/api/v1/devices?productId=${meter}`);
    assert.ok(!list.body.includes(secret));
    const found = await t.app.services.devices.authenticate(meter, 'm-1', secret);
    assert.equal(found?.id, device.id);
  });

  it('refuses bad device names', async () => {
    for (const name of ['', 'has space', 'x'.repeat(65), 'slash/y', 'é']) {
      await refused(meter, { name }, 'VALIDATION_FAILED');
    }
    assert.equal((await register(meter, { name: `A.b_c:d@e-${'x'.repeat(54)}` })).statusCode, 201);
  });

  it('refuses a name taken in the product but not in another product', async () => {
    assert.equal((await register(meter, { name: 'twin' })).statusCode, 201);
    await refused(meter, { name: 'twin' }, 'DEVICE_NAME_TAKEN', 409);
    assert.equal((await register(gatewayProduct, { name: 'twin' })).statusCode, 201);
  });

  it('refuses bad tags: too many, too long, bad characters, not strings', async () => {
    await refused(
      meter,
      { name: 'tg1', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
      'VALIDATION_FAILED',
    );
    await refused(meter, { name: 'tg2', tags: ['x'.repeat(33)] }, 'VALIDATION_FAILED');
    await refused(meter, { name: 'tg3', tags: ['a b'] }, 'VALIDATION_FAILED');
    await refused(meter, { name: 'tg4', tags: [''] }, 'VALIDATION_FAILED');
    await refused(meter, { name: 'tg5', tags: { north: true } }, 'VALIDATION_FAILED');
    const ok = await register(meter, { name: 'tg6', tags: ['a', 'a', 'x'.repeat(32)] });
    assert.deepEqual(ok.json().device.tags, ['a', 'x'.repeat(32)]);
  });

  it('refuses versions of unknown modules and bad version names', async () => {
    const error = await refused(meter, { name: 'v1', versions: { WIFI: '1.0' } }, 'VALIDATION_FAILED');
    assert.equal(error.details.module, 'WIFI');
    await refused(meter, { name: 'v2', versions: { default: '1 0' } }, 'VALIDATION_FAILED');
    await refused(meter, { name: 'v3', versions: { default: 'x'.repeat(51) } }, 'VALIDATION_FAILED');
  });

  it('refuses unknown fields and unknown products', async () => {
    const error = await refused(meter, { name: 'u1', colour: 'red' }, 'UNKNOWN_FIELD');
    assert.equal(error.details.field, 'colour');
    await refused(999999, { name: 'u2' }, 'NOT_FOUND', 404);
  });

  it('links sub-devices to a gateway and checks both node types', async () => {
    const gw = (await register(gatewayProduct, { name: 'gw-1' })).json().device;
    const plain = (await register(meter, { name: 'not-a-gw' })).json().device;
    const sub = await register(sensor, { name: 's-1', gatewayId: gw.id });
    assert.equal(sub.statusCode, 201, sub.body);
    assert.equal(sub.json().device.gatewayId, gw.id);
    await refused(meter, { name: 'm-gw', gatewayId: gw.id }, 'VALIDATION_FAILED');
    await refused(sensor, { name: 's-2', gatewayId: plain.id }, 'VALIDATION_FAILED');
    await refused(sensor, { name: 's-3', gatewayId: 999999 }, 'VALIDATION_FAILED');
    assert.equal((await register(sensor, { name: 's-4' })).statusCode, 201);
    assert.equal((await t.admin.get(`/api/v1/devices/${gw.id}`)).json().subDevices, 1);
    assert.deepEqual(names(await t.admin.get(`/api/v1/devices/${gw.id}/sub-devices`)), ['s-1']);
    assert.deepEqual(names(await t.admin.get(`/api/v1/devices?gatewayId=${gw.id}`)), ['s-1']);
    const id = sub.json().device.id;
    const self = await t.admin.patch(`/api/v1/devices/${id}`, { gatewayId: id });
    assert.equal(self.json().code, 'VALIDATION_FAILED');
    const cleared = await t.admin.patch(`/api/v1/devices/${id}`, { gatewayId: null });
    assert.equal(cleared.json().gatewayId, null);
    assert.equal((await t.admin.get(`/api/v1/devices/${gw.id}/sub-devices`)).json().items.length, 0);
  });

  it('filters and pages a gateway’s sub-devices', async () => {
    const gw = (await register(gatewayProduct, { name: 'gw-filter' })).json().device;
    for (let i = 0; i < 5; i++) {
      const res = await register(sensor, {
        name: `sf-${i}`,
        gatewayId: gw.id,
        tags: [i % 2 ? 'odd' : 'even'],
        versions: { default: i < 2 ? '1.0' : '2.0' },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const list = (query: string) => t.admin.get(`/api/v1/devices/${gw.id}/sub-devices?${query}`);
    assert.deepEqual(names(await list('tag=odd')), ['sf-1', 'sf-3']);
    assert.deepEqual(names(await list('version=2.0&tag=even')), ['sf-2', 'sf-4']);
    assert.deepEqual(names(await list('q=SF-0')), ['sf-0']);
    assert.deepEqual(names(await list('online=true')), []);
    const first = (await list('tag=even&limit=2')).json();
    assert.equal(first.items.length, 2);
    assert.deepEqual(names(await list(`tag=even&limit=2&cursor=${first.nextCursor}`)), ['sf-4']);
    assert.equal((await list(`tag=odd&cursor=${first.nextCursor}`)).json().code, 'INVALID_CURSOR');
    assert.equal((await list('gatewayId=1')).json().code, 'UNKNOWN_FIELD');
  });

  it('replaces tags and refuses empty or unknown patches', async () => {
    const { id } = (await register(meter, { name: 'patched', tags: ['old'] })).json().device;
    const res = await t.admin.patch(`/api/v1/devices/${id}`, { tags: ['new', 'fresh'] });
    assert.deepEqual(res.json().tags, ['new', 'fresh']);
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?tag=fresh')), ['patched']);
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?tag=old')), []);
    assert.equal((await t.admin.patch(`/api/v1/devices/${id}`, {})).json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.patch(`/api/v1/devices/${id}`, { name: 'x' })).json().code, 'UNKNOWN_FIELD');
    assert.equal(
      (await t.admin.patch(`/api/v1/devices/${id}`, { tags: ['a b'] })).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal((await t.admin.patch('/api/v1/devices/999999', { tags: [] })).statusCode, 404);
  });

  it('rotates a secret: the old one stops working, secretOf gives the new one', async () => {
    const first = (await register(meter, { name: 'rot' })).json();
    const res = await t.admin.post(`/api/v1/devices/${first.device.id}/credentials`);
    assert.equal(res.statusCode, 200, res.body);
    const { secret } = res.json();
    assert.notEqual(secret, first.secret);
    const devices = t.app.services.devices;
    assert.equal(await devices.authenticate(meter, 'rot', first.secret), undefined);
    assert.equal((await devices.authenticate(meter, 'rot', secret))?.id, first.device.id);
    const { productKey } = (await t.admin.get(`/api/v1/products/${meter}`)).json();
    assert.equal((await devices.authenticate(productKey, 'rot', secret))?.id, first.device.id);
    assert.equal(await devices.authenticate(productKey, 'nobody', secret), undefined);
    assert.equal(await devices.secretOf(first.device), secret);
  });

  it('filters by version, module, online and name, and records telemetry within range', async () => {
    const devices = t.app.services.devices;
    const a = (await register(meter, { name: 'flt-a', versions: { default: '2.0', MCU: 'b' } })).json()
      .device;
    await register(meter, { name: 'flt-b', versions: { default: '2.1' } });
    await register(meter, { name: 'flt-c' });
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&version=2.0')), ['flt-a']);
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&module=MCU&version=b')), ['flt-a']);
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&module=default')), ['flt-a', 'flt-b']);
    await devices.recordTelemetry(a.id, { online: true, signal: -70, battery: 80 });
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&online=true')), ['flt-a']);
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&online=false')), ['flt-b', 'flt-c']);
    const seen = (await t.admin.get(`/api/v1/devices/${a.id}`)).json();
    assert.equal(seen.signal, -70);
    assert.equal(seen.battery, 80);
    assert.equal(seen.lastSeenAt, new Date(t.clock.now()).toISOString());
    for (const bad of [
      { signal: -151 },
      { signal: 1 },
      { signal: -1.5 },
      { battery: -1 },
      { battery: 101 },
    ]) {
      await assert.rejects(devices.recordTelemetry(a.id, bad), { code: 'VALIDATION_FAILED' });
    }
    await devices.reportVersion(a.id, 'default', '2.2');
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&version=2.2')), ['flt-a']);
    await assert.rejects(devices.reportVersion(a.id, 'WIFI', '1'), { code: 'VALIDATION_FAILED' });
    // Batched (device transports): each entry checked alike, the accepted ones stored in order.
    const refusals = await devices.reportVersions([
      { id: a.id, module: 'default', version: '2.3' },
      { id: a.id, module: 'WIFI', version: '1' },
      { id: 999999, module: 'default', version: '1' },
      { id: a.id, module: 'default', version: '2.2' },
    ]);
    assert.deepEqual(
      refusals.map((r) => (r === null ? null : (r as { code: string }).code)),
      [null, 'VALIDATION_FAILED', 'NOT_FOUND', null],
    );
    assert.deepEqual(names(await t.admin.get('/api/v1/devices?q=flt&version=2.2')), ['flt-a']);
    assert.equal((await t.admin.get('/api/v1/devices?online=maybe')).json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.get('/api/v1/devices?colour=red')).json().code, 'UNKNOWN_FIELD');
  });

  it('lists each device with its reported versions and counts what the filters match', async () => {
    const listed = (await t.admin.get('/api/v1/devices?q=flt')).json().items;
    const a = listed.find((d: { name: string }) => d.name === 'flt-a');
    assert.deepEqual(a.versions, [
      { module: 'MCU', version: 'b' },
      { module: 'default', version: '2.2' },
    ]);
    assert.deepEqual(listed.find((d: { name: string }) => d.name === 'flt-c').versions, []);
    const count = (query: string) => t.admin.get(`/api/v1/devices/count${query}`);
    assert.deepEqual((await count('?q=flt')).json(), { count: 3, exact: true });
    assert.deepEqual((await count('?q=flt&online=false')).json(), { count: 2, exact: true });
    assert.deepEqual((await count(`?productId=${meter}&module=default&version=2.1`)).json(), {
      count: 1,
      exact: true,
    });
    // Unfiltered totals come from the kept count: the same as counting the list.
    const listedCount = async (query: string) => {
      let n = 0;
      for (let cursor = ''; ; ) {
        const page = (await t.admin.get(`/api/v1/devices?limit=200${query}${cursor}`)).json();
        n += page.items.length;
        if (!page.nextCursor) return n;
        cursor = `&cursor=${encodeURIComponent(page.nextCursor)}`;
      }
    };
    assert.deepEqual((await count('')).json(), { count: await listedCount(''), exact: true });
    assert.deepEqual((await count(`?productId=${meter}&q=`)).json(), {
      count: await listedCount(`&productId=${meter}`),
      exact: true,
    });
    assert.equal((await count('?colour=red')).json().code, 'UNKNOWN_FIELD');
    assert.equal((await count('?limit=5')).json().code, 'UNKNOWN_FIELD');
  });

  it('pages with signed cursors and refuses forged or stale ones', async () => {
    for (let i = 0; i < 5; i++) await register(meter, { name: `page-${i}` });
    const first = (await t.admin.get('/api/v1/devices?q=page-&limit=2')).json();
    assert.deepEqual(
      first.items.map((d: { name: string }) => d.name),
      ['page-0', 'page-1'],
    );
    const second = (await t.admin.get(`/api/v1/devices?q=page-&limit=2&cursor=${first.nextCursor}`)).json();
    assert.deepEqual(
      second.items.map((d: { name: string }) => d.name),
      ['page-2', 'page-3'],
    );
    const stale = await t.admin.get(`/api/v1/devices?q=other&limit=2&cursor=${first.nextCursor}`);
    assert.equal(stale.json().code, 'INVALID_CURSOR');
    const forged = `${Buffer.from('{"a":0,"f":"[]"}').toString('base64url')}.${first.nextCursor.split('.')[1]}`;
    assert.equal(
      (await t.admin.get(`/api/v1/devices?q=page-&cursor=${forged}`)).json().code,
      'INVALID_CURSOR',
    );
  });

  it('lets a viewer read but not change, and refuses anonymous callers', async () => {
    const viewer = await t.as('viewer');
    const { id } = (await register(meter, { name: 'roles' })).json().device;
    assert.equal((await viewer.get('/api/v1/devices')).statusCode, 200);
    assert.equal((await viewer.get(`/api/v1/devices/${id}`)).statusCode, 200);
    assert.equal((await viewer.get(`/api/v1/devices/${id}/sub-devices`)).statusCode, 200);
    for (const res of [
      await viewer.post(`/api/v1/products/${meter}/devices`, { name: 'nope' }),
      await viewer.patch(`/api/v1/devices/${id}`, { tags: [] }),
      await viewer.delete(`/api/v1/devices/${id}`),
      await viewer.post(`/api/v1/devices/${id}/credentials`),
      await viewer.request({
        method: 'POST',
        url: `/api/v1/products/${meter}/devices/import`,
        headers: { 'content-type': 'text/csv' },
        payload: 'name\nnope\n',
      }),
    ]) {
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'FORBIDDEN');
    }
    const operator = await t.as('operator');
    assert.equal((await operator.patch(`/api/v1/devices/${id}`, { tags: ['op'] })).statusCode, 200);
    for (const res of [
      await t.anonymous.get('/api/v1/devices'),
      await t.anonymous.get(`/api/v1/devices/${id}`),
      await t.anonymous.post(`/api/v1/products/${meter}/devices`, { name: 'anon' }),
    ]) {
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'UNAUTHENTICATED');
    }
  });

  it('deletes a device', async () => {
    const { id } = (await register(meter, { name: 'gone' })).json().device;
    assert.equal((await t.admin.delete(`/api/v1/devices/${id}`)).statusCode, 204);
    assert.equal((await t.admin.get(`/api/v1/devices/${id}`)).json().code, 'NOT_FOUND');
    assert.equal((await t.admin.delete(`/api/v1/devices/${id}`)).json().code, 'NOT_FOUND');
    assert.equal((await register(meter, { name: 'gone' })).statusCode, 201);
  });

  it('documents every device route in OpenAPI', async () => {
    const spec = (await t.app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of [
      '/api/v1/products/{id}/devices',
      '/api/v1/products/{id}/devices/import',
      '/api/v1/devices',
      '/api/v1/devices/count',
      '/api/v1/devices/{id}',
      '/api/v1/devices/{id}/credentials',
      '/api/v1/devices/{id}/sub-devices',
    ]) {
      assert.ok(spec.paths[path], path);
    }
    // The streamed import documents its three body formats, so that Swagger UI can send one.
    const body = spec.paths['/api/v1/products/{id}/devices/import'].post.requestBody;
    assert.deepEqual(Object.keys(body.content).sort(), [
      'application/json',
      'application/x-ndjson',
      'text/csv',
    ]);
    assert.equal(body.content['text/csv'].schema.type, 'string');
    assert.equal(body.content['application/json'].schema.type, 'array');
    assert.deepEqual(body.content['application/json'].schema.items.required, ['name']);
    const register = spec.paths['/api/v1/products/{id}/devices'].post.requestBody;
    const name = register.content['application/json'].schema.properties.name;
    assert.equal(new RegExp(name.pattern).test('meter-01'), true);
    assert.equal(new RegExp(name.pattern).test('no spaces'), false);
  });
});
