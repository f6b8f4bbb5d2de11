// Migration 21: a page of a plan's upgrades (its list and its export) reads the plan's records in
// id order from an index, rather than every record of every plan or a sort of the plan's rest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { createTestDatabase, skipReason, type TestDatabase } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('migration 21: plan upgrade pages by (plan_id, id)', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it('indexes device_upgrades on (plan_id, id) and the page query uses it', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    const page = sql`select id from device_upgrades where plan_id = 1 and id > 5 order by id limit 51`;
    if (t.database.dialect === 'postgres') {
      const columns = await sql<{ indexdef: string }>`select indexdef from pg_indexes
        where indexname = 'device_upgrades_plan_page'`.execute(db);
      assert.match(columns.rows[0]?.indexdef ?? '', /\(plan_id, id\)/);
      // Without statistics or rows the planner may read anything; with scans and sorts priced
      // out, the one index that answers in order must be there.
      await db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_sort = off`.execute(trx);
        await sql`set local enable_bitmapscan = off`.execute(trx);
        const plan = await sql<{ 'QUERY PLAN': string }>`explain ${page}`.execute(trx);
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.match(text, /device_upgrades_plan_page/);
      });
    } else {
      const columns = await sql<{
        name: string;
      }>`select name from pragma_index_info('device_upgrades_plan_page')
        order by seqno`.execute(db);
      assert.deepEqual(
        columns.rows.map((r) => r.name),
        ['plan_id', 'id'],
      );
      const plan = await sql<{ detail: string }>`explain query plan ${page}`.execute(db);
      const text = plan.rows.map((r) => r.detail).join('\n');
      assert.match(text, /device_upgrades_plan_page/);
      assert.doesNotMatch(text, /TEMP B-TREE/);
    }
  });
});
