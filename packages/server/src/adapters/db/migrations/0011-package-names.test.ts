// Migration 11 on packages written before it: each is named after its version (a delta after
// both versions), names over 100 characters are cut and marked with the id, and the names are
// unique per product and module from then on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { createTestDatabase, skipReason, type TestDatabase } from '../../../test-support/test-database.ts';
import { migrateToLatest } from '../migrator.ts';
import { isUniqueViolation } from '../sql-helpers.ts';
import { migrations } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('migration 11: firmware packages get names and remarks', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ upTo: 10 });
  });
  after(() => t.dispose());

  it('names existing packages after their versions, uniquely', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    await sql`insert into products (id, name, product_key, manufacturer, model, node_type, protocols,
      description, sign_method, created_at, updated_at)
      values (1, 'p', 'pk_named', '', '', 'direct', '["http"]', '', 'md5', 0, 0)`.execute(db);
    const long = (c: string) => `${c.repeat(49)}9`;
    const insert = (id: number, version: string, source: string | null) =>
      sql`insert into firmware_packages (id, product_id, module, version, type, source_version, variant,
        release_notes, ext_data, total_size, created_by, created_at)
        values (${id}, 1, 'default', ${version}, ${source === null ? 'full' : 'delta'}, ${source},
        ${source ?? ''}, '', '{}', 1, 't', 0)`.execute(db);
    await insert(1, '2.0', null);
    await insert(2, '2.0', '1.0');
    await insert(3, long('a'), long('b'));
    await insert(4, long('a'), long('c'));
    await migrateToLatest(db, t.database.dialect, migrations, () => 1);
    const rows = await sql<{ id: number; name: string; remark: string }>`
      select id, name, remark from firmware_packages order by id`.execute(db);
    const names = rows.rows.map((r) => r.name);
    assert.deepEqual(names.slice(0, 2), ['2.0', '2.0 from 1.0']);
    assert.equal(names[2], `${`${long('a')} from ${long('b')}`.slice(0, 90)} #3`);
    assert.equal(names[3], `${`${long('a')} from ${long('c')}`.slice(0, 90)} #4`);
    assert.ok(rows.rows.every((r) => r.remark === '' && [...r.name].length <= 100));
    await assert.rejects(
      sql`update firmware_packages set name = '2.0' where id = 2`.execute(db),
      (error: unknown) => isUniqueViolation(error),
    );
  });
});
