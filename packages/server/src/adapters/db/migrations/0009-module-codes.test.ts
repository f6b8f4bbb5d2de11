// Migration 9 on data written before it: each module takes its product's manufacturer and model
// as its OneNET codes (so checks compare as before), and modules added later have none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { createTestDatabase, skipReason, type TestDatabase } from '../../../test-support/test-database.ts';
import { migrateToLatest } from '../migrator.ts';
import { migrations } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('migration 9: OneNET codes move to the modules', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ upTo: 8 });
  });
  after(() => t.dispose());

  it("gives every module its product's codes, and nothing to products without", async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    const product = async (id: number, manufacturer: string, model: string) => {
      await sql`insert into products (id, name, product_key, manufacturer, model, node_type, protocols,
        description, sign_method, created_at, updated_at)
        values (${id}, ${`p${id}`}, ${`pk_${id}xx`}, ${manufacturer}, ${model}, 'direct', '["http"]', '', 'md5', 0, 0)`.execute(
        db,
      );
      for (const name of ['default', 'sota'])
        await sql`insert into modules (product_id, name, kind, description, created_at)
          values (${id}, ${name}, 'firmware', '', 0)`.execute(db);
    };
    await product(1, '101', '10101');
    await product(2, '', '');
    assert.deepEqual(
      await migrateToLatest(db, t.database.dialect, migrations, () => 1),
      migrations.filter((m) => m.id > 8).map((m) => m.id),
    );
    const rows = await sql<{
      product_id: number;
      name: string;
      manufacturer_code: string;
      model_code: string;
    }>`
      select product_id, name, manufacturer_code, model_code from modules order by product_id, name`.execute(
      db,
    );
    assert.deepEqual(
      rows.rows.map((r) => [Number(r.product_id), r.name, r.manufacturer_code, r.model_code]),
      [
        [1, 'default', '101', '10101'],
        [1, 'sota', '101', '10101'],
        [2, 'default', '', ''],
        [2, 'sota', '', ''],
      ],
    );
    await sql`insert into modules (product_id, name, kind, description, created_at)
      values (1, 'mcu', 'mcu', '', 0)`.execute(db);
    const added = await sql<{ manufacturer_code: string }>`
      select manufacturer_code from modules where name = 'mcu'`.execute(db);
    assert.equal(added.rows[0]?.manufacturer_code, '');
  });
});
