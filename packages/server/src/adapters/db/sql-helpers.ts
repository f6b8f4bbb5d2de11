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
 * Runs a GROUP BY over computed keys with PostgreSQL's sorting off for its transaction, so that it
 * groups in a hash table. PostgreSQL cannot tell how few groups such keys make: it expects about
 * one per row and, past a few tens of thousands of rows, sorts every row (spilling to disk at
 * 1,000,000) where a hash table of a few hundred groups takes a third of the time. SQLite has one
 * way of grouping only.
 */
export async function groupedByHash<DB, R>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  query: RawBuilder<R>,
): Promise<QueryResult<R>> {
  if (dialect !== 'postgres') return query.execute(db);
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_sort = off`.execute(trx);
    return query.execute(trx);
  });
}
