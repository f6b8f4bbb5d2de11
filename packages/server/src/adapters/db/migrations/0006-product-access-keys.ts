// Migration 6: OneNET's product-level key (protocols.md §2.2: `res = products/{pid}`), an option
// a product turns on. Like device secrets (ADR 0003) the key is derived from the server secret
// and a salt; the row keeps the salt and the key's SHA-256, never the key. A null salt means
// the product accepts device keys only.
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 6,
  name: 'product-access-keys',
  async up(db: Kysely<unknown>) {
    await sql`alter table products add column access_key_salt text`.execute(db);
    await sql`alter table products add column access_key_hash text`.execute(db);
  },
};
