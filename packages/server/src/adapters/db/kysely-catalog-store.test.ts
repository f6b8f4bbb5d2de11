// Contract of the CatalogStore port, run on the database this test pass uses (SQLite or PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createKyselyCatalogStore } from './kysely-catalog-store.ts';

const skip = (await skipReason()) ?? false;

const base = {
  manufacturer: 'ACME',
  model: 'M',
  nodeType: 'direct' as const,
  protocols: ['mqtt' as const],
  description: '',
  signMethod: 'md5' as const,
};

describe('CatalogStore contract', { skip }, () => {
  let t: TestDatabase;
  let store: ReturnType<typeof createKyselyCatalogStore>;
  before(async () => {
    t = await createTestDatabase();
    store = createKyselyCatalogStore(t.database.db);
  });
  after(() => t.dispose());

  it('round-trips a product with its protocol list', async () => {
    const p = await store.insertProduct(
      { ...base, name: 'Meter', productKey: 'pk_meter', protocols: ['mqtt', 'lwm2m'] },
      5,
    );
    assert.deepEqual(await store.getProduct(p.id), p);
    assert.deepEqual(await store.findProductByKey('pk_meter'), p);
    assert.deepEqual(p.protocols, ['mqtt', 'lwm2m']);
  });

  it('turns the product access key on and off, keeping only its salt and hash', async () => {
    const p = await store.insertProduct({ ...base, name: 'Keyed', productKey: 'pk_keyed' }, 1);
    assert.equal(p.productKeyAuth, false);
    assert.equal(await store.getAccessKey(p.id), undefined);
    const on = await store.setAccessKey(p.id, { salt: 's1', hash: 'ab' }, 2);
    assert.equal(on?.productKeyAuth, true);
    assert.equal(on?.updatedAt, 2);
    assert.deepEqual(await store.getAccessKey(p.id), { salt: 's1', hash: 'ab' });
    assert.equal((await store.findProductByKey('pk_keyed'))?.productKeyAuth, true);
    const off = await store.setAccessKey(p.id, null, 3);
    assert.equal(off?.productKeyAuth, false);
    assert.equal(await store.getAccessKey(p.id), undefined);
    assert.equal(await store.setAccessKey(999_999, null, 4), undefined);
  });

  it('searches by name, key or model case-insensitively and takes wildcards literally', async () => {
    await store.insertProduct({ ...base, name: 'Water 100%', productKey: 'pk_water', model: 'W_1' }, 1);
    await store.insertProduct({ ...base, name: 'Water 1000', productKey: 'pk_water2', model: 'WX1' }, 1);
    const percent = await store.listProducts({ q: '100%' }, { limit: 10 });
    assert.deepEqual(
      percent.items.map((p) => p.productKey),
      ['pk_water'],
    );
    const underscore = await store.listProducts({ q: 'w_1' }, { limit: 10 });
    assert.deepEqual(
      underscore.items.map((p) => p.productKey),
      ['pk_water'],
    );
    const upper = await store.listProducts({ q: 'WATER' }, { limit: 10 });
    assert.equal(upper.items.length, 2);
  });

  it('updates only the fields given and deletes', async () => {
    const p = await store.insertProduct({ ...base, name: 'Old', productKey: 'pk_upd' }, 1);
    const u = await store.updateProduct(p.id, { name: 'New', nodeType: 'gateway' }, 9);
    assert.equal(u?.name, 'New');
    assert.equal(u?.nodeType, 'gateway');
    assert.equal(u?.model, 'M');
    assert.equal(u?.updatedAt, 9);
    assert.equal(await store.deleteProduct(p.id), true);
    assert.equal(await store.deleteProduct(p.id), false);
  });

  it('keeps module names unique per product', async () => {
    const p = await store.insertProduct({ ...base, name: 'Mods', productKey: 'pk_mods' }, 1);
    await store.insertModule({ productId: p.id, name: 'MCU', kind: 'mcu', description: '' }, 1);
    await assert.rejects(
      store.insertModule({ productId: p.id, name: 'MCU', kind: 'mcu', description: '' }, 1),
    );
    assert.equal((await store.findModule(p.id, 'MCU'))?.kind, 'mcu');
    assert.deepEqual(
      (await store.listModules(p.id)).map((m) => m.name),
      ['MCU'],
    );
    assert.equal(await store.deleteModule(p.id, 'MCU'), true);
    assert.equal(await store.findModule(p.id, 'MCU'), undefined);
  });

  it('pages a product’s modules, optionally of one kind', async () => {
    const p = await store.insertProduct({ ...base, name: 'Paged mods', productKey: 'pk_paged_mods' }, 1);
    for (const [name, kind] of [
      ['a', 'mcu'],
      ['b', 'module'],
      ['c', 'mcu'],
    ] as const) {
      await store.insertModule({ productId: p.id, name, kind, description: '' }, 1);
    }
    const names = (page: { items: { name: string }[] }) => page.items.map((m) => m.name);
    const first = await store.pageModules(p.id, {}, { limit: 2 });
    assert.deepEqual(names(first), ['a', 'b']);
    const second = await store.pageModules(p.id, {}, { after: first.next!, limit: 2 });
    assert.deepEqual(names(second), ['c']);
    assert.equal(second.next, null);
    assert.deepEqual(names(await store.pageModules(p.id, { kind: 'mcu' }, { limit: 10 })), ['a', 'c']);
    assert.deepEqual(names(await store.pageModules(p.id + 1000, {}, { limit: 10 })), []);
  });
});
