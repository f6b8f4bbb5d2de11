// Migration 23: each product's device total is kept by the database through every way devices
// come and go (one insert, an import batch with names already taken, a plain INSERT, a delete),
// with concurrent writers, and it starts from the devices there were before the migration.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../../../adapters/db/migrator.ts';
import type { NewDevice } from '../../../modules/devices/device-store.ts';
import { seedFleet } from '../../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../../test-support/test-database.ts';
import { createKyselyDeviceStore } from '../kysely-device-store.ts';
import type { DatabaseSchema } from '../schema.ts';
import { migrations } from './index.ts';

const skip = (await skipReason()) ?? false;

async function countedAndCounted(db: Kysely<DatabaseSchema>) {
  const kept = await db.selectFrom('product_device_counts').select(['product_id', 'devices']).execute();
  const real = await db
    .selectFrom('devices')
    .select(['product_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('product_id')
    .execute();
  const byProduct = (rows: { product_id: number; n: number | string }[]) =>
    Object.fromEntries(rows.filter((r) => Number(r.n) > 0).map((r) => [Number(r.product_id), Number(r.n)]));
  return {
    kept: byProduct(kept.map((r) => ({ product_id: r.product_id, n: r.devices }))),
    real: byProduct(real),
  };
}

describe('migration 23: kept device totals per product', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ upTo: 22 });
  });
  after(() => t.dispose());

  it('starts from the devices already there, and follows inserts, imports and deletes', async () => {
    const { db } = t.database;
    const a = await seedFleet(t.database, 7);
    await seedFleet(t.database, 0);
    await migrateToLatest(db as never, t.database.dialect, migrations, () => Date.now());
    let counts = await countedAndCounted(db);
    assert.deepEqual(counts.kept, { [a.productId]: 7 });

    const b = await seedFleet(t.database, 1500);
    const store = createKyselyDeviceStore(db, t.database.dialect, t.database.copy);
    const draft = (name: string, productId = a.productId): NewDevice => ({
      productId,
      name,
      gatewayId: null,
      tags: ['x'],
      versions: { default: '1.0' },
      secretSalt: 's',
      secretHash: 'h',
    });
    await store.insert(draft('one'), 1);
    // A batch with a name the product has and one repeated in the batch: neither is counted.
    const outcomes = await store.insertMany([draft('d0'), draft('n1'), draft('n2'), draft('n1')], 2);
    assert.deepEqual(
      outcomes.map((o) => 'taken' in o),
      [true, false, false, true],
    );
    for (const id of a.deviceIds.slice(0, 3)) assert.equal(await store.delete(id), true);
    assert.equal(await store.delete(a.deviceIds[0]!), false);
    counts = await countedAndCounted(db);
    assert.deepEqual(counts.kept, counts.real);
    assert.equal(await store.totalDevices(a.productId), counts.real[a.productId]);
    assert.equal(await store.totalDevices(b.productId), 1500);
    assert.equal(await store.totalDevices(), 1500 + counts.real[a.productId]!);
    assert.equal(await store.totalDevices(999_999), 0);
  });

  it('stays exact with writers at once on one product', async () => {
    const { db } = t.database;
    const c = await seedFleet(t.database, 0);
    const store = createKyselyDeviceStore(db, t.database.dialect, t.database.copy);
    const batch = (w: number) =>
      Array.from({ length: 200 }, (_, i) => ({
        productId: c.productId,
        name: `w${w}-${i % 150}`,
        gatewayId: null,
        tags: [],
        versions: {},
        secretSalt: 's',
        secretHash: 'h',
      }));
    await Promise.all([0, 1, 2, 3, 0].map((w) => store.insertMany(batch(w), 1)));
    const counts = await countedAndCounted(db);
    assert.equal(counts.real[c.productId], 4 * 150);
    assert.deepEqual(counts.kept, counts.real);
  });
});
