import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('products API', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('creates a product with a default module and lists it', async () => {
    const res = await t.admin.post('/api/v1/products', {
      name: 'Smart meter',
      manufacturer: 'ACME',
      model: 'M1',
      nodeType: 'gateway',
    });
    assert.equal(res.statusCode, 201, res.body);
    const product = res.json();
    assert.match(product.productKey, /^pk_/);
    assert.equal(product.nodeType, 'gateway');
    const modules = (await t.admin.get(`/api/v1/products/${product.id}/modules`)).json();
    assert.deepEqual(
      modules.items.map((m: { name: string }) => m.name),
      ['default'],
    );
    const list = (await t.admin.get('/api/v1/products?q=smart')).json();
    assert.ok(list.items.some((p: { id: number }) => p.id === product.id));
  });

  it('refuses an unknown field with UNKNOWN_FIELD', async () => {
    const res = await t.admin.post('/api/v1/products', { name: 'x', colour: 'red' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'UNKNOWN_FIELD');
    assert.equal(res.json().details.field, 'colour');
  });

  it('refuses a taken product key', async () => {
    assert.equal(
      (await t.admin.post('/api/v1/products', { name: 'a', productKey: 'dup-key' })).statusCode,
      201,
    );
    const res = await t.admin.post('/api/v1/products', { name: 'b', productKey: 'dup-key' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'PRODUCT_KEY_TAKEN');
  });

  it('refuses a blank name and a bad node type', async () => {
    assert.equal((await t.admin.post('/api/v1/products', { name: '   ' })).json().code, 'VALIDATION_FAILED');
    assert.equal(
      (await t.admin.post('/api/v1/products', { name: 'n', nodeType: 'toaster' })).json().code,
      'VALIDATION_FAILED',
    );
  });

  it('refuses a product key that is not 4 to 64 letters, digits, - or _', async () => {
    for (const productKey of ['abc', 'x'.repeat(65), 'has space', 'dot.ted', 'ключ-1234', '']) {
      const res = await t.admin.post('/api/v1/products', { name: 'keyed', productKey });
      assert.equal(res.statusCode, 400, productKey);
      assert.equal(res.json().code, 'VALIDATION_FAILED', productKey);
      assert.equal(res.json().details.field, 'productKey', productKey);
    }
    for (const productKey of ['abcd', 'x'.repeat(64), 'A-b_9']) {
      assert.equal(
        (await t.admin.post('/api/v1/products', { name: 'keyed', productKey })).statusCode,
        201,
        productKey,
      );
    }
  });

  it('refuses a protocols list that is empty, too long or names an unknown protocol', async () => {
    const refused = async (protocols: unknown) => {
      const res = await t.admin.post('/api/v1/products', { name: 'talks', protocols });
      assert.equal(res.statusCode, 400, JSON.stringify(protocols));
      assert.equal(res.json().code, 'VALIDATION_FAILED', JSON.stringify(protocols));
      assert.match(res.json().details.field, /^protocols/, JSON.stringify(protocols));
    };
    await refused([]);
    await refused(['mqtt', 'http', 'lwm2m', 'thingspanel-v1', 'thingspanel-v1-infrom', 'quectel', 'mqtt']);
    await refused(['thingspanel-v1-infrom']);
    await refused(['carrier-pigeon']);
    await refused(['mqtt', 'MQTT']);
    await refused([{ name: 'mqtt' }]);
    const ok = await t.admin.post('/api/v1/products', { name: 'talks', protocols: ['lwm2m', 'lwm2m'] });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.deepEqual(ok.json().protocols, ['lwm2m'], 'duplicates are dropped');
    const v1 = await t.admin.post('/api/v1/products', {
      name: 'talks v1',
      protocols: ['thingspanel-v1', 'thingspanel-v1-infrom', 'mqtt'],
    });
    assert.equal(v1.statusCode, 201, v1.body);
    assert.deepEqual(v1.json().protocols, ['thingspanel-v1', 'thingspanel-v1-infrom', 'mqtt']);
  });

  it('refuses over-long names, manufacturers, models and descriptions, and bad sign methods', async () => {
    const refused = async (body: Record<string, unknown>, field: string) => {
      const res = await t.admin.post('/api/v1/products', { name: 'long', ...body });
      assert.equal(res.statusCode, 400, field);
      assert.equal(res.json().code, 'VALIDATION_FAILED', field);
      assert.equal(res.json().details.field, field);
    };
    await refused({ name: 'n'.repeat(101) }, 'name');
    await refused({ manufacturer: 'm'.repeat(101) }, 'manufacturer');
    await refused({ model: 'm'.repeat(101) }, 'model');
    await refused({ description: 'd'.repeat(1001) }, 'description');
    await refused({ signMethod: 'crc32' }, 'signMethod');
    const atLimit = await t.admin.post('/api/v1/products', {
      name: '名'.repeat(100),
      manufacturer: 'm'.repeat(100),
      model: 'm'.repeat(100),
    });
    assert.equal(atLimit.statusCode, 201, atLimit.body);
    assert.equal(atLimit.json().name, '名'.repeat(100));
  });

  it('refuses bad PATCH bodies and changes nothing', async () => {
    const product = (
      await t.admin.post('/api/v1/products', { name: 'patched', manufacturer: 'ACME', protocols: ['mqtt'] })
    ).json();
    const patch = (body: unknown) => t.admin.patch(`/api/v1/products/${product.id}`, body);
    const refused = async (body: unknown, code: string, field?: string) => {
      const res = await patch(body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().code, code, JSON.stringify(body));
      if (field) assert.equal(res.json().details.field, field, JSON.stringify(body));
    };
    await refused({}, 'VALIDATION_FAILED');
    await refused({ colour: 'red' }, 'UNKNOWN_FIELD', 'colour');
    await refused({ productKey: 'new-key-1' }, 'UNKNOWN_FIELD', 'productKey');
    await refused({ name: '' }, 'VALIDATION_FAILED', 'name');
    await refused({ name: '   ' }, 'VALIDATION_FAILED', 'name');
    await refused({ name: { text: 'x' } }, 'VALIDATION_FAILED', 'name');
    await refused({ manufacturer: 'm'.repeat(101) }, 'VALIDATION_FAILED', 'manufacturer');
    await refused({ model: 'm'.repeat(101) }, 'VALIDATION_FAILED', 'model');
    await refused({ protocols: [] }, 'VALIDATION_FAILED', 'protocols');
    await refused({ protocols: ['zigbee'] }, 'VALIDATION_FAILED');
    await refused({ nodeType: 'toaster' }, 'VALIDATION_FAILED', 'nodeType');
    await refused([{ name: 'x' }], 'VALIDATION_FAILED');
    const notJson = await t.admin.request({
      method: 'PATCH',
      url: `/api/v1/products/${product.id}`,
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().code, 'VALIDATION_FAILED');
    assert.deepEqual((await t.admin.get(`/api/v1/products/${product.id}`)).json(), product);

    const changed = await patch({ manufacturer: '  Globex  ', protocols: ['http', 'lwm2m'] });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().manufacturer, 'Globex');
    assert.deepEqual(changed.json().protocols, ['http', 'lwm2m']);
    assert.equal(changed.json().productKey, product.productKey);
    const missing = await t.admin.patch('/api/v1/products/999999', { name: 'ghost' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'NOT_FOUND');
  });

  it('refuses module names that are too long or have other characters, and bad kinds', async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'modules checked' })).json();
    const add = (body: unknown) => t.admin.post(`/api/v1/products/${product.id}/modules`, body);
    for (const name of ['', 'm'.repeat(33), 'has space', 'a/b', 'ü']) {
      const res = await add({ name });
      assert.equal(res.statusCode, 400, name);
      assert.equal(res.json().code, 'VALIDATION_FAILED', name);
      assert.equal(res.json().details.field, 'name', name);
    }
    assert.equal((await add({ name: 'm'.repeat(32) })).statusCode, 201);
    assert.equal((await add({ name: 'wifi', kind: 'radio' })).json().code, 'VALIDATION_FAILED');
    assert.equal(
      (await add({ name: 'wifi', description: 'd'.repeat(1001) })).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal((await add({ name: 'wifi', colour: 'red' })).json().code, 'UNKNOWN_FIELD');
  });

  it('pages with signed cursors and refuses forged or stale ones', async () => {
    for (let i = 0; i < 5; i++)
      await t.admin.post('/api/v1/products', { name: `paged ${i}`, model: 'paged' });
    const first = (await t.admin.get('/api/v1/products?q=paged&limit=2')).json();
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const second = (await t.admin.get(`/api/v1/products?q=paged&limit=2&cursor=${first.nextCursor}`)).json();
    assert.notEqual(second.items[0].id, first.items[0].id);
    assert.ok(second.items[0].id > first.items[1].id);
    const stale = await t.admin.get(`/api/v1/products?q=other&limit=2&cursor=${first.nextCursor}`);
    assert.equal(stale.statusCode, 400);
    assert.equal(stale.json().code, 'INVALID_CURSOR');
    const [body] = first.nextCursor.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ a: 0, f: '[["q","paged"]]' })).toString('base64url');
    const forged = await t.admin.get(
      `/api/v1/products?q=paged&cursor=${forgedBody}.${first.nextCursor.split('.')[1]}`,
    );
    assert.equal(forged.json().code, 'INVALID_CURSOR');
    assert.ok(body);
  });

  it('lets a viewer read but not create, and refuses anonymous callers', async () => {
    const viewer = await t.as('viewer');
    assert.equal((await viewer.get('/api/v1/products')).statusCode, 200);
    const refused = await viewer.post('/api/v1/products', { name: 'nope' });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'FORBIDDEN');
    const anonymous = await t.anonymous.get('/api/v1/products');
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'UNAUTHENTICATED');
  });

  it('adds and removes modules but keeps default', async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'modular' })).json();
    const mcu = await t.admin.post(`/api/v1/products/${product.id}/modules`, { name: 'MCU', kind: 'mcu' });
    assert.equal(mcu.statusCode, 201);
    assert.equal(
      (await t.admin.post(`/api/v1/products/${product.id}/modules`, { name: 'MCU' })).json().code,
      'MODULE_EXISTS',
    );
    assert.equal(
      (await t.admin.post(`/api/v1/products/${product.id}/modules`, { name: 'bad name!' })).statusCode,
      400,
    );
    assert.equal((await t.admin.delete(`/api/v1/products/${product.id}/modules/default`)).statusCode, 409);
    assert.equal((await t.admin.delete(`/api/v1/products/${product.id}/modules/MCU`)).statusCode, 204);
  });

  it("keeps OneNET's manufacturer and model codes per module, set on adding or changed later", async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'coded', manufacturer: 'Acme' })).json();
    const base = `/api/v1/products/${product.id}/modules`;
    const sota = await t.admin.post(base, {
      name: 'sota',
      kind: 'mcu',
      manufacturerCode: '101',
      modelCode: '10101',
    });
    assert.equal(sota.statusCode, 201, sota.body);
    assert.deepEqual([sota.json().manufacturerCode, sota.json().modelCode], ['101', '10101']);
    const listed = (await t.admin.get(base)).json().items;
    const byName = (name: string) => listed.find((m: { name: string }) => m.name === name);
    assert.deepEqual([byName('default').manufacturerCode, byName('default').modelCode], ['', '']);
    const changed = await t.admin.patch(`${base}/default`, { manufacturerCode: '014', modelCode: '01405' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(
      [changed.json().manufacturerCode, changed.json().modelCode, changed.json().description],
      ['014', '01405', 'The whole device firmware'],
    );
    const described = await t.admin.patch(`${base}/sota`, { description: 'the MCU application' });
    assert.deepEqual(
      [described.json().description, described.json().modelCode],
      ['the MCU application', '10101'],
    );
    assert.equal(
      (await t.admin.patch(`${base}/sota`, { modelCode: '10 101' })).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal((await t.admin.patch(`${base}/sota`, {})).json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.patch(`${base}/sota`, { name: 'x' })).json().code, 'UNKNOWN_FIELD');
    assert.equal((await t.admin.patch(`${base}/nope`, { modelCode: '1' })).json().code, 'NOT_FOUND');
    const viewer = await t.as('viewer');
    assert.equal((await viewer.patch(`${base}/sota`, { modelCode: '1' })).statusCode, 403);
    assert.equal((await t.admin.get(`/api/v1/products/${product.id}`)).json().manufacturer, 'Acme');
  });

  it('pages a product’s modules and filters them by kind', async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'many modules' })).json();
    const other = (await t.admin.post('/api/v1/products', { name: 'other modules' })).json();
    for (const [name, kind] of [
      ['MCU', 'mcu'],
      ['wifi', 'module'],
      ['ble', 'module'],
      ['co-mcu', 'mcu'],
    ]) {
      await t.admin.post(`/api/v1/products/${product.id}/modules`, { name, kind });
    }
    const modules = (query: string, id = product.id) =>
      t.admin.get(`/api/v1/products/${id}/modules?${query}`);
    const names = (res: { json(): { items: { name: string }[] } }) => res.json().items.map((m) => m.name);
    const first = await modules('limit=2');
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(names(first), ['default', 'MCU']);
    const second = await modules(`limit=2&cursor=${first.json().nextCursor}`);
    assert.deepEqual(names(second), ['wifi', 'ble']);
    const last = await modules(`limit=2&cursor=${second.json().nextCursor}`);
    assert.deepEqual(names(last), ['co-mcu']);
    assert.equal(last.json().nextCursor, null);
    assert.deepEqual(names(await modules('kind=mcu')), ['MCU', 'co-mcu']);
    assert.deepEqual(names(await modules('kind=firmware')), ['default']);
    const cursor = first.json().nextCursor;
    // Bound to its product, its filters and its list.
    assert.equal((await modules(`cursor=${cursor}`, other.id)).json().code, 'INVALID_CURSOR');
    assert.equal((await modules(`kind=mcu&cursor=${cursor}`)).json().code, 'INVALID_CURSOR');
    const products = (await t.admin.get('/api/v1/products?limit=1')).json().nextCursor;
    assert.equal((await modules(`cursor=${products}`)).json().code, 'INVALID_CURSOR');
    assert.equal((await modules('kind=radio')).json().code, 'VALIDATION_FAILED');
    assert.equal((await modules('limit=0')).json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.get('/api/v1/products/999999/modules')).json().code, 'NOT_FOUND');
  });

  it('refuses to delete a product that still has firmware, and deletes an empty one', async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'busy' })).json();
    const form = new FormData();
    form.append('version', '1.0');
    form.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'fw.bin');
    const response = new Response(form);
    const upload = await t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${product.id}/firmware`,
      headers: { 'content-type': response.headers.get('content-type')! },
      payload: Buffer.from(await response.arrayBuffer()),
    });
    assert.equal(upload.statusCode, 201, upload.body);
    const refused = await t.admin.delete(`/api/v1/products/${product.id}`);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'CONFLICT');
    const empty = (await t.admin.post('/api/v1/products', { name: 'empty' })).json();
    assert.equal((await t.admin.delete(`/api/v1/products/${empty.id}`)).statusCode, 204);
    assert.equal((await t.admin.get(`/api/v1/products/${empty.id}`)).statusCode, 404);
  });

  it('answers unknown routes and ids with coded errors', async () => {
    assert.equal((await t.admin.get('/api/v1/nothing')).json().code, 'ROUTE_NOT_FOUND');
    assert.equal((await t.admin.get('/api/v1/products/999999')).json().code, 'NOT_FOUND');
    assert.equal((await t.admin.get('/api/v1/products/abc')).json().code, 'VALIDATION_FAILED');
  });
});
