// Plan names (unique per product, at most 100 characters, Quectel's console) and the plans list
// filtered by firmware package ("view the tasks of this package", seed 004).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('plan names and the plans of a package', { skip }, () => {
  let t: TestApp;
  let productId: number;
  let otherProductId: number;
  let packages: number[];
  before(async () => {
    t = await createTestApp();
    await t.app.scheduler.stop();
    productId = (await seedFleet(t.app.database, 2)).productId;
    otherProductId = (await seedFleet(t.app.database, 1)).productId;
    packages = [
      await seedPackage(t.app.database, productId, '2.0'),
      await seedPackage(t.app.database, productId, '3.0'),
      await seedPackage(t.app.database, otherProductId, '2.0'),
    ];
  });
  after(() => t.close());

  const create = (name: string, firmwarePackageId = packages[0]!, product = productId) =>
    t.admin.post('/api/v1/plans', { name, productId: product, firmwarePackageId, target: { kind: 'all' } });

  it('takes a name of up to 100 characters and refuses a longer one', async () => {
    const longest = await create('计'.repeat(100));
    assert.equal(longest.statusCode, 201, longest.body);
    const tooLong = await create('计'.repeat(101));
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json().details.issues[0].path, 'name');
  });

  it('refuses a name another plan of the product has, on create and on edit; another product may use it', async () => {
    const first = await create('spring');
    assert.equal(first.statusCode, 201, first.body);
    const again = await create('spring', packages[1]);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'PLAN_NAME_EXISTS');
    assert.equal((await create('spring', packages[2], otherProductId)).statusCode, 201);
    const second = (await create('summer')).json();
    const body = { name: 'spring', productId, firmwarePackageId: packages[0], target: { kind: 'all' } };
    const renamed = await t.admin.request({
      method: 'PUT',
      url: `/api/v1/plans/${second.id}`,
      payload: body,
    });
    assert.equal(renamed.statusCode, 409, renamed.body);
    assert.equal(renamed.json().code, 'PLAN_NAME_EXISTS');
    assert.equal((await t.admin.get(`/api/v1/plans/${second.id}`)).json().name, 'summer', 'unchanged');
    // A plan keeps its own name when edited.
    const kept = await t.admin.request({
      method: 'PUT',
      url: `/api/v1/plans/${second.id}`,
      payload: { ...body, name: 'summer' },
    });
    assert.equal(kept.statusCode, 200, kept.body);
  });

  it('lists the plans of one firmware package, with cursors bound to the filter', async () => {
    for (const name of ['p3-a', 'p3-b', 'p3-c'])
      assert.equal((await create(name, packages[1])).statusCode, 201);
    const page = await t.admin.get(`/api/v1/plans?firmwarePackageId=${packages[1]}&limit=2`);
    assert.equal(page.statusCode, 200, page.body);
    const first = page.json();
    assert.deepEqual(
      first.items.map((p: { firmwarePackageId: number }) => p.firmwarePackageId),
      [packages[1], packages[1]],
    );
    const rest = await t.admin.get(
      `/api/v1/plans?firmwarePackageId=${packages[1]}&limit=2&cursor=${first.nextCursor}`,
    );
    assert.deepEqual(
      rest.json().items.map((p: { name: string }) => p.name),
      ['p3-c'],
    );
    const stale = await t.admin.get(
      `/api/v1/plans?firmwarePackageId=${packages[0]}&cursor=${first.nextCursor}`,
    );
    assert.equal(stale.json().code, 'INVALID_CURSOR');
    const none = await t.admin.get(`/api/v1/plans?firmwarePackageId=${packages[2]}&productId=${productId}`);
    assert.deepEqual(none.json().items, []);
    assert.equal((await t.admin.get('/api/v1/plans?firmwarePackageId=0')).statusCode, 400);
    // A plan of two components is listed under each component's package.
    await t.admin.post(`/api/v1/products/${productId}/modules`, { name: 'mcu', kind: 'mcu' });
    const mcu = await seedPackage(t.app.database, productId, '5.0', { module: 'mcu' });
    const both = await t.admin.post('/api/v1/plans', {
      name: 'module then mcu',
      productId,
      components: [{ firmwarePackageId: packages[0] }, { firmwarePackageId: mcu }],
      target: { kind: 'all' },
    });
    assert.equal(both.statusCode, 201, both.body);
    const ofMcu = await t.admin.get(`/api/v1/plans?firmwarePackageId=${mcu}`);
    assert.deepEqual(
      ofMcu.json().items.map((p: { name: string }) => p.name),
      ['module then mcu'],
    );
    const ofFirst = (await t.admin.get(`/api/v1/plans?firmwarePackageId=${packages[0]}&limit=100`)).json();
    assert.ok(ofFirst.items.some((p: { name: string }) => p.name === 'module then mcu'));
  });
});
