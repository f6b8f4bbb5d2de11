// Migration 8: an API key made by a user acts for that user (issue 12): with no more than the
// owner's current role, and not at all once the owner is disabled or gone. `owned` remembers that
// a key had an owner, because deleting the user sets created_by to null (migration 1), which
// must not turn the key into an ownerless one (those are made by the `updraft keys` command).
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 8,
  name: 'api-key-owners',
  async up(db: Kysely<unknown>) {
    await sql`alter table api_keys add column owned integer not null default 0`.execute(db);
    await sql`update api_keys set owned = 1 where created_by is not null`.execute(db);
  },
};
