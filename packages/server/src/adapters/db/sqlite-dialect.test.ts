// Rows through the node:sqlite dialect: read as arrays and made into objects of one shape per
// statement, they read as node:sqlite's own row objects did.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { NodeSqliteDialect } from './sqlite-dialect.ts';

describe('node:sqlite dialect rows', () => {
  const db = new Kysely<unknown>({ dialect: new NodeSqliteDialect(new DatabaseSync(':memory:')) });
  after(() => db.destroy());

  it('has the columns in order, a later column of a name winning, and nothing inherited', async () => {
    const { rows } = await sql<Record<string, unknown>>`select 1 as a, 'x' as b, null as c, 2 as a,
      3 as "constructor", 4 as "__proto__", 5 as "1"`.execute(db);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row), ['1', 'a', 'b', 'c', 'constructor', '__proto__']);
    assert.deepEqual(Object.entries(row), [
      ['1', 5],
      ['a', 2],
      ['b', 'x'],
      ['c', null],
      ['constructor', 3],
      ['__proto__', 4],
    ]);
    assert.equal('toString' in row, false);
    assert.equal('hasOwnProperty' in row, false);
  });

  it('reads a statement again with its new columns after the table changed', async () => {
    await sql`create table t (id integer primary key, v text)`.execute(db);
    await sql`insert into t (id, v) values (1, 'one')`.execute(db);
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db);
    assert.deepEqual({ ...(await all()).rows[0] }, { id: 1, v: 'one' });
    await sql`alter table t add column w integer not null default 7`.execute(db);
    assert.deepEqual({ ...(await all()).rows[0] }, { id: 1, v: 'one', w: 7 });
  });

  it('streams rows as objects too', async () => {
    await sql`insert into t (id, v) values (2, 'two')`.execute(db);
    const streamed: Record<string, unknown>[] = [];
    const typed = db as unknown as Kysely<{ t: { id: number; v: string; w: number } }>;
    for await (const row of typed.selectFrom('t').selectAll().orderBy('id').stream())
      streamed.push({ ...row });
    assert.deepEqual(streamed, [
      { id: 1, v: 'one', w: 7 },
      { id: 2, v: 'two', w: 7 },
    ]);
  });

  it('reads a statement again after another connection changed the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-dialect-'));
    const file = join(dir, 'd.db');
    const mine = new Kysely<unknown>({ dialect: new NodeSqliteDialect(new DatabaseSync(file)) });
    const other = new DatabaseSync(file);
    try {
      await sql`create table t (id integer primary key, v text)`.execute(mine);
      await sql`insert into t (id, v) values (1, 'one')`.execute(mine);
      const all = () => sql<Record<string, unknown>>`select * from t`.execute(mine);
      assert.deepEqual({ ...(await all()).rows[0] }, { id: 1, v: 'one' });
      other.exec('alter table t add column w integer not null default 7');
      assert.deepEqual({ ...(await all()).rows[0] }, { id: 1, v: 'one', w: 7 });
      assert.deepEqual({ ...(await all()).rows[0] }, { id: 1, v: 'one', w: 7 });
    } finally {
      other.close();
      await mine.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
