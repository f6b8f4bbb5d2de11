import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { type Kysely, sql } from 'kysely';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { prepareSchema } from './database.ts';
import { migrations } from './migrations/index.ts';
import { migrateToLatest, readSchemaState } from './migrator.ts';

const skip = (await skipReason()) ?? false;

describe('schema migrations', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it('applies every migration once; running again changes nothing', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    const state = await readSchemaState(db, t.database.dialect, migrations);
    assert.deepEqual(
      state.applied,
      migrations.map((m) => m.id),
    );
    assert.deepEqual(await migrateToLatest(db, t.database.dialect, migrations, () => 1), []);
  });

  it('refuses to start on a schema newer than this build, naming the fix', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    await sql`insert into updraft_migrations (id, name, applied_at) values (9999, 'from the future', 0)`.execute(
      db,
    );
    try {
      await assert.rejects(
        prepareSchema(t.database, 'never', () => 0),
        (error: unknown) => {
          return isUpdraftError(error) && error.code === 'SCHEMA_UNKNOWN' && error.message.includes('9999');
        },
      );
      await assert.rejects(
        prepareSchema(t.database, 'auto', () => 0),
        /newer release/,
      );
    } finally {
      await sql`delete from updraft_migrations where id = 9999`.execute(db);
    }
  });

  it('refuses a schema with pending migrations when told never to migrate, and says which command fixes it', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    const newest = migrations[migrations.length - 1]!;
    await sql`delete from updraft_migrations where id = ${newest.id}`.execute(db);
    try {
      await assert.rejects(
        prepareSchema(t.database, 'never', () => 0),
        (error: unknown) => {
          return (
            isUpdraftError(error) &&
            error.code === 'SCHEMA_OUTDATED' &&
            error.message.includes('updraft migrate')
          );
        },
      );
    } finally {
      await sql`insert into updraft_migrations (id, name, applied_at) values (${newest.id}, ${newest.name}, 0)`.execute(
        db,
      );
    }
  });
});
