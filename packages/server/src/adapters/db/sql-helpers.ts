import { type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely';
import type { SqlDialect } from './migrations/migration.ts';

/** Case-insensitive "column contains text", with LIKE's wildcards in `text` taken literally. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/**
 * SQLite says SQLITE_CONSTRAINT_UNIQUE (2067), or SQLITE_CONSTRAINT_PRIMARYKEY (1555) for a
 * taken primary key; PostgreSQL says unique_violation (23505) for both.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown };
  return e.code === '23505' || e.errcode === 2067 || e.errcode === 1555;
}

/**
 * A unique violation of the named index: PostgreSQL names it (`constraint`); SQLite lists the
 * index's columns in its message, `table.column` each, so the index's last column identifies it.
 */
export function isUniqueViolationOf(error: unknown, index: string, lastColumn: string): boolean {
  if (!isUniqueViolation(error)) return false;
  const e = error as { constraint?: unknown; message?: unknown };
  if (typeof e.constraint === 'string') return e.constraint === index;
  return String(e.message).trimEnd().endsWith(`.${lastColumn}`);
}

/**
 * PostgreSQL says foreign_key_violation (23503); SQLite says a constraint failed (primary code 19:
 * 787 for a plain reference, 1811 when ON DELETE RESTRICT fires) with "FOREIGN KEY" in the message.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e.code === '23503') return true;
  return (
    typeof e.errcode === 'number' && (e.errcode & 0xff) === 19 && String(e.message).includes('FOREIGN KEY')
  );
}

/**
 * Runs a query that reads a large part of a table (a plan's report, a count over a product's
 * devices) on PostgreSQL in a transaction of its own with JIT off: at 1,000,000 devices compiling
 * the query's expressions took longer than it saved (a 10% version count with the busy check
 * 1.6-2.1 s with JIT, 1.1-1.2 s without; the report's pass 0.9-1.3 s and 0.5-0.6 s, load average
 * about 9). With `hashGroups`, sorting is off as well, for a GROUP BY over computed keys:
 * PostgreSQL cannot tell how few groups such keys make, expects about one per row and, past a few
 * tens of thousands of rows, sorts every row (spilling to disk at 1,000,000) where a hash table of
 * a few hundred groups takes a third of the time. On SQLite the query runs as it is (no JIT, one
 * way of grouping). `set local` keeps both to the transaction, so a pooled session is left as it
 * was (and a transaction-mode pooler such as PgBouncer sees nothing else).
 */
export async function readAtScale<DB, R>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  query: RawBuilder<R>,
  { hashGroups = false }: { hashGroups?: boolean } = {},
): Promise<QueryResult<R>> {
  if (dialect !== 'postgres') return query.execute(db);
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    if (hashGroups) await sql`set local enable_sort = off`.execute(trx);
    return query.execute(trx);
  });
}
