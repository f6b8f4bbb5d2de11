// Opens the configured database (SQLite through node:sqlite, or PostgreSQL through pg) behind
// one Kysely instance, and applies or checks the schema.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { explainStorageError, type StoragePlace } from '../storage/storage-faults.ts';
import { migrations } from './migrations/index.ts';
import type { SqlDialect } from './migrations/migration.ts';
import { assertSchemaCurrent, migrateToLatest, readSchemaState } from './migrator.ts';
import { type CopyTransaction, createCopyTransaction } from './pg-copy.ts';
import type { DatabaseSchema } from './schema.ts';
import { NodeSqliteDialect } from './sqlite-dialect.ts';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: SqlDialect;
  /** PostgreSQL's connection pool now (GET /metrics); absent for SQLite's one connection. */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
  /** PostgreSQL's COPY FROM STDIN in a transaction (bulk writes); absent for SQLite. */
  readonly copy?: CopyTransaction;
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
    return {
      db,
      dialect: 'postgres',
      poolStats: () => ({
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: pool.options.max ?? 10,
      }),
      copy: createCopyTransaction(pool),
      close: () => db.destroy(),
    };
  }
  if (target.path === ':memory:') return openSqlite(target.path, null);
  // A read-only mount, a full disk or a folder not ours: one coded line naming the path (issue 14)
  // rather than SQLite's "unable to open database file" or "database or disk is full".
  const place: StoragePlace = {
    store: 'database',
    what: 'the database',
    path: target.path,
    setting: 'UPDRAFT_DATA_DIR or UPDRAFT_DATABASE_URL',
  };
  try {
    // The database holds password hashes and device salts: this user's only (issue 12). SQLite
    // gives its -wal and -shm files the database file's mode.
    mkdirSync(dirname(target.path), { recursive: true, mode: 0o700 });
    closeSync(openSync(target.path, 'a', 0o600));
    for (const file of [target.path, `${target.path}-wal`, `${target.path}-shm`]) {
      if (existsSync(file)) chmodSync(file, 0o600);
    }
    return openSqlite(target.path, place);
  } catch (error) {
    throw explainStorageError(error, place);
  }
}

function openSqlite(path: string, place: StoragePlace | null): Database {
  const sqlite = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  try {
    sqlite.exec('pragma journal_mode = wal');
    sqlite.exec('pragma synchronous = normal');
    sqlite.exec('pragma busy_timeout = 5000');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new NodeSqliteDialect(sqlite, place) });
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

/** One round trip to the database (GET /readyz): fails when it is down or closed. */
export async function pingDatabase(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}
