// Applies the numbered migrations and checks that the database's schema is one this build knows.
import { UpdraftError } from '@updraft/core';
import { type Kysely, sql } from 'kysely';
import type { Migration, SqlDialect } from './migrations/migration.ts';

export interface SchemaState {
  applied: number[];
  pending: Migration[];
  unknown: number[];
}

async function ensureTable(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const create = sql`create table if not exists updraft_migrations (id integer primary key,
    name text not null, applied_at ${sql.raw(big)} not null)`;
  if (dialect !== 'postgres') return void (await create.execute(db));
  // PostgreSQL's "if not exists" is not safe against a concurrent create (two instances starting
  // on an empty database): the migrators' lock makes them take turns.
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(728431)`.execute(tx);
    await create.execute(tx);
  });
}

async function readApplied(db: Kysely<unknown>): Promise<number[]> {
  const result = await sql<{ id: number }>`select id from updraft_migrations order by id`.execute(db);
  return result.rows.map((r) => Number(r.id));
}

export async function readSchemaState(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  migrations: readonly Migration[],
): Promise<SchemaState> {
  await ensureTable(db, dialect);
  const applied = await readApplied(db);
  const known = new Set(migrations.map((m) => m.id));
  const done = new Set(applied);
  return {
    applied,
    pending: migrations.filter((m) => !done.has(m.id)),
    unknown: applied.filter((id) => !known.has(id)),
  };
}

/** Throws unless the schema is exactly the one this build knows. */
export function assertSchemaCurrent(state: SchemaState): void {
  if (state.unknown.length > 0) {
    throw new UpdraftError(
      'SCHEMA_UNKNOWN',
      `the database has migrations this Updraft does not know (${state.unknown.join(', ')}): it was written by a newer release; run that release, or point UPDRAFT_DATABASE_URL at another database`,
      { unknown: state.unknown },
    );
  }
  if (state.pending.length > 0) {
    throw new UpdraftError(
      'SCHEMA_OUTDATED',
      `the database schema is behind this Updraft (pending migrations: ${state.pending.map((m) => m.id).join(', ')}): run \`updraft migrate\` (npm run updraft -- migrate), or start with UPDRAFT_MIGRATE=auto`,
      { pending: state.pending.map((m) => m.id) },
    );
  }
}

/** Applies every pending migration, each in its own transaction; safe when several processes race. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  migrations: readonly Migration[],
  now: () => number,
): Promise<number[]> {
  const state = await readSchemaState(db, dialect, migrations);
  if (state.unknown.length > 0) assertSchemaCurrent(state);
  const appliedNow: number[] = [];
  for (const migration of state.pending) {
    const ran = await db.transaction().execute(async (tx) => {
      // One migrator at a time across processes; whoever waits re-checks what is applied.
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(728431)`.execute(tx);
      const already = await sql`select id from updraft_migrations where id = ${migration.id}`.execute(tx);
      if (already.rows.length > 0) return false;
      await migration.up(tx, dialect);
      await sql`insert into updraft_migrations (id, name, applied_at) values (${migration.id}, ${migration.name}, ${now()})`.execute(
        tx,
      );
      return true;
    });
    if (ran) appliedNow.push(migration.id);
  }
  return appliedNow;
}
