// Test databases: SQLite in a temporary folder, or a fresh PostgreSQL database per call.
// UPDRAFT_TEST_DB picks the kind (sqlite by default). When PostgreSQL is asked for but not
// reachable, tests skip with a clear line, except under CI=true where they fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, openDatabase, prepareSchema } from '../adapters/db/database.ts';
import { migrations } from '../adapters/db/migrations/index.ts';
import { migrateToLatest } from '../adapters/db/migrator.ts';

export type TestDatabaseKind = 'sqlite' | 'postgres';

export const testDatabaseKind: TestDatabaseKind =
  process.env['UPDRAFT_TEST_DB'] === 'postgres' ? 'postgres' : 'sqlite';
const adminUrl = process.env['UPDRAFT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let counter = 0;

export interface TestDatabase {
  database: Database;
  url: string;
  dispose(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function waitForNoSessions(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [name],
      );
      if (rows[0]?.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.end();
  }
}

let reachable: Promise<string | null> | undefined;
/** null when PostgreSQL answers, else why not. */
export function postgresUnavailable(): Promise<string | null> {
  reachable ??= adminQuery('select 1').then(
    () => null,
    (error: Error) => `PostgreSQL is not reachable at ${adminUrl} (${error.message})`,
  );
  return reachable;
}

/** Why this test must skip, or null. Under CI=true a missing PostgreSQL is an error, never a skip. */
export async function skipReason(): Promise<string | null> {
  if (testDatabaseKind !== 'postgres') return null;
  const why = await postgresUnavailable();
  if (why && process.env['CI'] === 'true') throw new Error(`${why}; CI needs it`);
  return why ? `skipped: ${why}` : null;
}

/**
 * A fresh, empty PostgreSQL database for another process to use (a server started through the
 * CLI): nothing here holds a connection to it. Dropped, with whatever is still connected, by
 * dispose().
 */
export async function createEmptyPostgresDatabase(): Promise<{
  url: string;
  /** `closing`: the pools of this process were just ended; their sessions go first (see below). */
  dispose(closing?: 'closing'): Promise<void>;
}> {
  counter += 1;
  const name = `updraft_e_${process.pid}_${counter}_${Date.now() % 100000}`;
  await adminQuery(`create database ${name}`);
  return {
    url: adminUrl.replace(/\/[^/]*$/, `/${name}`),
    async dispose(closing) {
      if (closing) await waitForNoSessions(name);
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * A fresh, migrated database of the selected kind; with `upTo`, migrated only that far (to test
 * a later migration on data written before it).
 */
export async function createTestDatabase(options: { upTo?: number } = {}): Promise<TestDatabase> {
  counter += 1;
  const migrate = (database: Database) =>
    options.upTo === undefined
      ? prepareSchema(database, 'auto', () => Date.now())
      : migrateToLatest(
          database.db as never,
          database.dialect,
          migrations.filter((m) => m.id <= options.upTo!),
          () => Date.now(),
        );
  if (testDatabaseKind === 'postgres') {
    const name = `updraft_t_${process.pid}_${counter}_${Date.now() % 100000}`;
    await adminQuery(`create database ${name}`);
    const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
    const database = openDatabase({ kind: 'postgres', url });
    await migrate(database);
    return {
      database,
      url,
      async dispose() {
        await database.close();
        // pg's pool.end() resolves before its idle connections have closed; dropping with force
        // then kills one mid-close and its error has no listener (an uncaught exception in
        // whichever test comes next). Wait for the sessions to go first.
        await waitForNoSessions(name);
        await adminQuery(`drop database if exists ${name} with (force)`);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'updraft-test-'));
  const path = join(dir, 'test.db');
  const database = openDatabase({ kind: 'sqlite', path });
  await migrate(database);
  return {
    database,
    url: `sqlite:${path}`,
    async dispose() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
