// Migration 7: blobs no package refers to any more, with the time they were found so. The blob
// sweeper deletes such a blob once it has been an orphan for the grace period (UPDRAFT_BLOB_GRACE_HOURS);
// an upload that reuses the blob deletes its row in the upload's transaction, which on PostgreSQL
// waits for, or makes empty, a sweeper's claim of the same row (modules/firmware/blob-sweeper.ts).
import { type Kysely, sql } from 'kysely';
import type { Migration, SqlDialect } from './migration.ts';

export const migration: Migration = {
  id: 7,
  name: 'blob-orphans',
  async up(db: Kysely<unknown>, dialect: SqlDialect) {
    const big = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
    await sql`create table blob_orphans (sha256 text primary key, since ${big} not null)`.execute(db);
    await sql`create index blob_orphans_since on blob_orphans (since)`.execute(db);
  },
};
