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
