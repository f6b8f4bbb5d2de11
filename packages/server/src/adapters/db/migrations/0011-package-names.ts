// Migration 11: a firmware package has a name, unique per product and module, and a remark, beside
// its version (Quectel's console, protocols.md §3.1: name ≤100, remark ≤200). Existing packages
// are named after their version (a delta `<version> from <source>`); a generated name over 100
// characters is cut to 90 and marked with the package id, so the names stay unique.
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 11,
  name: 'package-names',
  async up(db: Kysely<unknown>) {
    await sql`alter table firmware_packages add column name text not null default ''`.execute(db);
    await sql`alter table firmware_packages add column remark text not null default ''`.execute(db);
    await sql`update firmware_packages set name = case when source_version is null then version
      else version || ' from ' || source_version end`.execute(db);
    await sql`update firmware_packages set name = substr(name, 1, 90) || ' #' || cast(id as text)
      where length(name) > 100`.execute(db);
    await sql`create unique index firmware_packages_name on firmware_packages (product_id, module, name)`.execute(
      db,
    );
  },
};
