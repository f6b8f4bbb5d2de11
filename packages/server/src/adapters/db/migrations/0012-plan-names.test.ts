// Migration 12 on plans written before it: a plan that shares its product's older plan's name is
// renamed `<name> #<id>`, and names are unique per product from then on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { createTestDatabase, skipReason, type TestDatabase } from '../../../test-support/test-database.ts';
import { migrateToLatest } from '../migrator.ts';
import { isUniqueViolation } from '../sql-helpers.ts';
import { migrations } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('migration 12: plan names are unique per product', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ upTo: 11 });
  });
  after(() => t.dispose());

  it('renames the later plans of a shared name and then keeps names unique', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    for (const id of [1, 2])
      await sql`insert into products (id, name, product_key, manufacturer, model, node_type, protocols,
        description, sign_method, created_at, updated_at)
        values (${id}, ${`p${id}`}, ${`pk_plans${id}`}, '', '', 'direct', '["http"]', '', 'md5', 0, 0)`.execute(
        db,
      );
    await sql`insert into firmware_packages (id, product_id, module, version, type, source_version, variant,
      release_notes, ext_data, total_size, created_by, created_at, name, remark)
      values (1, 1, 'default', '2.0', 'full', null, '', '', '{}', 1, 't', 0, '2.0', '')`.execute(db);
    const plan = (id: number, product: number, name: string) =>
      sql`insert into plans (id, product_id, module, name, firmware_package_id, status, spec, concurrency,
        created_by, created_at, updated_at) values (${id}, ${product}, 'default', ${name}, 1, 'draft', '{}',
        1, 't', 0, 0)`.execute(db);
    await plan(1, 1, 'rollout');
    await plan(2, 1, 'rollout');
    await plan(3, 1, 'rollout');
    await plan(4, 2, 'rollout');
    await plan(5, 1, 'other');
    await migrateToLatest(db, t.database.dialect, migrations, () => 1);
    const rows = await sql<{ id: number; name: string }>`select id, name from plans order by id`.execute(db);
    assert.deepEqual(
      rows.rows.map((r) => r.name),
      ['rollout', 'rollout #2', 'rollout #3', 'rollout', 'other'],
    );
    await assert.rejects(plan(6, 1, 'other'), (error: unknown) => isUniqueViolation(error));
  });
});
