// Migration 19: signed firmware (docs/signing.md). A product's Ed25519 public keys (several
// active at once for rotation; a retired key's packages may be planned until `valid_until`; a
// revoked key's may not), whether the product requires signatures, and each package's signed
// manifest with its detached signature.
import { type Kysely, sql } from 'kysely';
import type { Migration, SqlDialect } from './migration.ts';

export const migration: Migration = {
  id: 19,
  name: 'signing',
  async up(db: Kysely<unknown>, dialect: SqlDialect) {
    const big = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
    await sql`create table signing_keys (
      product_id ${big} not null references products (id) on delete cascade,
      key_id text not null,
      name text not null,
      public_key text not null,
      status text not null,
      valid_until ${big},
      created_by text not null,
      created_at ${big} not null,
      changed_at ${big} not null,
      primary key (product_id, key_id)
    )`.execute(db);
    await sql`create table package_signatures (
      package_id ${big} primary key references firmware_packages (id) on delete cascade,
      manifest text not null,
      signature text not null,
      key_id text not null,
      security_version ${big} not null,
      signed_at ${big} not null
    )`.execute(db);
    await sql`alter table products add column require_signature integer not null default 0`.execute(db);
  },
};
