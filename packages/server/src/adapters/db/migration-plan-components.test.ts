// The plan-components migration carries plans made before components over as plans of one component: a database
// just before it with a running plan is migrated, and the plan goes on as before.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validatePlanSpec } from '@updraft/core';
import type { Kysely } from 'kysely';
import {
  createEmptyPostgresDatabase,
  skipReason,
  testDatabaseKind,
} from '../../test-support/test-database.ts';
import { type Database, openDatabase } from './database.ts';
import { createKyselyPlanStore } from './kysely-plan-store.ts';
import { createKyselyUpgradeStore } from './kysely-upgrade-store.ts';
import { migrations } from './migrations/index.ts';
import { migrateToLatest } from './migrator.ts';

const skip = (await skipReason()) ?? false;

describe('migration plan-components', { skip }, () => {
  let database: Database;
  let dispose: () => Promise<void>;
  before(async () => {
    if (testDatabaseKind === 'postgres') {
      const empty = await createEmptyPostgresDatabase();
      database = openDatabase({ kind: 'postgres', url: empty.url });
      dispose = async () => {
        await database.close();
        await empty.dispose();
      };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'updraft-m8-'));
      database = openDatabase({ kind: 'sqlite', path: join(dir, 'old.db') });
      dispose = async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      };
    }
  });
  after(() => dispose());

  it('gives every existing plan its one component and every record component 0', async () => {
    const raw = database.db as unknown as Kysely<unknown>;
    const at = migrations.findIndex((m) => m.name === 'plan-components');
    await migrateToLatest(raw, database.dialect, migrations.slice(0, at), () => 0);
    const { db } = database;
    const product = await db
      .insertInto('products')
      .values({
        name: 'old',
        product_key: 'pk_old',
        manufacturer: '',
        model: '',
        node_type: 'direct',
        protocols: '["http"]',
        description: '',
        sign_method: 'md5',
        created_at: 0,
        updated_at: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pkg = await db
      .insertInto('firmware_packages')
      .values({
        product_id: product.id,
        module: 'default',
        version: '2.0',
        type: 'full',
        source_version: null,
        variant: '',
        release_notes: '',
        ext_data: '{}',
        verified: 0,
        total_size: 1,
        created_by: 'test',
        created_at: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const device = await db
      .insertInto('devices')
      .values({
        product_id: product.id,
        name: 'd0',
        secret_salt: 's',
        secret_hash: 'h',
        online: 0,
        tags: '[]',
        created_at: 0,
        updated_at: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The spec as a release before components stored it.
    const checked = validatePlanSpec({
      name: 'old plan',
      productId: String(product.id),
      moduleId: 'default',
      firmware: { kind: 'full', packageId: String(pkg.id), targetVersion: '2.0' },
      target: { kind: 'all' },
    });
    assert.ok(checked.ok);
    const plan = await db
      .insertInto('plans')
      .values({
        product_id: product.id,
        module: 'default',
        name: 'old plan',
        firmware_package_id: pkg.id,
        status: 'running',
        spec: JSON.stringify(checked.spec),
        verification: 0,
        concurrency: 10,
        start_at: null,
        deadline: null,
        created_by: 'test',
        created_at: 0,
        updated_at: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const upgrade = await db
      .insertInto('device_upgrades')
      .values({
        plan_id: plan.id,
        device_id: device.id,
        module: 'default',
        active: 1,
        status: 'pushed',
        progress: 0,
        attempts: 1,
        auto_retries: 0,
        push_count: 1,
        mismatch_count: 0,
        confirmation: 'none',
        created_at: 0,
        updated_at: 0,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();

    assert.deepEqual(await migrateToLatest(raw, database.dialect, migrations, () => 0), [
      ...migrations.slice(at).map((m) => m.id),
    ]);
    const rows = await db.selectFrom('plan_components').selectAll().execute();
    assert.deepEqual(
      rows.map((r) => [Number(r.plan_id), r.position, r.module, Number(r.package_id)]),
      [[Number(plan.id), 0, 'default', Number(pkg.id)]],
    );
    const store = createKyselyPlanStore(db, database.dialect);
    const upgrades = createKyselyUpgradeStore(db, database.dialect);
    const record = await upgrades.getUpgrade(Number(upgrade.id));
    assert.deepEqual(
      [record!.state.status, record!.state.component, record!.state.skipped],
      ['pushed', 0, 0],
    );
    assert.equal((await store.getPlan(Number(plan.id)))!.spec.laterComponents, undefined);
    assert.deepEqual((await store.componentTargets([Number(plan.id)])).get(Number(plan.id)), [
      { module: 'default', targetVersion: '2.0' },
    ]);
    assert.equal(await store.isPackageInUse(Number(pkg.id)), true);
  });
});
