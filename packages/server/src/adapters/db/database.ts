// Opens the configured database (SQLite through node:sqlite, or PostgreSQL through pg) behind
// one Kysely instance, and applies or checks the schema.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import type { SqlDialect } from './migrations/migration.ts';
import { assertSchemaCurrent, migrateToLatest, readSchemaState } from './migrator.ts';
import type { DatabaseSchema } from './schema.ts';
import { NodeSqliteDialect } from './sqlite-dialect.ts';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: SqlDialect;
  close(): Promise<void>;
}

const int8 = 20;
const numeric = 1700;

export function openDatabase(target: DatabaseTarget): Database {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: 10,
      types: {
        // Ids, times and sizes are bigint columns well inside 2^53: read them as numbers.
        getTypeParser: (oid: number, format?: 'text' | 'binary') =>
          oid === int8 || oid === numeric ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
      } as pg.CustomTypesConfig,
    });
    const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
  const sqlite = new DatabaseSync(target.path, { enableForeignKeyConstraints: true });
  sqlite.exec('pragma journal_mode = wal');
  sqlite.exec('pragma synchronous = normal');
  sqlite.exec('pragma busy_timeout = 5000');
  const db = new Kysely<DatabaseSchema>({ dialect: new NodeSqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Brings the schema up to date (mode auto) or refuses a schema this build does not know. */
export async function prepareSchema(
  database: Database,
  mode: 'auto' | 'never',
  now: () => number,
): Promise<number[]> {
  const db = database.db as unknown as Kysely<unknown>;
  if (mode === 'auto') return migrateToLatest(db, database.dialect, migrations, now);
  assertSchemaCurrent(await readSchemaState(db, database.dialect, migrations));
  return [];
}

export async function migrateDatabase(database: Database, now: () => number): Promise<number[]> {
  return migrateToLatest(database.db as unknown as Kysely<unknown>, database.dialect, migrations, now);
}
